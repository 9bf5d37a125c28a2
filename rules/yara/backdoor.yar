// Backdoors: reverse shells, droppers, and the scripts of container-worm campaigns.

rule backdoor_reverse_shell_bash
{
    meta:
        category = "backdoor"
        severity = "critical"
        description = "Shell reverse shell over /dev/tcp (or zsh's ztcp)"
    strings:
        // an interactive or login shell whose stdio is a /dev/tcp socket (bash -i >&, sh -i 5<>, bash -l >)
        $interactive = /\b(ba|z|k|da)?sh\s+-[a-z]*[il][a-z]*\s*[0-9]?(>&|&>|<>|>\s*&?|<&?)\s*\/dev\/(tcp|udp)\/[^\/\s]{1,255}\/[0-9$\{]/
        // exec N<>/dev/tcp/... alone is a health check or a curl-less download; a shell reading from it is not
        $exec_fd_shell = /\bexec\s+[0-9]{1,3}\s*<>\s*\/dev\/(tcp|udp)\/[^\n]{1,200}(\b(ba|z|k|da)?sh\s+(-i\s+)?[0-9]?<&\s*[0-9]|while\s+read\s+\w+\s*;\s*do\s+\$\w+)/
        $redirect_loop = /0\s*<&\s*[0-9]{1,3}\s*;?\s*exec\s+[0-9]{1,3}\s*<>\s*\/dev\/tcp\//
        // the same, base64-encoded for `echo ... | base64 -d | bash`
        $redirect_b64 = " >& /dev/tcp/" base64
        // zsh's own TCP module: ztcp HOST PORT, then a shell on the descriptor it leaves in $REPLY
        $ztcp = /\bztcp\s+[^\n;&|]{1,255}\s+[0-9$][^\n]{0,200}\b(ba|z|k|da)?sh\s+(-[a-z]+\s+)?[0-9]?[<>]&\s*\$REPLY\b/
    condition:
        not detection_content and not documentation and any of them
}

rule backdoor_reverse_shell_netcat
{
    meta:
        category = "backdoor"
        severity = "critical"
        description = "Netcat, socat or a named pipe wiring a shell to the network"
    strings:
        // nc -e /bin/sh, nc -c bash, busybox nc HOST PORT -e sh; not on a comment line or a "$ " prompt
        // line (usage notes)
        $nc_exec = /(^|\n)[ \t]*(([^#\-\/*\s$]|\$\S)[^\n]{0,300})?\b(nc|ncat|netcat)(\.traditional|\.openbsd)?\s([^\n;|&]{0,120}\s)?(-[a-z]*[ec]|--(sh-)?exec)\s*["']?(\/(usr\/)?bin\/)?(ba|z|k|da)?sh\b/
        $fifo_sh_nc = /(mkfifo|mknod)\s[^\n]{1,200}\b(ba|z|da)?sh\s+-i\b[^\n]{0,200}\|\s*(nc|ncat|netcat|telnet|openssl\s+s_client)\s/
        $fifo_nc_sh = /(mkfifo|mknod)\s[^\n]{1,200}\b(nc|ncat|netcat|telnet)\s+[^\n|]{1,120}<\s*\S+\s*\|\s*(\/bin\/)?(ba|z|da)?sh\b/
        // telnet HOST P1 | /bin/sh | telnet HOST P2
        $telnet_pair = /\btelnet\s+\S{1,255}\s+[0-9]{1,5}\s*\|\s*(\/bin\/)?(ba|z|da)?sh\s*\|\s*telnet\s/
        // the same with nc (nc HOST P1 | /bin/sh | nc HOST P2) and with openssl s_client
        $nc_pair = /\b(nc|ncat|netcat)\s+[^\n|;&]{1,255}\s[0-9]{1,5}\s*\|\s*(\/usr)?(\/bin\/)?(ba|z|da)?sh(\s+-i)?\s*(2>&1\s*)?\|\s*(nc|ncat|netcat)\s/
        $ssl_pair = /\bopenssl\s+s_client\s[^\n|]{1,300}\|\s*(\/usr)?(\/bin\/)?(ba|z|da)?sh(\s+-i)?\s*(2>&1\s*)?\|\s*openssl\s+s_client\s/
        $socat_exec = /\bsocat\s[^\n]{0,200}\b(exec|system):["']?[^\n"']{0,40}\b(ba|z|k|da)?sh\b[^\n]{0,200}\b(tcp[46]?|tcp-connect|openssl|openssl-connect|ssl):[^\s,:]{1,255}:[0-9$]/ nocase
        $socat_exec_rev = /\bsocat\s[^\n]{0,200}\b(tcp[46]?|tcp-connect|openssl|openssl-connect|ssl):[^\s,:]{1,255}:[0-9$][^\n]{0,200}\b(exec|system):["']?[^\n"']{0,40}\b(ba|z|k|da)?sh\b/ nocase
    condition:
        not detection_content and not documentation and any of them
}

rule backdoor_reverse_shell_python
{
    meta:
        category = "backdoor"
        severity = "critical"
        description = "Python reverse shell (socket, dup2 onto stdio, shell)"
    strings:
        // quotes may be escaped (\"/bin/sh\") when the code sits in python3 -c "..."
        $oneliner = /socket\.(socket\s*\(.{0,300}\.connect|create_connection)\s*\(\s*\(.{0,300}(os\.)?dup2\s*\(.{0,400}(pty\.spawn\s*\(|subprocess\.(call|Popen|run)\s*\(\s*\[?|os\.(system|execv?p?e?)\s*\()\s*\\?["'](\/bin\/)?(ba|z|da)?sh\b/s
        // subprocess with the socket as its stdio
        $stdio = /socket\.(socket\s*\(.{0,300}\.connect|create_connection)\s*\(.{0,300}subprocess\.(call|Popen|run)\s*\(\s*\[?\s*\\?["'](\/bin\/)?(ba|z|da)?sh\\?["'][^)]{0,60}stdin\s*=\s*\w+(\.fileno\(\))?\s*,\s*stdout\s*=/s
        $pty = /(\.connect|create_connection)\s*\(\s*\(.{0,300}(os\.)?dup2\s*\(.{0,200}pty\.spawn\s*\(\s*\\?["'](\/bin\/)?(ba|z|da)?sh/s
    condition:
        not detection_content and not documentation and filesize < 2MB and any of them
}

rule backdoor_reverse_shell_perl_ruby_php
{
    meta:
        category = "backdoor"
        severity = "critical"
        description = "Perl, Ruby, PHP, Lua or awk reverse shell one-liner"
        anchors = "$_perl_socket $_ruby_socket $_fsockopen $_inet_tcp $_lua_tcp"
    strings:
        // STDIN onto the socket (open STDIN,">&S" / "<&",$c / STDIN->fdopen), then a shell or a
        // loop running each line read (msfvenom's while(<>){...system $1})
        $perl = /(use\s+Socket\s*;.{0,400}connect\s*\(|IO::Socket::INET\s*(\(|->\s*new\s*\()).{0,300}(open\s*\(?\s*STDIN\s*,\s*["'][<>]&|STDIN->fdopen\s*\().{0,300}(exec\s*\(?\s*["'](\/bin\/)?(ba|z|da)?sh|system\s*\(?\s*\$_\s+while\s*<>|while\s*\(\s*<>\s*\)\s*\{.{0,80}system\s*\(?\s*\$)/s
        $ruby = /TCPSocket\.(open|new)\s*\(.{0,200}((exec|spawn|system)\s*\(?\s*(sprintf\s*\(\s*)?["'](\/bin\/)?(ba|z|da)?sh\s+-i|while\s*\(?\s*\w+\s*=\s*\w+\.gets.{0,60}(IO\.popen|system|exec|`)|(loop\s*(\{|do\b)|while\b|until\b).{0,80}\.gets\b.{0,120}(IO\.popen|system|exec|spawn)\s*\(\s*(\$_|\w+)\s*[,)])/s
        // LuaSocket: tcp(), connect, then an interactive shell or each received line run by io.popen
        $lua = /\.tcp\(\).{0,300}:connect\s*\(.{0,300}(os\.execute\s*\(\s*["'](\/bin\/)?(ba|z|da)?sh\s+-i\b|:receive\s*\(.{0,200}io\.popen\s*\(\s*\w+\s*[,)])/s
        $php = /fsockopen\s*\(.{0,300}(exec|shell_exec|system|passthru|popen|proc_open)\s*\(\s*["'](\/bin\/)?(ba|z|da)?sh\s+(-i\s*)?<&/s
        $php_proc = /fsockopen\s*\(.{0,300}proc_open\s*\(\s*["'](\/bin\/)?(ba|z|da)?sh(\s+-i)?["']\s*,\s*array\s*\(\s*0\s*=>\s*\$\w+/s
        // gawk's network files wired to a command loop
        $awk = /\/inet\/tcp\/0\/[^\/"\s]{1,255}\/[0-9]{1,5}[^\n]{0,300}\|&\s*getline/
        // Anchors only: Perl uses Socket or IO::Socket::INET, Ruby TCPSocket, PHP calls fsockopen,
        // gawk opens /inet/tcp/, Lua calls tcp() ("Socket" alone is in every C library).
        $_perl_socket = /Socket(\s*;|::INET)/
        $_ruby_socket = "TCPSocket"
        $_fsockopen = "fsockopen"
        $_inet_tcp = "/inet/tcp/"
        $_lua_tcp = ".tcp()"
    condition:
        not detection_content and not documentation and filesize < 2MB
        and any of ($perl, $ruby, $php, $php_proc, $awk, $lua)
}

rule backdoor_reverse_shell_node
{
    meta:
        category = "backdoor"
        severity = "critical"
        description = "Node.js reverse shell (socket piped into a spawned shell)"
    strings:
        $spawn_then_socket = /(spawn|exec)\s*\(\s*["'](\/bin\/)?(ba|z|da)?sh["'].{0,400}new\s+net\.Socket\s*\(.{0,400}\.connect\s*\(.{0,300}\.pipe\s*\(/s
        $socket_then_spawn = /new\s+net\.Socket\s*\(.{0,300}\.connect\s*\(.{0,400}(spawn|exec)\s*\(\s*["'](\/bin\/)?(ba|z|da)?sh["'].{0,300}\.pipe\s*\(/s
    condition:
        not detection_content and not documentation and filesize < 5MB and any of them
}

rule backdoor_reverse_shell_powershell
{
    meta:
        category = "backdoor"
        severity = "critical"
        description = "PowerShell TCP reverse shell (TCPClient stream read, each chunk run by Invoke-Expression)"
        anchors = "$client"
    strings:
        $client = "Net.Sockets.TCPClient" ascii wide nocase
        $stream = /\.GetStream\s*\(\s*\)/ ascii wide nocase
        // "\$" where the script sits in a double-quoted pwsh -c "..." of a shell script
        $read = /\.Read\s*\(\s*\\?\$\w+\s*,\s*0\s*,/ ascii wide nocase
        $iex = /(\b(iex|Invoke-Expression)\s*(-Command\s*)?(\(|\\?\$)|\|\s*(iex|Invoke-Expression)\b)/ ascii wide nocase
    condition:
        not detection_content and not documentation and filesize < 5MB
        and $client and $stream and $read and $iex
}

rule backdoor_bind_shell
{
    meta:
        category = "backdoor"
        severity = "critical"
        description = "Bind shell: a shell served on a listening port (socat, busybox telnetd without login, Python)"
        anchors = "$socat_listen $socat_listen_rev $telnetd $_py_bind"
    strings:
        // socat TCP-LISTEN:P,... EXEC:/bin/sh (either order); the program run is the shell itself,
        // not a handler script (EXEC:/app/respond.sh, EXEC:"sh /app/h.sh" serve HTTP that way)
        $socat_listen = /\bsocat\s[^\n]{0,200}\btcp[46]?-listen:[0-9]{1,5}[^\n]{0,200}\b(exec|system):["']?(\/usr)?(\/bin\/)?(ba|z|k|da)?sh(\s+-[a-z]{1,4})*(["',]|[ \t]*(\n|$)|\s+[a-z0-9-]{2,20}:)/ nocase
        $socat_listen_rev = /\bsocat\s[^\n]{0,200}\b(exec|system):["']?(\/usr)?(\/bin\/)?(ba|z|k|da)?sh(\s+-[a-z]{1,4})*["']?(,[^\s]{0,100})?\s+tcp[46]?-listen:[0-9]{1,5}/ nocase
        // telnetd -l names the login program: a shell there serves it to anyone, without a password
        $telnetd = /\btelnetd\s[^\n]{0,100}-l\s*["']?(\/usr)?(\/bin\/)?(ba|z|k|da|a)?sh\b/
        // Python: bind, listen, accept, then the connection onto a shell's stdio
        $py_bind = /\.bind\(\(.{0,200}\.listen\s*\(.{0,100}\.accept\s*\(\s*\).{0,300}(dup2\s*\(.{0,300}(pty\.spawn|subprocess\.(call|Popen|run)|os\.(system|exec[lv]p?e?))\s*\(\s*\[?\s*\\?["'](\/bin\/)?(ba|z|da)?sh\b|subprocess\.(call|Popen|run)\s*\(\s*\[?\s*\\?["'](\/bin\/)?(ba|z|da)?sh\\?["'][^)]{0,60}stdin\s*=\s*\w+(\.fileno\(\))?\s*,\s*stdout\s*=)/s
        // Anchor only: every $py_bind match starts with it.
        $_py_bind = ".bind(("
    condition:
        not detection_content and not documentation and filesize < 2MB
        and any of ($socat_listen, $socat_listen_rev, $telnetd, $py_bind)
}

rule backdoor_install_hook_fetch_exec
{
    meta:
        category = "backdoor"
        severity = "high"
        description = "npm install hook (preinstall, install, postinstall) that pipes a download into a shell"
        anchors = "$_install_key"
    strings:
        // the hook's command (JSON string, escapes allowed) runs curl/wget ... | sh, or sh -c "$(curl ...)"
        $hook_pipe = /"(pre|post)?install":\s*"([^"\n\\]|\\.){0,300}\b(curl|wget)\s([^"\n|\\]|\\.){0,300}\|\s*(sudo\s+)?(\/usr)?(\/bin\/)?(ba|z|da)?sh\b/
        $hook_subst = /"(pre|post)?install":\s*"([^"\n\\]|\\.){0,200}\b(ba|z|da)?sh\s+(-c\s+)?(\\"|')?\$\(\s*(curl|wget)\s/
        // Anchor only: every match holds the hook's key and its colon.
        $_install_key = "install\":"
    condition:
        not detection_content and not documentation and filesize < 1MB
        and ($hook_pipe or $hook_subst)
}

rule backdoor_code_fetch_exec
{
    meta:
        category = "backdoor"
        severity = "high"
        description = "Code that pipes a download into a shell (exec(\"curl ... | sh\"), os.system, subprocess) or runs a fetched script (exec(urlopen(...).read()), eval of an HTTP body)"
        anchors = "$_fetch_cmd $_urlopen $_requests_get $_http_get $_https_get"
    strings:
        // a call whose literal argument is the whole curl|wget ... | sh pipeline: child_process
        // exec/execSync, os.system/popen, subprocess with shell=True, PHP/Ruby/Perl system
        $call_pipe = /\b(exec|execSync|system|popen|Popen|run|call|check_call|check_output|getoutput|shell_exec|passthru)\s*\(\s*\\?["'`](curl|wget)\s[^"'`\n|]{0,300}\|\s*(sudo\s+)?(\/usr)?(\/bin\/)?(ba|z|da)?sh\b/
        // Python: exec/eval of what urlopen or requests.get returns
        $py_urlopen = /\b(exec|eval)\s*\(\s*(compile\s*\(\s*)?([a-z0-9_]{1,20}\.){0,2}urlopen\s*\([^\n]{1,300}\)\s*\.read\s*\(/
        $py_requests = /\b(exec|eval)\s*\(\s*(compile\s*\(\s*)?requests\.get\s*\([^\n]{1,300}\)\s*\.(text|content)\b/
        // Node: http(s).get, the body gathered, then eval'd (or given to Function / vm) on "end"
        $js_get_eval = /\bhttps?\.get\(.{0,400}\.on\s*\(\s*["']end["']\s*,.{0,100}\b(eval|new\s+Function|runInThisContext|runInNewContext)\s*\(\s*\w+\s*\)/s
        // Anchors only: $call_pipe holds a string opening with curl or wget, the others their fetch call.
        $_fetch_cmd = /["'`](curl|wget)\s/
        $_urlopen = "urlopen"
        $_requests_get = "requests.get"
        $_http_get = "http.get("
        $_https_get = "https.get("
    condition:
        not detection_content and not documentation and filesize < 5MB
        and any of ($call_pipe, $py_urlopen, $py_requests, $js_get_eval)
}

rule backdoor_encoded_payload_exec
{
    meta:
        category = "backdoor"
        severity = "high"
        description = "Shell command that decodes an embedded base64 payload and runs it"
    strings:
        $pipe = /(echo|printf)\s+(-[a-z]+\s+)?["']?[A-Za-z0-9+\/]{40,}={0,2}["']?\s*\|\s*base64\s+(-d|--decode|-D)\b[^\n|]{0,20}\|\s*(\/bin\/)?(ba|z|da)?sh\b/
        $herestring = /(ba|z)?sh\s+-c\s+["']?\$\(\s*(echo|printf)\s+["']?[A-Za-z0-9+\/]{60,}={0,2}["']?\s*\|\s*base64\s+(-d|--decode)/
        $py = /exec\s*\(\s*(base64\.b64decode|__import__\s*\(\s*["']base64["']\s*\)\.b64decode)\s*\(\s*["'][A-Za-z0-9+\/=]{120}/
    condition:
        not detection_content and not documentation and any of them
}

rule backdoor_dropper_hidden_tmp
{
    meta:
        category = "backdoor"
        severity = "high"
        description = "Download into a hidden file under /tmp, /var/tmp or /dev/shm, made executable and run"
        anchors = "$hidden"
    strings:
        $fetch = /\b(curl|wget)\s[^\n]{0,300}(-o|-O|--output|--output-document|>)\s*["']?\/(tmp|var\/tmp|dev\/shm)\/(\.[^\s\/"';|&]{1,64}\/)?\.?[^\s\/"';|&]{1,64}/
        $hidden = /\/(tmp|var\/tmp|dev\/shm)\/\.[A-Za-z0-9_\-.]{1,64}/
        $chmod = /chmod\s+(\+x|[0-7]?[75][0-7][0-7]|a\+x|u\+x)\s+["']?\/(tmp|var\/tmp|dev\/shm)\//
        $run = /(nohup\s+|\bsetsid\s+|;\s*|&&\s*|\n\s*)["']?\/(tmp|var\/tmp|dev\/shm)\/[^\s"';|&]{1,130}[^\n]{0,100}&/
    condition:
        not detection_content and not documentation and filesize < 2MB
        and $fetch and $hidden and $chmod and $run
}

rule backdoor_container_worm_script
{
    meta:
        category = "backdoor"
        severity = "critical"
        description = "Cryptojacking worm script (Kinsing/TeamTNT style): kills rival miners, disables defences, fetches payloads"
        anchors = "$_rival_names $kill_rival_port $fetch_*"
    strings:
        $kill_rival = /(pkill|killall|kill\s+-9|ps\s[^\n]{0,80}grep)[^\n]{0,120}\b(kdevtmpfsi|kinsing|xmrig|xmr-stak|minerd|cryptonight|sysupdate|networkservice|sysguard|kthreaddi|kthreaddk|dbused|watchbog|\.sysupdate|zzh|phpguard|javae|solr\.sh)\b/
        $kill_rival_port = /netstat\s+-[a-z]*p[a-z]*[^\n]{0,80}grep[^\n]{0,80}(:3333|:4444|:5555|:7777|:14444|:14433|:45700)/
        $sec_setenforce = /\bsetenforce\s+0\b/
        $sec_selinux = /SELINUX=disabled/
        $sec_ufw = /\bufw\s+disable\b/
        $sec_iptables = /\biptables\s+-F\b/
        $sec_aliyun = /(aliyun\.service|\/usr\/local\/aegis|aegis_uninstall|AliYunDun|quartz_uninstall)/
        $sec_qcloud = /(\/usr\/local\/qcloud|YDService|YDLive|stargate|tat_agent)/
        $sec_history = /(history\s+-c|unset\s+HISTFILE|export\s+HISTFILE=\/dev\/null)/
        $sec_watchdog = /nmi_watchdog/
        $sec_chattr = /chattr\s+[-+]i[a]?\s/
        $fetch_pipe = /\b(curl|wget)\s[^\n|]{0,300}\|\s*(ba|z|da)?sh\b/
        $fetch_exec = /\b(curl|wget)\s[^\n]{0,300}(-o|-O|>)\s*[^\n]{0,100}(;|&&|\n)\s*chmod\s+(\+x|[0-7]?7[0-7][0-7])/
        $tune_huge = "vm.nr_hugepages"
        $tune_msr = /modprobe\s+msr/
        $steal_aws = /\.aws\/credentials/
        $steal_docker = /\.docker\/config\.json/
        $spread_ssh = /(\.ssh\/known_hosts|\.ssh\/id_rsa)[^\n]{0,300}\bssh\s[^\n]{0,200}(curl|wget)/
        // Anchor only: every $kill_rival match ends with one of these names.
        $_rival_names = /(kdevtmpfsi|kinsing|xmrig|xmr-stak|minerd|cryptonight|sysupdate|networkservice|sysguard|kthreaddi|kthreaddk|dbused|watchbog|zzh|phpguard|javae|solr\.sh)/
    condition:
        not exe_magic and not detection_content and not documentation and filesize < 2MB
        and (
            (1 of ($kill_rival*) and (1 of ($sec_*) or 1 of ($fetch_*) or 1 of ($tune_*)))
            or (2 of ($sec_*) and 1 of ($fetch_*) and (1 of ($tune_*) or 1 of ($steal_*) or $spread_ssh))
            or ($spread_ssh and 1 of ($fetch_*))
        )
}

rule backdoor_kinsing_binary
{
    meta:
        category = "backdoor"
        severity = "critical"
        description = "Kinsing/H2Miner Go agent (masscan spreading, Redis brute force, back-connect)"
    strings:
        $masscan = "main.masscan" ascii
        $redis = "main.redisBrute" ascii
        $backconnect = "main.backconnect" ascii
        $c2 = "ActiveC2CUrl" ascii
        $masscan_cmd = "-iL $INPUT --rate $RATE -p$PORT" ascii
    condition:
        exe_magic and 2 of them
}

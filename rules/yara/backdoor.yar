// Backdoors: reverse shells, droppers, and the scripts of container-worm campaigns.

rule backdoor_reverse_shell_bash
{
    meta:
        category = "backdoor"
        severity = "critical"
        description = "Shell reverse shell over /dev/tcp"
    strings:
        // an interactive or login shell whose stdio is a /dev/tcp socket (bash -i >&, sh -i 5<>, bash -l >)
        $interactive = /\b(ba|z|k|da)?sh\s+-[a-z]*[il][a-z]*\s*[0-9]?(>&|&>|<>|>\s*&?|<&?)\s*\/dev\/(tcp|udp)\/[^\/\s]{1,255}\/[0-9$\{]/
        // exec N<>/dev/tcp/... alone is a health check or a curl-less download; a shell reading from it is not
        $exec_fd_shell = /\bexec\s+[0-9]{1,3}\s*<>\s*\/dev\/(tcp|udp)\/[^\n]{1,200}(\b(ba|z|k|da)?sh\s+(-i\s+)?[0-9]?<&\s*[0-9]|while\s+read\s+\w+\s*;\s*do\s+\$\w+)/
        $redirect_loop = /0\s*<&\s*[0-9]{1,3}\s*;?\s*exec\s+[0-9]{1,3}\s*<>\s*\/dev\/tcp\//
        // the same, base64-encoded for `echo ... | base64 -d | bash`
        $redirect_b64 = " >& /dev/tcp/" base64
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
        $oneliner = /socket\.socket\s*\(.{0,300}\.connect\s*\(\s*\(.{0,300}(os\.)?dup2\s*\(.{0,400}(pty\.spawn\s*\(|subprocess\.(call|Popen|run)\s*\(\s*\[?|os\.(system|execv?p?e?)\s*\()\s*["'](\/bin\/)?(ba|z|da)?sh\b/s
        // subprocess with the socket as its stdio
        $stdio = /socket\.(socket\s*\(.{0,300}\.connect|create_connection)\s*\(.{0,300}subprocess\.(call|Popen|run)\s*\(\s*\[?\s*["'](\/bin\/)?(ba|z|da)?sh["'][^)]{0,60}stdin\s*=\s*\w+(\.fileno\(\))?\s*,\s*stdout\s*=/s
        $pty = /\.connect\s*\(\s*\(.{0,300}(os\.)?dup2\s*\(.{0,200}pty\.spawn\s*\(\s*["'](\/bin\/)?(ba|z|da)?sh/s
    condition:
        not detection_content and not documentation and filesize < 2MB and any of them
}

rule backdoor_reverse_shell_perl_ruby_php
{
    meta:
        category = "backdoor"
        severity = "critical"
        description = "Perl, Ruby, PHP or awk reverse shell one-liner"
        anchors = "$_perl_socket $_ruby_socket $_fsockopen $_inet_tcp"
    strings:
        $perl = /(use\s+Socket\s*;.{0,400}connect\s*\(|IO::Socket::INET\s*\().{0,300}(open\s*\(\s*STDIN\s*,\s*["']>&|STDIN->fdopen\s*\().{0,300}(exec\s*\(?\s*["'](\/bin\/)?(ba|z|da)?sh|system\s*\(?\s*\$_\s+while\s*<>)/s
        $ruby = /TCPSocket\.(open|new)\s*\(.{0,200}((exec|spawn|system)\s*\(?\s*(sprintf\s*\(\s*)?["'](\/bin\/)?(ba|z|da)?sh\s+-i|while\s*\(?\s*\w+\s*=\s*\w+\.gets.{0,60}(IO\.popen|system|exec|`))/s
        $php = /fsockopen\s*\(.{0,300}(exec|shell_exec|system|passthru|popen|proc_open)\s*\(\s*["'](\/bin\/)?(ba|z|da)?sh\s+(-i\s*)?<&/s
        $php_proc = /fsockopen\s*\(.{0,300}proc_open\s*\(\s*["'](\/bin\/)?(ba|z|da)?sh(\s+-i)?["']\s*,\s*array\s*\(\s*0\s*=>\s*\$\w+/s
        // gawk's network files wired to a command loop
        $awk = /\/inet\/tcp\/0\/[^\/"\s]{1,255}\/[0-9]{1,5}[^\n]{0,300}\|&\s*getline/
        // Anchors only: Perl uses Socket or IO::Socket::INET, Ruby TCPSocket, PHP calls fsockopen,
        // gawk opens /inet/tcp/ ("Socket" alone is in every C library).
        $_perl_socket = /Socket(\s*;|::INET)/
        $_ruby_socket = "TCPSocket"
        $_fsockopen = "fsockopen"
        $_inet_tcp = "/inet/tcp/"
    condition:
        not detection_content and not documentation and filesize < 2MB
        and any of ($perl, $ruby, $php, $php_proc, $awk)
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

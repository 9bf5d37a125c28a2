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
        )
}

rule hacktool_meterpreter
{
    meta:
        category = "hacktool"
        severity = "critical"
        description = "Metasploit Meterpreter payload or extension"
        anchors = "$fs_download $proc_exec $shell $net_config $channel $migrate $loader $session $py_stage*"
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
    condition:
        not detection_content
        and (
            3 of ($fs_download, $proc_exec, $shell, $net_config, $channel, $migrate)
            or ($loader and $metsrv)
            or (exe_magic and $mettle and 2 of ($fs_download, $proc_exec, $shell, $net_config, $channel, $migrate))
            or $session
            or 1 of ($py_stage*)
        )
}

rule hacktool_msf_shellcode
{
    meta:
        category = "hacktool"
        severity = "critical"
        description = "Metasploit/msfvenom shellcode or stager (raw bytes or a byte-array stub)"
    strings:
        // x64 block_api stager start: cld; and rsp,-16; call +N; push r9; push r8; push rdx
        $x64_stager = { FC 48 83 E4 F0 E8 ( C0 | C8 | CC ) 00 00 00 41 51 41 50 52 }
        // x86 block_api stager start: cld; call +0x82/+0x89; pusha; mov ebp,esp
        $x86_stager = { FC E8 ( 82 | 89 | 8F ) 00 00 00 60 89 E5 31 ( C0 | D2 ) }
        // x64 Linux reverse shell: socket(AF_INET, SOCK_STREAM) by push/pop immediates, then syscall
        $lin64_socket = { 6A 29 58 99 6A 02 5F 6A 01 5E 0F 05 }
        // /bin/sh pushed as an immediate for execve in hand-written x64 code
        $lin64_binsh = { 48 B? 2F 62 69 6E 2F 73 68 00 }
        $text_x64 = /0x[fF][cC]\s*,\s*0x48\s*,\s*0x83\s*,\s*0xe4\s*,\s*0xf0\s*,\s*0xe8/ nocase
        $text_x86 = /0x[fF][cC]\s*,\s*0xe8\s*,\s*0x8[29f]\s*,\s*0x00\s*,\s*0x00\s*,\s*0x00\s*,\s*0x60/ nocase
        $esc_x64 = /\\x[fF][cC]\\x48\\x83\\x[eE]4\\x[fF]0\\x[eE]8/
        $esc_x86 = /\\x[fF][cC]\\x[eE]8\\x8[29fF]\\x00\\x00\\x00\\x60/
    condition:
        not detection_content
        and (
            $x64_stager or $x86_stager
            or ($lin64_socket and $lin64_binsh and filesize < 1MB)
            or 1 of ($text_*) or 1 of ($esc_*)
        )
}

rule hacktool_cobaltstrike_beacon
{
    meta:
        category = "hacktool"
        severity = "critical"
        description = "Cobalt Strike beacon, stager or its encoded configuration"
    strings:
        // The settings table starts with BeaconType (1, short), Port (2, short), SleepTime (3, int),
        // each as id/type/length in big endian, XOR-ed with 0x69 (3.x) or 0x2e (4.x).
        $config_69 = { 69 68 69 68 69 6B ?? ?? 69 6B 69 68 69 6B ?? ?? 69 6A 69 6B 69 6D }
        $config_2e = { 2E 2F 2E 2F 2E 2C ?? ?? 2E 2C 2E 2F 2E 2C ?? ?? 2E 2D 2E 2C 2E 2A }
        $s_beacon_dll = "beacon.dll" ascii wide
        $s_beacon_x64 = "beacon.x64.dll" ascii wide
        $s_spawn = "could not spawn %s: %d" ascii
        $s_service = "Started service %s on %s" ascii
        $s_iex = "IEX (New-Object Net.Webclient).DownloadString('http://127.0.0.1:%u/')" ascii
        $s_enc = "powershell -nop -exec bypass -EncodedCommand \"%s\"" ascii
        $s_pipe = "\\\\.\\pipe\\MSSE-%d-server" ascii
        $s_postex = "%s as %s\\%s: %d" ascii
    condition:
        not detection_content
        and (1 of ($config_*) or 3 of ($s_*))
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
        description = "Tunnelling/pivoting tool used after a break-in (chisel, ligolo-ng, revsocks)"
    strings:
        $chisel = "github.com/jpillora/chisel/" ascii
        $ligolo = "github.com/nicocha30/ligolo-ng/" ascii
        $revsocks = "github.com/kost/revsocks" ascii
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

// Cryptocurrency miners: the binaries, their configs and the scripts that start them.

rule miner_xmrig_binary
{
    meta:
        category = "miner"
        severity = "critical"
        description = "XMRig Monero miner executable"
        anchors = "$banner $site $donate_flag $donate_key $donate_host $keys"
    strings:
        $banner = "XMRig/" ascii wide
        $site = "xmrig.com" ascii wide
        $donate_flag = "--donate-level" ascii wide
        $donate_key = "\"donate-level\"" ascii wide
        $donate_host = "donate.v2.xmrig.com" ascii wide
        $keys = "'h' hashrate, 'p' pause, 'r' resume" ascii wide
        $threads = "* THREADS" ascii wide
    condition:
        not detection_content and exe_magic
        and (
            ($banner and 1 of ($donate_flag, $donate_key, $donate_host, $keys))
            or ($site and 2 of ($donate_flag, $donate_key, $keys, $threads))
            or ($donate_host)
            or (($donate_flag or $donate_key) and $keys)
        )
}

rule miner_other_binary
{
    meta:
        category = "miner"
        severity = "critical"
        description = "CPU/GPU miner executable (cpuminer, minerd, xmr-stak, ccminer family)"
        anchors = "$usage_* $url_opt $userpass_opt $algo_opt $stak_name $stak_pool $stak_wallet $stak_nicehash $subscribe $xmr_login"
    strings:
        $usage_minerd = "Usage: minerd [OPTIONS]" ascii
        $usage_cpuminer = "Usage: cpuminer [OPTIONS]" ascii
        $url_opt = "-o, --url=URL" ascii
        $userpass_opt = "-O, --userpass=U:P" ascii
        $algo_opt = "-a, --algo=ALGO" ascii
        $stak_name = "xmr-stak" ascii wide
        $stak_pool = "\"pool_address\"" ascii wide
        $stak_wallet = "\"wallet_address\"" ascii wide
        $stak_nicehash = "\"use_nicehash\"" ascii wide
        $stratum = "stratum+tcp://" ascii wide
        $subscribe = "mining.subscribe" ascii wide
        $authorize = "mining.authorize" ascii wide
        $submit = "mining.submit" ascii wide
        // the Monero stratum dialect (XMRig and its forks): {"method":"login","params":{"login":...
        $xmr_login = /"method"\s*:\s*"(login|keepalived|submit)"\s*,\s*"params"\s*:\s*\{\s*"(login|id)"/
    condition:
        not detection_content and exe_magic
        and (
            (1 of ($usage_*) and 1 of ($url_opt, $userpass_opt, $algo_opt))
            or ($stak_name and 2 of ($stak_pool, $stak_wallet, $stak_nicehash))
            or (2 of ($url_opt, $userpass_opt, $algo_opt) and 1 of ($stratum, $subscribe, $authorize))
            or ($subscribe and $authorize and ($stratum or $submit))
            or $xmr_login
        )
}

rule miner_config_file
{
    meta:
        category = "miner"
        severity = "high"
        description = "Miner configuration (XMRig or xmr-stak pool settings)"
        anchors = "$pools $stak_*"
    strings:
        $pools = /"pools"\s*:\s*\[/
        $donate = /"donate-level"\s*:\s*[0-9]/
        $donate_proxy = /"donate-over-proxy"\s*:/
        $rig_id = /"rig-id"\s*:/
        $nicehash = /"nicehash"\s*:\s*(true|false)/
        $keepalive = /"keepalive"\s*:\s*(true|false)/
        $algo = /"algo"\s*:\s*("(rx|cn|cn-lite|cn-heavy|argon2|ghostrider|kawpow|astrobwt)\/|null)/
        $coin = /"coin"\s*:\s*("monero"|"xmr"|null)/
        $randomx_section = /"randomx"\s*:\s*\{/
        // keys only XMRig's "cpu" section has
        $cpu_keys = /"(max-threads-hint|huge-pages-jit|hw-aes|argon2-impl|astrobwt-max-size|cn-lite\/0|rdmsr|wrmsr)"\s*:/
        // a pool given as bare host:port (or stratum URL) followed by its login
        $pool_entry = /"url"\s*:\s*"(stratum[a-z0-9+]{0,12}:\/\/)?[A-Za-z0-9.\-]{3,100}:[0-9]{2,5}"\s*,\s*"user"\s*:\s*"/
        $stak_pool = /"pool_address"\s*:\s*"/
        $stak_wallet = /"wallet_address"\s*:\s*"/
        $stak_pass = /"pool_password"\s*:\s*"/
    condition:
        not detection_content
        and (
            // also the default config a dropper binary carries
            ($pools and ($donate or $donate_proxy))
            or (
                not exe_magic and filesize < 2MB
                and (
                    (
                        $pools
                        and 2 of ($rig_id, $nicehash, $keepalive, $algo, $coin, $randomx_section, $cpu_keys, $pool_entry)
                        and 1 of ($rig_id, $nicehash, $algo, $coin, $randomx_section, $cpu_keys)
                    )
                    or 2 of ($stak_*)
                )
            )
        )
}

rule miner_stratum_url
{
    meta:
        category = "miner"
        severity = "high"
        description = "Mining pool address in Stratum URL form"
    strings:
        $url = /stratum[12]?\+(tcp|ssl|tls|udp):\/\/[A-Za-z0-9$\{\}_.\-]{3,100}(:[0-9$\{\}A-Za-z_]{1,20})?/ ascii wide
        $tcp_b64 = "stratum+tcp://" base64 base64wide
        $ssl_b64 = "stratum+ssl://" base64 base64wide
        // "stratum+" as hex digits, for `xxd -r -p` and bytes.fromhex()
        $hex = "7374726174756d2b" nocase
    condition:
        not detection_content and any of them
}

rule miner_pool_address
{
    meta:
        category = "miner"
        severity = "high"
        description = "Address of a well-known public mining pool with a port"
    strings:
        $pool = /(supportxmr|nanopool|minexmr|moneroocean|hashvault|c3pool|2miners|herominers|f2pool|antpool|unmineable|minergate|ethermine|nicehash|xmrpool|zergpool|flexpool|hiveon|woolypooly|kryptex|monerohash|dwarfpool|viabtc|prohashing|mining-dutch|crypto-pool|minemonero|bohemianpool|moneropool|xmrfast|xmr-pool|monerod|skypool|fairhash|gntl|xmrpool|pool\.hashvault|sparkpool|poolin|emcd|luckpool|zpool)\.(com|org|net|pro|eu|fr|io|stream|nl|tech|info|cc|me|uk|co\.uk|pl|ca)(\/|:)[0-9]{2,5}\b/ nocase ascii wide
        $blocklist_hosts = /\n(0\.0\.0\.0|127\.0\.0\.1)[ \t]+[a-z0-9.\-]{1,100}\n/
    condition:
        not detection_content and $pool and not $blocklist_hosts
}

rule miner_monero_wallet
{
    meta:
        category = "miner"
        severity = "high"
        description = "Monero wallet address next to miner settings"
        // A wallet address has no literal: its two-byte starts are everywhere, so the costly
        // string is looked for only where a user option already is.
        anchors = "$ctx_user"
        confirm = "$wallet"
    strings:
        $wallet = /\b[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}([1-9A-HJ-NP-Za-km-z]{11})?\b/
        $ctx_user = /(\s-u|--user|"user"\s*:|--wallet|"wallet"\s*:|wallet=|WALLET=)/
        $ctx_pool = /(\s-o\s|--url[= ]|"url"\s*:|stratum|pool\.|--donate-level|xmrig|--coin|--algo|POOL[A-Z0-9_]{0,20}=|pool[0-9]?\s*[:=])/
    condition:
        not detection_content and $wallet and $ctx_user and $ctx_pool
}

rule miner_command_line
{
    meta:
        category = "miner"
        severity = "high"
        description = "Miner started with pool or donation flags"
        anchors = "$donate_zero $_miner_names $_algo_value $coin $cpu_prio $max_cpu $huge $nicehash $donate_b64 $xmrig_b64"
    strings:
        // flag and value may be separate words of a list: "--donate-level", "1"
        $donate_zero = /--donate-level["']?[=,\s]+["']?[0-9]/
        $algo_rx = /(--algo|\s["']?-a|algo|ALGO|algorithm)["']?[=:,\s]+["']?(rx\/0|rx\/wow|randomx|cryptonight|cn\/r|cn\/0|argon2\/chukwa|ghostrider|kawpow)\b/
        $coin = /--coin[= ]+(monero|xmr)\b/ nocase
        $cpu_prio = /--cpu-priority[= ]+[0-9]/
        $max_cpu = /--(cpu-max-threads-hint|max-cpu-usage)["']?[=,\s]+["']?[0-9]/
        $huge = "--randomx-1gb-pages"
        $pool_o = /\s["']?-o["']?[,\s]+["']?(stratum|pool\.|[a-z0-9.\-]{3,80}:[0-9]{2,5}\b)/
        $pool_url = /(--url|\burl)["']?[=:,\s]+["']?(stratum|[a-z0-9.\-]{3,80}:[0-9]{2,5}\b)/
        $miner_exec = /(\.\/|\/|\bnohup\s+|\bexec\s+)(xmrig|xmr-stak|xmr-stak-rx|minerd|cpuminer|cpuminer-multi|ccminer|ethminer|nbminer|lolminer|phoenixminer|teamredminer|nanominer|srbminer|srbminer-multi|wildrig|t-rex|gminer|bminer)([ \t"',]|$|\n|\r)/
        $nicehash = /\s--nicehash\b/
        $donate_b64 = "--donate-level" base64 base64wide
        $xmrig_b64 = "xmrig --" base64 base64wide
        // Anchors only: the names $miner_exec ends with and the values $algo_rx ends with; three
        // of the seven option strings means one of the five listed.
        $_miner_names = /(xmrig|xmr-stak|minerd|cpuminer|ccminer|ethminer|nbminer|lolminer|phoenixminer|teamredminer|nanominer|srbminer|wildrig|t-rex|gminer|bminer)/
        $_algo_value = /(rx\/0|rx\/wow|randomx|cryptonight|cn\/r|cn\/0|argon2\/chukwa|ghostrider|kawpow)/
    condition:
        not exe_magic and not detection_content and filesize < 5MB
        and (
            ($donate_zero and 1 of ($algo_rx, $coin, $pool_o, $pool_url, $cpu_prio, $max_cpu, $huge, $miner_exec, $nicehash))
            or ($miner_exec and 1 of ($pool_o, $pool_url, $algo_rx, $coin))
            // a script that starts a miner by name (its pool in a config file: xmrig -c c.json)
            or ($miner_exec and not documentation)
            or ($algo_rx and 1 of ($coin, $cpu_prio, $max_cpu, $huge, $pool_o, $pool_url, $nicehash))
            or 3 of ($coin, $cpu_prio, $max_cpu, $huge, $pool_o, $pool_url, $nicehash)
            or $donate_b64
            or $xmrig_b64
        )
}

rule miner_browser_script
{
    meta:
        category = "miner"
        severity = "high"
        description = "In-browser JavaScript miner (CoinHive-style) started in a page or script"
        anchors = "$_miner_object $script"
    strings:
        $start = /new\s+(CoinHive|CRLT|deepMiner|CoinImp|Client)\.(Anonymous|User|Token)\s*\(\s*['"][A-Za-z0-9]{16,}['"]/
        $script = /<script[^>]{0,80}src\s*=\s*["'][^"']{0,120}(coinhive\.min\.js|authedmine\.min\.js|cryptoloot\.pro|webmine\.pro|coinimp\.com|minero\.cc)/ nocase
        $throttle = /\.(setThrottle|start)\s*\(/
        // Anchor only: the object $start creates.
        $_miner_object = /(CoinHive|CRLT|deepMiner|CoinImp|Client)\.(Anonymous|User|Token)\s*\(/
    condition:
        not detection_content and ($start and $throttle or $script)
}

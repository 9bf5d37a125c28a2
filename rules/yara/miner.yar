// Cryptocurrency miners: the binaries, their configs and the scripts that start them.

rule miner_xmrig_binary
{
    meta:
        category = "miner"
        severity = "critical"
        description = "XMRig Monero miner executable"
        anchors = "$banner $site $donate_flag $donate_key $donate_host $keys $log_new_job"
    strings:
        $banner = "XMRig/" ascii wide
        $site = "xmrig.com" ascii wide
        $donate_flag = "--donate-level" ascii wide
        $donate_key = "\"donate-level\"" ascii wide
        $donate_host = "donate.v2.xmrig.com" ascii wide
        $keys = "'h' hashrate, 'p' pause, 'r' resume" ascii wide
        $threads = "* THREADS" ascii wide
        // the log lines of XMRig and its forks (which drop the banner and the donate code)
        $log_new_job = /new job(\x1b\[[0-9;]{1,8}m)? from (\x1b\[[0-9;]{1,8}m)?%s:%d/ ascii wide
        $log_use_pool = "use pool " ascii wide
        $log_accepted = "accepted (" ascii wide
        $randomx = "randomx" ascii wide
        $hp_jit = "huge-pages-jit" ascii wide
        $rx0 = "rx/0" ascii wide
        // options a dropper passes to the XMRig it carries (with --donate-level)
        $opt_cpu_prio = "--cpu-priority" ascii wide
        $opt_threads_hint = "--cpu-max-threads-hint" ascii wide
        $opt_1gb = "--randomx-1gb-pages" ascii wide
    condition:
        not detection_content and exe_magic
        and (
            ($banner and 1 of ($donate_flag, $donate_key, $donate_host, $keys))
            or ($site and 2 of ($donate_flag, $donate_key, $keys, $threads))
            or ($donate_host)
            or (($donate_flag or $donate_key) and $keys)
            or ($log_new_job and 1 of ($log_use_pool, $log_accepted) and 1 of ($banner, $randomx, $hp_jit, $rx0))
            or ($donate_flag and 1 of ($opt_cpu_prio, $opt_threads_hint, $opt_1gb))
        )
}

rule miner_other_binary
{
    meta:
        category = "miner"
        severity = "critical"
        description = "CPU/GPU miner executable (cpuminer, minerd, ccminer, xmr-stak, SRBMiner, lolMiner, T-Rex, PhoenixMiner, GMiner, ethminer)"
        anchors = "$usage_* $url_opt $userpass_opt $algo_opt $stak_name $stak_pool $stak_wallet $stak_nicehash $subscribe $xmr_login $gpu_* $eth_login"
    strings:
        $usage_minerd = "Usage: minerd [OPTIONS]" ascii
        $usage_cpuminer = "Usage: cpuminer [OPTIONS]" ascii
        $usage_ccminer = "Usage: ccminer [OPTIONS]" ascii
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
        $notify = "mining.notify" ascii wide
        $set_difficulty = "mining.set_difficulty" ascii wide
        // GPU miners' banners, each with the option or log strings of a miner beside it
        $gpu_srb = "SRBMiner-MULTI" ascii wide
        $gpu_lol = "lolMiner" ascii wide
        $gpu_trex = "T-Rex NVIDIA GPU miner" ascii wide
        $gpu_phoenix = "PhoenixMiner" ascii wide
        $gpu_gminer = "GMiner" fullword ascii wide
        $gpu_nbminer = "NBMiner" fullword ascii wide
        $gpu_trm = "teamredminer" ascii wide
        $eth_login = "eth_submitLogin" ascii wide
        $ctx_pool = /(--pool|[\x00\s]-e?pool|--server|--url)\b/
        $ctx_wallet = /(--wallet|[\x00\s]-e?wal|--user)\b/
        $ctx_algo = /\b(ETHASH|ETCHASH|ethash|etchash|kawpow|KAWPOW|octopus|autolykos2|kheavyhash|randomx|ghostrider|equihash|beamhash|cuckatoo32|firopow|zelhash)\b/
        $ctx_log = /(Average speed \(|Started Mining on GPU|New job #|stratum[12s]?\+(tcp|ssl|tls)s?:\/\/|Share accepted|GPU miner)/
        $ctx_stratum12 = /stratum[12]\+tcp/
    condition:
        not detection_content and exe_magic
        and (
            (1 of ($usage_*) and 1 of ($url_opt, $userpass_opt, $algo_opt))
            or ($stak_name and 2 of ($stak_pool, $stak_wallet, $stak_nicehash))
            or (2 of ($url_opt, $userpass_opt, $algo_opt) and 1 of ($stratum, $subscribe, $authorize))
            or ($subscribe and $authorize and ($stratum or $submit))
            or ($subscribe and $submit and ($notify or $set_difficulty))
            or $xmr_login
            or (1 of ($gpu_*) and 2 of ($ctx_pool, $ctx_wallet, $ctx_algo, $ctx_log, $stratum))
            or ($eth_login and 1 of ($ctx_stratum12, $notify, $stratum))
        )
}

rule miner_config_file
{
    meta:
        category = "miner"
        severity = "high"
        description = "Miner configuration (XMRig, SRBMiner, lolMiner or xmr-stak pool settings, in JSON, YAML or TOML)"
        anchors = "$pools $stak_* $lol_pools $_donate_key $toml_pools $ini_pool"
    strings:
        // `\"` too: the JSON an `echo "{\"pools\":...}" > c.json` writes
        $pools = /\\?"pools\\?"\s*:\s*\[/
        $donate = /\\?"donate-level\\?"\s*:\s*[0-9]/
        $donate_proxy = /"donate-over-proxy"\s*:/
        $rig_id = /"rig-id"\s*:/
        $nicehash = /"nicehash"\s*:\s*(true|false)/
        $keepalive = /"keepalive"\s*:\s*(true|false)/
        $autosave = /"autosave"\s*:\s*(true|false)/
        $daemon = /"daemon"\s*:\s*(true|false)/
        $algo = /"algo"\s*:\s*("(rx|cn|cn-lite|cn-heavy|argon2|ghostrider|kawpow|astrobwt)\/|null)/
        $coin = /"coin"\s*:\s*("monero"|"xmr"|null)/
        $randomx_section = /"randomx"\s*:\s*\{/
        // keys only XMRig's "cpu" section has
        $cpu_keys = /"(max-threads-hint|huge-pages-jit|hw-aes|argon2-impl|astrobwt-max-size|cn-lite\/0|rdmsr|wrmsr|huge-pages)"\s*:\s*[^\s"]/
        // a pool given as bare host:port (or stratum URL) with its login, in either order
        $pool_entry = /\\?"url\\?"\s*:\s*\\?"(stratum[a-z0-9+]{0,12}:\/\/)?[A-Za-z0-9.\-]{3,100}:[0-9]{2,5}\\?"\s*,\s*\\?"user\\?"\s*:\s*\\?"/
        $pool_entry_rev = /"user"\s*:\s*"[^"\n]{1,200}"\s*,\s*("pass"\s*:\s*"[^"\n]{0,100}"\s*,\s*)?"url"\s*:\s*"(stratum[a-z0-9+]{0,12}:\/\/)?[A-Za-z0-9.\-]{3,100}:[0-9]{2,5}"/
        // a login that is a wallet (ETH, BTC bech32, RVN, Zephyr, Dero, Monero)
        $user_wallet = /"(user|wallet|User|Wallet|USER)"\s*:\s*"([A-Z0-9]{2,6}:)?(0x[0-9a-fA-F]{40}|bc1[02-9ac-hj-np-z]{38,58}|R[1-9A-HJ-NP-Za-km-z]{33}|ZEPH[1-9A-HJ-NP-Za-km-z]{90,100}|dero1[02-9ac-hj-np-z]{50,70}|[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93})/
        // SRBMiner: {"pools":[{"pool":"host:port","wallet":...
        $srb_entry = /"pool"\s*:\s*"(stratum[a-z0-9+]{0,12}:\/\/|ssl:\/\/|tcp:\/\/)?[A-Za-z0-9.\-]{3,100}:[0-9]{2,5}"\s*,\s*"wallet"\s*:\s*"/
        // lolMiner: {"ETH":{"POOLS":[{"POOL":...,"PORT":...,"USER":...
        $lol_pools = /"POOLS"\s*:\s*\[\s*\{\s*"POOL"\s*:/
        $lol_user = /"USER"\s*:\s*"/
        // YAML: `donate-level: 0` beside `pools:` or a `url: host:port`
        $donate_yaml = /(^|\n|[{,][ \t]*)donate-level[ \t]*:[ \t]*[0-9]/
        $yaml_pools = /(^|\n)pools:[ \t]*(\[|\r?\n[ \t]*-[ \t])/
        $yaml_url = /\burl:[ \t]*["']?(stratum[a-z0-9+]{0,12}:\/\/|ssl:\/\/|tcp:\/\/)?[A-Za-z0-9.\-]{3,100}:[0-9]{2,5}/
        // TOML: [[pools]] url = "host:port", with a coin or algo or a wallet as its user
        $toml_pools = "[[pools]]"
        $toml_url = /\nurl[ \t]*=[ \t]*["'](stratum[a-z0-9+]{0,12}:\/\/|ssl:\/\/|tcp:\/\/)?[A-Za-z0-9.\-]{3,100}:[0-9]{2,5}["']/
        $toml_coin = /\n(coin|algo)[ \t]*=[ \t]*["']/
        $toml_user_wallet = /\nuser[ \t]*=[ \t]*["']([A-Z0-9]{2,6}:)?(0x[0-9a-fA-F]{40}|bc1[02-9ac-hj-np-z]{38,58}|R[1-9A-HJ-NP-Za-km-z]{33}|ZEPH[1-9A-HJ-NP-Za-km-z]{90,100}|dero1[02-9ac-hj-np-z]{50,70}|[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93})/
        // INI (nanominer): wallet=<wallet> and pool1=host:port
        $ini_pool = /\npool[0-9][ \t]*=[ \t]*(stratum[a-z0-9+]{0,12}:\/\/|ssl:\/\/|tcp:\/\/)?[A-Za-z0-9.\-]{3,100}:[0-9]{2,5}/
        $ini_wallet = /(^|\n)wallet[ \t]*=[ \t]*(0x[0-9a-fA-F]{40}|bc1[02-9ac-hj-np-z]{38,58}|R[1-9A-HJ-NP-Za-km-z]{33}|ZEPH[1-9A-HJ-NP-Za-km-z]{90,100}|dero1[02-9ac-hj-np-z]{50,70}|[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93})/
        $stak_pool = /"pool_address"\s*:\s*"/
        $stak_wallet = /"wallet_address"\s*:\s*"/
        $stak_pass = /"pool_password"\s*:\s*"/
        // Anchor only: every match of $donate_yaml holds it.
        $_donate_key = "donate-level"
    condition:
        not detection_content
        and (
            // also the default config a dropper binary carries
            ($pools and ($donate or $donate_proxy))
            or (
                not exe_magic
                and (
                    (
                        $pools
                        and 2 of ($rig_id, $nicehash, $keepalive, $algo, $coin, $randomx_section, $cpu_keys, $pool_entry, $pool_entry_rev, $autosave, $daemon)
                        and 1 of ($rig_id, $nicehash, $algo, $coin, $randomx_section, $cpu_keys)
                    )
                    or ($pools and 1 of ($pool_entry, $pool_entry_rev) and $user_wallet)
                    or ($pools and $srb_entry)
                    or ($lol_pools and $lol_user)
                    or ($donate_yaml and 1 of ($yaml_pools, $yaml_url))
                    or ($toml_pools and $toml_url and 1 of ($toml_coin, $toml_user_wallet))
                    or ($ini_pool and $ini_wallet)
                    or 2 of ($stak_pool, $stak_wallet, $stak_pass)
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
        $url = /stratum[12]?\+(tcp|ssl|tls|udp)s?:\/\/[A-Za-z0-9$\{\}_.\-]{3,100}(:[0-9$\{\}A-Za-z_]{1,20})?/ ascii wide
        $url_upper = /STRATUM[12]?\+(TCP|SSL|TLS)S?:\/\/[A-Za-z0-9$\{\}_.\-]{3,100}/
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
        anchors = "$pool"
    strings:
        $pool = /(supportxmr|nanopool|minexmr|moneroocean|hashvault|c3pool|2miners|herominers|f2pool|antpool|unmineable|minergate|ethermine|nicehash|xmrpool|zergpool|flexpool|hiveon|woolypooly|kryptex|monerohash|dwarfpool|viabtc|prohashing|mining-dutch|crypto-pool|minemonero|bohemianpool|moneropool|xmrfast|xmr-pool|monerod|skypool|fairhash|gntl|pool\.hashvault|sparkpool|poolin|emcd|luckpool|zpool|rplant|miningpoolhub|suprnova|k1pool|solopool|mining4people|ezil|baikalmine|acc-pool|zeropool|ravenminer|mintpond|miningocean|p2pool|hashcity|fairpool|pool-pay|moneroworld|xmrpool|minexmr2|kryptex|hellominer|rabidmining|icemining|aikapool|pool\.kryptex|comining|gteh|xmrvsbeast|nanopool)\.(com|org|net|network|pro|eu|fr|io|stream|nl|tech|info|cc|me|uk|co\.uk|pl|ca|xyz|club|top|vip|online|site|ru|de|cn|su|biz|world|one|ws|to|sh|ch|hk|us|in|space|fun|live|ovh|host|cloud|money|cash|mine|gg)(\/|:)[0-9]{2,5}\b/ nocase ascii wide
        // Blocklists (unbound local-zone, adblock rules) that name pools with their ports.
        $listed = /(local-zone:[ \t]*"|\n\|\||\n\*:\/\/\*\.|address=\/)[a-z0-9.\-]{0,100}(\/|:)[0-9]{2,5}/ nocase
    condition:
        not detection_content and $pool and not (#listed >= #pool)
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
        // a pool as miners take it (host:port after -o, --url, url, pool1=...), not a bare
        // "pool." of prose ("a connection pool.") nor `-o dist` of a build script
        $ctx_pool = /(\s-o[ \t]+["']?(stratum[a-z0-9+]{0,12}:\/\/|ssl:\/\/|tcp:\/\/|https?:\/\/)?[A-Za-z0-9.\-]{3,100}:[0-9]{2,5}\b|--url[= ]+["']?(stratum[a-z0-9+]{0,12}:\/\/|ssl:\/\/|tcp:\/\/|https?:\/\/)?[A-Za-z0-9.\-]{3,100}:[0-9]{2,5}\b|"url"\s*:\s*"(stratum[a-z0-9+]{0,12}:\/\/|ssl:\/\/|tcp:\/\/|https?:\/\/)?[A-Za-z0-9.\-]{3,100}:[0-9]{2,5}\b|stratum[12]?\+|--donate-level|xmrig|--coin|--algo|POOL[A-Z0-9_]{0,20}=|pool[0-9]?[ \t]*[:=][ \t]*["']?(stratum[a-z0-9+]{0,12}:\/\/|ssl:\/\/|tcp:\/\/|https?:\/\/)?[A-Za-z0-9.\-]{3,100}:[0-9]{2,5}\b)/
    condition:
        not detection_content and not documentation and $wallet and $ctx_user and $ctx_pool
}

rule miner_pool_wallet_settings
{
    meta:
        category = "miner"
        severity = "high"
        description = "Miner settings: a well-known public Monero mining pool and a Monero wallet in one small file"
        // The wallet is looked for only where a pool's name already is (see miner_monero_wallet).
        anchors = "$pool"
        confirm = "$wallet"
    strings:
        // the pool's host, with or without its port (a port may be a field of its own)
        $pool = /(supportxmr|moneroocean|minexmr|hashvault|c3pool|nanopool|herominers|2miners|unmineable|kryptex|xmrpool|monerohash|xmrfast|skypool|gntl|xmrvsbeast)\.(com|org|net|network|pro|eu|stream|io|uk|co\.uk|xyz|fr)\b/
        $wallet = /\b[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}([1-9A-HJ-NP-Za-km-z]{11})?\b/
    condition:
        not exe_magic and not detection_content and not documentation
        and filesize < 64KB and $pool and $wallet
}

rule miner_wallet_dropper
{
    meta:
        category = "miner"
        severity = "critical"
        description = "Executable holding a Monero wallet beside a miner's pool option (--url, -o): the command line of the miner it drops"
        // Both strings are C strings next to each other: option, at most two strings (the pool,
        // "-u"), wallet, in either order. They hold the option with its NUL, which text lacks.
        anchors = "$_url $_o"
        confirm = "$opt_wallet $wallet_opt"
    strings:
        $opt_wallet = /(--url|\x00-o)\x00([\x01-\x7f]{1,100}\x00){0,2}[48][0-9AB]([1-9A-HJ-NP-Za-km-z]{93}|[1-9A-HJ-NP-Za-km-z]{104})([.+\/:][\x21-\x7e]{1,40})?\x00/
        $wallet_opt = /\x00[48][0-9AB]([1-9A-HJ-NP-Za-km-z]{93}|[1-9A-HJ-NP-Za-km-z]{104})([.+\/:][\x21-\x7e]{1,40})?\x00([\x01-\x7f]{1,100}\x00){0,2}(--url|-o)\x00/
        // (the integrated address as an alternative: an optional group after the {93} is not found
        // when YARA-X matches backwards from the option)
        // Anchors only: what every match of the two holds.
        $_url = "--url\x00"
        $_o = "\x00-o\x00"
    condition:
        exe_magic and not detection_content and ($opt_wallet or $wallet_opt)
}

rule miner_pool_login
{
    meta:
        category = "miner"
        severity = "high"
        description = "Miner command line: a pool host:port with a login, and a miner option or a wallet beside it"
        // Every login string holds a user option; they are looked for only where one is.
        anchors = "$_user_opt"
        confirm = "$login_*"
    strings:
        // -o host:port ... -u X (XMRig, cpuminer, ccminer, T-Rex, NBMiner); words or list items
        $login_o = /[\s,\[("']-o["']?[\s,=]+["']?(stratum[a-z0-9+]{0,12}:\/\/|ssl:\/\/|tcp:\/\/|https?:\/\/)?[A-Za-z0-9.\-]{3,100}:[0-9]{2,5}\b["']?[^\n]{0,300}[\s,("']-u["']?[\s,=]/
        // --url/--pool/--server host:port (or --server host --port N) ... --user/--wallet/-u X
        $login_long = /--(url|pool|server|daemon-rpc-address)["']?[\s,=]+["']?((stratum[a-z0-9+]{0,12}:\/\/|ssl:\/\/|tcp:\/\/|https?:\/\/)?[A-Za-z0-9.\-]{3,100}:[0-9]{2,5}\b|[A-Za-z0-9.\-]{3,100}["']?[\s,]+["']?--port["']?[\s,=]+["']?[0-9]{2,5}\b)[^\n]{0,300}(--user|--wallet|--wallet-address|[\s,("']-u)["']?[\s,=]/
        // PhoenixMiner: -pool ssl://host:port -wal X
        $login_pool1 = /[\s,("']-e?pool["']?[\s,]+["']?(stratum[a-z0-9+]{0,12}:\/\/|ssl:\/\/|tcp:\/\/|https?:\/\/)?[A-Za-z0-9.\-]{3,100}:[0-9]{2,5}\b["']?[^\n]{0,300}[\s,("']-e?wal["']?[\s,]/
        // the same as the items of a YAML list (Kubernetes args: - --url / - host:port / - --user)
        $login_yaml = /-[ \t]+["']?(--url|--pool|-o)["']?[ \t]*\r?\n[ \t]*-[ \t]+["']?(stratum[a-z0-9+]{0,12}:\/\/|ssl:\/\/|tcp:\/\/)?[A-Za-z0-9.\-]{3,100}:[0-9]{2,5}["']?[ \t]*\r?\n([ \t]*-[ \t]+[^\n]{1,200}\r?\n){0,6}[ \t]*-[ \t]+["']?(--user|-u|--wallet)["']?[ \t]*\r?\n/
        // what only a miner's command line has beside it
        $algo = /(--algo|--algorithm|[\s,("']-a|[\s,("']-algo)["']?[\s,=]+["']?(rx\/[0-9a-z]+|randomx|cryptonight|cn\/[0-9a-z]+|argon2\/[a-z]+|ghostrider|ethash|etchash|kawpow|octopus|autolykos2?|kheavyhash|yespower[a-z0-9]*|lyra2[a-z0-9]*|equihash[0-9_]*|zelhash|beamhash[a-z0-9]*|cuckatoo[0-9]+|firopow|progpow[a-z]*|x16r[tv]?|x25x|verushash|astrobwt|neoscrypt|allium|heavyhash|karlsenhash|pyrinhash|nexapow|fishhash|dynexsolve|xelishash)\b/ nocase
        $coin = /(--coin|[\s,("']-coin)["']?[\s,=]+(-[ \t]+)?["']?[A-Za-z]{2,12}\b/
        $keepalive = /([\s,("']-k["']?([\s,)\]]|$)|--keepalive\b)/
        $tls = /--tls\b/
        $pass = /[\s,("']-p["']?[\s,=]+["']?[^\s"',-][^\s"',]{0,63}/
        $donate = "--donate-level"
        $user_wallet = /(-u|--user|-e?wal|--wallet|--wallet-address)["']?[\s,=]+(-[ \t]+)?["']?([A-Z0-9]{2,6}:)?(0x[0-9a-fA-F]{40}|bc1[02-9ac-hj-np-z]{38,58}|[13][1-9A-HJ-NP-Za-km-z]{25,34}|R[1-9A-HJ-NP-Za-km-z]{33}|ZEPH[1-9A-HJ-NP-Za-km-z]{90,100}|dero1[02-9ac-hj-np-z]{50,70}|[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93})\b/
        // Anchor only: the user option every $login_* ends with.
        $_user_opt = /(-u["']?[\s,=]|--user|--wallet|-e?wal["']?[\s,])/
    condition:
        not exe_magic and not detection_content and not documentation
        and (
            ($login_o and 1 of ($algo, $coin, $keepalive, $tls, $pass, $donate, $user_wallet))
            or (1 of ($login_long, $login_pool1, $login_yaml) and 1 of ($algo, $coin, $donate, $user_wallet))
        )
}

rule miner_stratum_client
{
    meta:
        category = "miner"
        severity = "high"
        description = "Script speaking the Stratum mining protocol (subscribe and authorize or submit, or the XMRig login)"
        anchors = "$_subscribe $xmr_login"
    strings:
        $subscribe = /["']method["']\s*:\s*["']mining\.subscribe["']/
        $authorize = "mining.authorize"
        $submit = "mining.submit"
        // the Monero stratum dialect: {"method":"login","params":{"login":...
        $xmr_login = /"method"\s*:\s*"login"\s*,\s*"params"\s*:\s*\{\s*"login"\s*:/
        // Anchor only: every match of $subscribe holds it.
        $_subscribe = "mining.subscribe"
    condition:
        not exe_magic and not detection_content and not documentation
        and (($subscribe and 1 of ($authorize, $submit)) or $xmr_login)
}

rule miner_host_preparation
{
    meta:
        category = "miner"
        severity = "high"
        description = "Cryptojacking host preparation: MSR/huge-page tuning for RandomX, or killing rival miners"
        anchors = "$wrmsr $_rival"
    strings:
        // the RandomX "MSR mod": prefetchers off through MSR 0x1a4 (Intel) or 0xc00110xx (AMD)
        $wrmsr = /wrmsr[ \t]+(-a[ \t]+|-p[ \t]*[0-9]+[ \t]+)?(0x1a4|0x1A4|0xc001102[0-9a-b]|0xC001102[0-9A-B])\b/
        $hugepages = /(vm\.nr_hugepages[ \t]*=|\/proc\/sys\/vm\/nr_hugepages)/
        $modprobe_msr = /modprobe[ \t]+msr\b/
        // a kill by a rival miner's name, or a process list filtered on one and piped to kill
        $kill_name = /\b(pkill|killall)([ \t]+-[A-Za-z0-9]+)*[ \t]+["']?[^\s"';|&]{0,40}(xmrig|kdevtmpfsi|kinsing|minerd|cpuminer|xmr-stak|cryptonight|stratum|ccminer|watchbog)/
        $grep_kill = /grep[^\n|]{0,60}(xmrig|kdevtmpfsi|kinsing|minerd|cpuminer|xmr-stak|cryptonight|stratum|ccminer|watchbog)[^\n]{0,200}(kill[ \t]+-9|kill[ \t]+-KILL|xargs[ \t]+kill)/
        // Anchor only: what every match of the kills holds.
        $_rival = /(xmrig|kdevtmpfsi|kinsing|minerd|cpuminer|xmr-stak|cryptonight|stratum|ccminer|watchbog)/
    condition:
        not exe_magic and not detection_content and not documentation
        and (
            ($wrmsr and 1 of ($hugepages, $modprobe_msr))
            or (#kill_name + #grep_kill) >= 2
            or (1 of ($kill_name, $grep_kill) and ($wrmsr or ($hugepages and $modprobe_msr)))
        )
}

rule miner_command_line
{
    meta:
        category = "miner"
        severity = "high"
        description = "Miner started with pool or donation flags"
        anchors = "$donate_zero $_miner_names $_miner_names_mixed $_algo_value $coin $cpu_prio $max_cpu $huge $_huge_jit $nicehash $donate_b64 $xmrig_b64"
    strings:
        // flag and value may be separate words of a list: "--donate-level", "1"
        $donate_zero = /--donate-level["']?[=,\s]+["']?[0-9]/
        $algo_rx = /(--algo|[\s,\[(]["']?-a|algo|ALGO|algorithm)["']?[=:,\s]+["']?(rx\/0|rx\/wow|randomx|cryptonight|cn\/r|cn\/0|argon2\/chukwa|ghostrider|kawpow)\b/
        $coin = /--coin["']?[=,\s]+["']?(monero|xmr)\b/ nocase
        $cpu_prio = /--cpu-priority["']?[=,\s]+["']?[0-9]/
        $max_cpu = /--(cpu-max-threads-hint|max-cpu-usage)["']?[=,\s]+["']?[0-9]/
        $huge = "--randomx-1gb-pages"
        $_huge_jit = "--huge-pages-jit"
        // an option only XMRig has, on a line that is not a comment (`# --donate-level 5 ...`)
        $xmrig_line = /(^|\n)[ \t]*([^#*\/ \t\n]|\/[^\/*\n])[^#\n]{0,300}(--donate-level["']?[=,\s]+["']?[0-9]|--randomx-1gb-pages|--huge-pages-jit|--cpu-max-threads-hint["']?[=,\s]+["']?[0-9])/
        $pool_o = /[\s,\[(]["']?-o["']?[,\s]+["']?(stratum|pool\.|[a-z0-9.\-]{3,80}:[0-9]{2,5}\b)/
        $pool_url = /(--url|\burl)["']?[=:,\s]+["']?(stratum|[a-z0-9.\-]{3,80}:[0-9]{2,5}\b)/
        $miner_exec = /(\.\/|\/|\bnohup\s+|\bexec\s+|\bsetsid\s+|-dmS\s+[^\s]{1,40}\s+|\btmux\s+new(-session)?[^\n]{0,60}["'])(xmrig|xmr-stak|xmr-stak-rx|minerd|cpuminer|cpuminer-multi|ccminer|ethminer|nbminer|lolminer|phoenixminer|teamredminer|nanominer|srbminer|srbminer-multi|wildrig|t-rex|gminer|bminer)([ \t"',]|$|\n|\r)/ nocase
        $nicehash = /\s--nicehash\b/
        $donate_b64 = "--donate-level" base64 base64wide
        $xmrig_b64 = "xmrig --" base64 base64wide
        // Anchors only: the names $miner_exec ends with and the values $algo_rx ends with; three
        // of the seven option strings means one of the five listed. $xmrig_line holds $donate_zero,
        // $huge, $_huge_jit or $max_cpu; $miner_exec (nocase) ends with one of the two name lists.
        $_miner_names = /(xmrig|xmr-stak|minerd|cpuminer|ccminer|ethminer|nbminer|lolminer|phoenixminer|teamredminer|nanominer|srbminer|wildrig|t-rex|gminer|bminer)/
        $_miner_names_mixed = /(lolMiner|PhoenixMiner|SRBMiner|T-Rex|GMiner|NBMiner|TeamRedMiner|WildRig|XMRig)/
        $_algo_value = /(rx\/0|rx\/wow|randomx|cryptonight|cn\/r|cn\/0|argon2\/chukwa|ghostrider|kawpow)/
    condition:
        not exe_magic and not detection_content
        and (
            ($donate_zero and 1 of ($algo_rx, $coin, $pool_o, $pool_url, $cpu_prio, $max_cpu, $huge, $miner_exec, $nicehash))
            or ($miner_exec and 1 of ($pool_o, $pool_url, $algo_rx, $coin))
            // a script that starts a miner by name (its pool in a config file: xmrig -c c.json)
            or (($miner_exec or $xmrig_line) and not documentation)
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
        description = "In-browser JavaScript miner (CoinHive-style, webmr.js, CryptoNight WebAssembly) started in a page or script"
        anchors = "$_miner_object $script $_start_mining $_asset"
    strings:
        // CoinHive, Crypto-Loot, CoinImp and their kind: a client object made with a site key
        $start = /new\s+((CoinHive|CRLT|deepMiner|CoinImp|Client)\.(Anonymous|User|Token)|[A-Za-z_$][A-Za-z0-9_$]{0,30}\.Anonymous)\s*\(\s*['"][A-Za-z0-9]{16,}['"]/
        $script = /<script[^>]{0,80}src\s*=\s*["'][^"']{0,120}(coinhive\.min\.js|authedmine\.min\.js|cryptoloot\.pro|webmine\.pro|coinimp\.com|minero\.cc)/ nocase
        $throttle = /\.(setThrottle|start)\s*\(/
        // webmr.js and its kind: startMining(pool, login, ...) with a known pool or a wallet
        $start_mining_pool = /startMining\s*\(\s*["'](wss?:\/\/)?([A-Za-z0-9\-]{1,40}\.){0,3}(supportxmr|moneroocean|minexmr|hashvault|c3pool|nanopool|herominers|2miners|unmineable|kryptex|xmrpool|monerohash|xmrfast|skypool|p2pool|gntl|xmrvsbeast)\.[a-z]{2,8}/
        $start_mining_wallet = /startMining\s*\(\s*[^)\n]{0,200}["']([48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}|0x[0-9a-fA-F]{40}|ZEPH[1-9A-HJ-NP-Za-km-z]{90,100})/
        $start_mining_call = /startMining\s*\(/
        // a miner's script or WebAssembly module, loaded by the page
        $asset = /(cryptonight[a-z0-9.\-]{0,12}\.wasm|[\/"'=]cn\.wasm|webmr[a-z0-9_.\-]{0,16}\.(js|wasm)|webminer[a-z0-9_.\-]{0,20}\.(js|wasm))/
        // ...started with a pool or a wallet: new Miner({pool: "...", wallet: "..."})
        $pool_wallet_key = /[{,]\s*["']?(pool|wallet|walletAddress|poolUrl|poolAddress)["']?\s*:\s*["'][^"'\n]{3,200}["']/
        // Anchors only: $start holds $_miner_object, every startMining string holds
        // $_start_mining, and $asset holds $_asset.
        $_miner_object = /((CoinHive|CRLT|deepMiner|CoinImp|Client)\.(User|Token)|\.Anonymous)\s*\(/
        $_start_mining = "startMining"
        $_asset = /(cryptonight|cn\.wasm|webmr|webminer)/
    condition:
        not detection_content
        // prose (README.md, notes.txt) quoting a snippet; a served page (.html) is not prose here
        and not (documentation and not filename matches /\.(html?|xhtml)$/)
        and (
            ($start and $throttle)
            or $script
            or $start_mining_pool
            or $start_mining_wallet
            or ($start_mining_call and $asset)
            or ($asset and $pool_wallet_key)
        )
}

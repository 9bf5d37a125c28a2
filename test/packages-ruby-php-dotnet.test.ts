/**
 * Ruby, PHP and .NET catalogers. Ground truth for Ruby: every gemspec in this machine's RubyGems
 * directories (Debian's ruby package: /usr/lib/ruby/gems/*, /usr/share/rubygems-integration),
 * packed into an image at their real paths, against what RubyGems itself loads from each file
 * (`Gem::Specification.load`) and lists (`gem list --local`). PHP and .NET: small realistic
 * samples, including malformed ones.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dotnetDepsAnalyzer } from '../src/analyze/packages/dotnet/deps-json.js';
import { langCatalogers } from '../src/analyze/packages/lang-catalogers.js';
import { composerInstalledAnalyzer } from '../src/analyze/packages/php/composer-installed.js';
import { parseGemspecText } from '../src/analyze/packages/ruby/gemspec.js';
import { isInstalledGemspec, rubyGemspecAnalyzer } from '../src/analyze/packages/ruby/installed.js';
import type { PackageFact } from '../src/analyze/packages/types.js';
import { openSource } from '../src/image/target.js';
import { analyzeImage } from '../src/scan/analyze-image.js';
import { buildImage, type FileSpec } from './fixtures/builder.js';
import { writeOciLayout } from './fixtures/layouts.js';
import { fuzzAnalyzer, runAnalyzer } from './support/catalog-harness.js';
import { dirLayerFiles } from './support/dir-layer.js';
import { tempDir } from './support/tmp.js';

const hasRuby = existsSync('/usr/bin/ruby') && existsSync('/usr/bin/gem');

async function scan(files: FileSpec[]) {
  const dir = tempDir();
  await writeOciLayout(join(dir, 'oci'), [{ ref: 'x', image: buildImage({ layers: [{ files }] }) }]);
  const r = await analyzeImage(openSource(`oci:${join(dir, 'oci')}:x`), {
    analyzers: langCatalogers,
    cache: null,
  });
  const layer = r.facts.layers[0]!;
  return { layer, packages: Object.values(layer.facts).flat() as PackageFact[] };
}

// ---------------------------------------------------------------------------------------------
// Ruby

/** RubyGems' own reading of every gemspec in its directories: [path, name, version, licenses, platform]. */
function rubygemsView(): [string, string, string, string[], string][] {
  const script = `
require 'json'
out = []
Gem::Specification.dirs.each do |d|
  next unless File.directory?(d)
  (Dir.glob(File.join(d, '*.gemspec')) + Dir.glob(File.join(d, 'default', '*.gemspec'))).each do |f|
    s = Gem::Specification.load(f)
    out << [f, s.name, s.version.to_s, s.licenses, s.platform.to_s] if s
  end
end
puts JSON.generate(out)
`;
  return JSON.parse(execFileSync('ruby', ['-e', script], { encoding: 'utf8' })) as [
    string,
    string,
    string,
    string[],
    string,
  ][];
}

test(
  'ruby: every gemspec of this machine, against RubyGems',
  { skip: !hasRuby, timeout: 120_000 },
  async (t) => {
    const expected = rubygemsView();
    const dirs = [
      ...new Set(
        expected.map(([f]) => f.slice(0, f.lastIndexOf('/specifications/') + '/specifications'.length)),
      ),
    ];
    const files: FileSpec[] = [];
    for (const d of dirs) files.push(...dirLayerFiles(d, { prefix: d.slice(1) }));
    const { layer } = await scan(files);
    assert.deepEqual(layer.warnings, []);
    const gems = layer.facts['ruby-gemspec'] as PackageFact[];
    const view = (p: PackageFact) =>
      JSON.stringify([p.path, p.name, p.version, p.licenses ?? [], String(p.metadata?.platform ?? 'ruby')]);
    assert.ok(expected.length > 50, `${expected.length} gemspecs`);
    assert.deepEqual(
      gems.map(view).sort(),
      expected
        .map(([f, name, version, licenses, platform]) =>
          JSON.stringify([f.slice(1), name, version, licenses, platform]),
        )
        .sort(),
    );
    // `gem list --local`: every name and version RubyGems lists is in the inventory.
    const listed = execFileSync('gem', ['list', '--local'], { encoding: 'utf8' }).trim().split('\n');
    const mine = new Set(gems.map((p) => `${p.name} ${p.version}`));
    let pairs = 0;
    for (const line of listed) {
      const m = /^(\S+) \((.*)\)$/.exec(line);
      assert.ok(m, line);
      for (const v of m[2]!.split(', ')) {
        pairs++;
        assert.ok(mine.has(`${m[1]} ${v.replace(/^default: /, '').replace(/ \S+$/, '')}`), `${m[1]} ${v}`);
      }
    }
    const defaults = gems.filter((p) => p.metadata?.default === true).length;
    t.diagnostic(
      `ruby ground truth: ${expected.length} gemspecs (${defaults} default) in ${dirs.length} directories; gem list: ${pairs} name/versions`,
    );
  },
);

test('ruby: gemspec forms RubyGems has written, read without evaluating them', () => {
  const old = `# -*- encoding: utf-8 -*-

Gem::Specification.new do |s|
  s.name = %q{json_pure}
  s.version = "1.4.6"
  s.platform = %q{java}
  s.license = %q{Ruby}
  s.files = ["lib/json.rb"]
end
`;
  assert.deepEqual(parseGemspecText(old), {
    name: 'json_pure',
    version: '1.4.6',
    licenses: ['Ruby'],
    platform: 'java',
  });
  const handwritten = `Gem::Specification.new do |spec|
  spec.name    = 'my-gem'
  spec.version = Gem::Version.new('2.0.0.pre1')
  spec.licenses = ['MIT', "Apache-2.0".freeze]
  s.name = "not-the-receiver"
end
`;
  assert.deepEqual(parseGemspecText(handwritten), {
    name: 'my-gem',
    version: '2.0.0.pre1',
    licenses: ['MIT', 'Apache-2.0'],
  });
  // Only the stub line says anything usable: RubyGems' fast path reads it too.
  const stubOnly =
    '# stub: nokogiri 1.16.0 x86_64-linux lib\nGem::Specification.new do |s|\n  s.name = NAME\nend\n';
  assert.deepEqual(parseGemspecText(stubOnly), {
    name: 'nokogiri',
    version: '1.16.0',
    licenses: [],
    platform: 'x86_64-linux',
  });
  assert.throws(() => parseGemspecText('s.name = "../../etc"\ns.version = "1.0"\n'), /no valid gem name/);
  assert.throws(() => parseGemspecText('s.name = "x"\ns.version = system("id")\n'), /no valid gem version/);
  assert.deepEqual(
    parseGemspecText('s.name = "x"\ns.version = "1"\ns.licenses = [File.read("/etc/passwd")]\n').licenses,
    [],
  );
  // Only whole literals count: an expression is not evaluated, so it yields nothing.
  assert.throws(() => parseGemspecText('s.name = "x" + `id`\ns.version = "1"\n'), /no valid gem name/);
  assert.deepEqual(
    parseGemspecText(
      's.name = "x" # comment\ns.version = "1" if s.respond_to? :version=\ns.license = "MIT" + x\n',
    ),
    { name: 'x', version: '1', licenses: [] },
  );
  assert.equal(isInstalledGemspec('usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec'), true);
  assert.equal(isInstalledGemspec('usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec'), true);
  assert.equal(isInstalledGemspec('app/vendor/bundle/ruby/3.1.0/specifications/rack-3.0.0.gemspec'), true);
  assert.equal(isInstalledGemspec('usr/lib/ruby/gems/3.1.0/gems/rake-13.0.6/rake.gemspec'), false);
  assert.equal(isInstalledGemspec('app/my.gemspec'), false);
});

// ---------------------------------------------------------------------------------------------
// PHP

const COMPOSER_2 = JSON.stringify(
  {
    packages: [
      {
        name: 'monolog/monolog',
        version: '3.5.0',
        version_normalized: '3.5.0.0',
        source: {
          type: 'git',
          url: 'https://github.com/Seldaek/monolog.git',
          reference: 'c915e2634718dbc8a4a15c61b0e62e7a44e14448',
        },
        type: 'library',
        license: ['MIT'],
        'install-path': '../monolog/monolog',
      },
      {
        name: 'symfony/console',
        version: 'v6.4.2',
        version_normalized: '6.4.2.0',
        type: 'library',
        license: ['MIT'],
      },
      { name: 'phpunit/phpunit', version: '10.5.5', type: 'library', license: ['BSD-3-Clause'] },
      { name: 'acme/internal', version: 'dev-main', version_normalized: 'dev-main', type: 'project' },
    ],
    dev: true,
    'dev-package-names': ['phpunit/phpunit'],
  },
  null,
  4,
);

const COMPOSER_1 = JSON.stringify([
  { name: 'guzzlehttp/guzzle', version: '6.5.8', version_normalized: '6.5.8.0', license: ['MIT'] },
  { name: 'league/flysystem', version: '1.1.10', license: 'MIT' },
]);

test('php: composer installed.json, Composer 2 (with dev packages) and Composer 1', () => {
  const r2 = runAnalyzer(composerInstalledAnalyzer, 'var/www/app/vendor/composer/installed.json', COMPOSER_2);
  assert.deepEqual(r2.warnings, []);
  assert.deepEqual(
    r2.packages.map((p) => [
      p.name,
      p.version,
      p.metadata?.versionNormalized,
      p.licenses,
      p.metadata?.dev ?? false,
    ]),
    [
      ['monolog/monolog', '3.5.0', '3.5.0.0', ['MIT'], false],
      ['symfony/console', 'v6.4.2', '6.4.2.0', ['MIT'], false],
      ['phpunit/phpunit', '10.5.5', '10.5.5', ['BSD-3-Clause'], true],
      ['acme/internal', 'dev-main', 'dev-main', undefined, false],
    ],
  );
  assert.equal(r2.packages[0]?.type, 'composer');
  assert.equal(r2.packages[0]?.metadata?.sourceReference, 'c915e2634718dbc8a4a15c61b0e62e7a44e14448');
  const r1 = runAnalyzer(composerInstalledAnalyzer, 'vendor/composer/installed.json', COMPOSER_1);
  assert.deepEqual(
    r1.packages.map((p) => [p.name, p.version, p.licenses]),
    [
      ['guzzlehttp/guzzle', '6.5.8', ['MIT']],
      ['league/flysystem', '1.1.10', ['MIT']],
    ],
  );
  const bad = runAnalyzer(
    composerInstalledAnalyzer,
    'vendor/composer/installed.json',
    JSON.stringify({
      packages: [{ name: 'no-vendor', version: '1' }, { name: 'a/b' }, 'x', { name: 'a/c', version: '2' }],
    }),
  );
  assert.deepEqual(
    bad.packages.map((p) => p.name),
    ['a/c'],
  );
  assert.match(bad.warnings[0]!, /^vendor\/composer\/installed\.json: .*3 entries/);
});

// ---------------------------------------------------------------------------------------------
// .NET

const DEPS_JSON = JSON.stringify(
  {
    runtimeTarget: { name: '.NETCoreApp,Version=v8.0/linux-x64', signature: '' },
    compilationOptions: {},
    targets: {
      '.NETCoreApp,Version=v8.0': {},
      '.NETCoreApp,Version=v8.0/linux-x64': {
        'WebApp/1.0.0': {
          dependencies: { 'Newtonsoft.Json': '13.0.1', 'Serilog.AspNetCore': '8.0.0' },
          runtime: { 'WebApp.dll': {} },
        },
        'Newtonsoft.Json/13.0.1': {
          runtime: {
            'lib/net6.0/Newtonsoft.Json.dll': { assemblyVersion: '13.0.0.0', fileVersion: '13.0.1.25517' },
          },
        },
      },
    },
    libraries: {
      'WebApp/1.0.0': { type: 'project', serviceable: false, sha512: '' },
      'runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.1': {
        type: 'runtimepack',
        serviceable: false,
        sha512: '',
      },
      'Newtonsoft.Json/13.0.1': {
        type: 'package',
        serviceable: true,
        sha512:
          'sha512-ppPFpBcvxdsfUonNcvITKqLl3bqxWbDCZIzDWHzjpdAHRFfZe0Dw9HmA0+za13IdyrgJwpkDTDA9fHaxOrt20A==',
        path: 'newtonsoft.json/13.0.1',
        hashPath: 'newtonsoft.json.13.0.1.nupkg.sha512',
      },
      'Serilog.AspNetCore/8.0.0': {
        type: 'package',
        serviceable: true,
        sha512: 'sha512-x',
        path: 'serilog.aspnetcore/8.0.0',
      },
      'System.Runtime.Reference/4.0.0.0': { type: 'reference', serviceable: false, sha512: '' },
      Weird: { type: 'package' },
    },
  },
  null,
  2,
);

test('dotnet: deps.json libraries: packages and runtime packs, not projects or references', () => {
  const r = runAnalyzer(dotnetDepsAnalyzer, 'app/WebApp.deps.json', DEPS_JSON);
  assert.deepEqual(
    r.packages.map((p) => [p.type, p.name, p.version, p.metadata?.libraryType]),
    [
      ['nuget', 'Microsoft.NETCore.App.Runtime.linux-x64', '8.0.1', 'runtimepack'],
      ['nuget', 'Newtonsoft.Json', '13.0.1', 'package'],
      ['nuget', 'Serilog.AspNetCore', '8.0.0', 'package'],
    ],
  );
  assert.match(String(r.packages[1]?.metadata?.sha512), /^sha512-/);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0]!, /^app\/WebApp\.deps\.json: deps\.json: 1 libraries/);
});

// ---------------------------------------------------------------------------------------------
// Hostile input, through the whole pipeline

test('ruby, php, dotnet: malformed files warn with their path and the scan goes on', async () => {
  const files: FileSpec[] = [
    {
      path: 'usr/lib/ruby/gems/3.1.0/specifications/ok-1.0.gemspec',
      content: 'Gem::Specification.new do |s|\n  s.name = "ok".freeze\n  s.version = "1.0"\nend\n',
    },
    {
      path: 'usr/lib/ruby/gems/3.1.0/specifications/garbage.gemspec',
      content: Buffer.from([0, 1, 2, 0xff, 10]),
    },
    {
      path: 'usr/lib/ruby/gems/3.1.0/specifications/default/unterminated.gemspec',
      content: 's.name = "abc\ns.version = "1\n',
    },
    { path: 'app/vendor/composer/installed.json', content: '{"packages": {"a/b": "1.0"}}' },
    { path: 'app2/vendor/composer/installed.json', content: '{"packages": [' },
    { path: 'app3/vendor/composer/installed.json', content: COMPOSER_1 },
    { path: 'srv/A.deps.json', content: '{"libraries": []}' },
    { path: 'srv/B.deps.json', content: 'MZ\u0090\u0000 not json' },
    { path: 'srv/C.deps.json', content: DEPS_JSON },
  ];
  const { layer, packages } = await scan(files);
  assert.deepEqual(
    packages.map((p) => `${p.path} ${p.name}`),
    [
      'usr/lib/ruby/gems/3.1.0/specifications/ok-1.0.gemspec ok',
      'app3/vendor/composer/installed.json guzzlehttp/guzzle',
      'app3/vendor/composer/installed.json league/flysystem',
      'srv/C.deps.json Microsoft.NETCore.App.Runtime.linux-x64',
      'srv/C.deps.json Newtonsoft.Json',
      'srv/C.deps.json Serilog.AspNetCore',
    ],
  );
  for (const f of [files[1]!, files[2]!, files[3]!, files[4]!, files[6]!, files[7]!]) {
    assert.ok(
      layer.warnings.some((w) => w.includes(`${f.path}: malformed`)),
      `warns about ${f.path}: ${layer.warnings.join('\n')}`,
    );
  }
});

test('ruby, php, dotnet: fuzzed files give records or warnings, never a crash', () => {
  const gemspec =
    '# stub: rake 13.0.6 ruby lib\n\nGem::Specification.new do |s|\n  s.name = "rake".freeze\n  s.version = "13.0.6"\n' +
    '  s.files = ["exe/rake".freeze]\n  s.licenses = ["MIT".freeze, %q{Ruby}]\n  s.platform = \'ruby\'\nend\n';
  fuzzAnalyzer(rubyGemspecAnalyzer, 'usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec', [gemspec]);
  fuzzAnalyzer(composerInstalledAnalyzer, 'vendor/composer/installed.json', [COMPOSER_2, COMPOSER_1]);
  fuzzAnalyzer(dotnetDepsAnalyzer, 'app/WebApp.deps.json', [DEPS_JSON]);
});

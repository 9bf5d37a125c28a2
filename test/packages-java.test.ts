import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { crc32, deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { binaryCatalogers } from '../src/analyze/packages/binary-catalogers.js';
import { catalogJavaArchive, DEFAULT_ARCHIVE_LIMITS } from '../src/analyze/packages/java/archive.js';
import { parseArchiveFileName } from '../src/analyze/packages/java/archive-name.js';
import { javaArchiveAnalyzer } from '../src/analyze/packages/java/cataloger.js';
import { parseManifest } from '../src/analyze/packages/java/manifest.js';
import { parseProperties } from '../src/analyze/packages/java/pom-properties.js';
import type { PackageFact } from '../src/analyze/packages/types.js';
import { openSource } from '../src/image/target.js';
import { analyzeImage } from '../src/scan/analyze-image.js';
import { buildImage } from './fixtures/builder.js';
import { writeOciLayout } from './fixtures/layouts.js';
import { tempDir } from './support/tmp.js';

const dir = tempDir('shipshape-java-');
const run = promisify(execFile);

async function catalog(path: string, content: Buffer, limits = DEFAULT_ARCHIVE_LIMITS) {
  const warnings: string[] = [];
  const facts = await catalogJavaArchive(path, content, (m) => warnings.push(m), limits);
  return { facts, warnings };
}

function row(p: PackageFact): string {
  return `${p.namespace ?? ''}:${p.name}@${p.version}${p.innerPath ? ` in ${p.innerPath}` : ''} [${String(p.metadata?.source)}]`;
}

/** pom.properties as `unzip` extracts them: the independent reading the cataloger must match. */
async function pomsByUnzip(jar: string): Promise<string[]> {
  let out: string;
  try {
    // -c prints each file after an "inflating:"/"extracting:" line naming it.
    out = (await run('unzip', ['-c', jar, 'META-INF/maven/*/*/pom.properties'], { encoding: 'utf8' })).stdout;
  } catch (err) {
    if ((err as { code?: number }).code === 11) return []; // no matching entry
    throw err;
  }
  const parts = out.split(/^ +(?:inflating|extracting): (\S+) *$/m);
  const found: string[] = [];
  for (let i = 1; i < parts.length; i += 2) {
    if (!/^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(parts[i]!)) continue;
    const text = parts[i + 1]!;
    const get = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(text)?.[1]?.trim();
    found.push(`${get('groupId')}:${get('artifactId')}@${get('version')}`);
  }
  return found.sort();
}

test('java: every real jar of Debian maven and /usr/share/java matches its pom.properties (unzip)', async () => {
  const jars = new Set<string>();
  for (const d of ['/usr/share/maven/lib', '/usr/share/java']) {
    for (const f of readdirSync(d)) if (f.endsWith('.jar')) jars.add(realpathSync(join(d, f)));
  }
  let withPom = 0;
  let poms = 0;
  const byUnzip = new Map<string, Promise<string[]>>();
  for (const jar of jars) byUnzip.set(jar, pomsByUnzip(jar));
  for (const jar of jars) {
    const { facts, warnings } = await catalog(jar, readFileSync(jar));
    assert.deepEqual(warnings, [], jar);
    const expected = await byUnzip.get(jar)!;
    const got = (facts as PackageFact[])
      .filter((p) => p.metadata?.source === 'pom.properties')
      .map((p) => `${p.namespace}:${p.name}@${p.version}`)
      .sort();
    assert.deepEqual(got, expected, jar);
    if (expected.length > 0) withPom++;
    else assert.ok(facts.every((p) => p.metadata?.source !== 'pom.properties'));
    poms += expected.length;
    assert.ok(facts.every((p) => p.path === jar && p.type === 'maven' && p.innerPath === undefined));
  }
  assert.ok(
    jars.size >= 40 && withPom >= 30,
    `${jars.size} jars, ${withPom} with pom.properties, ${poms} in all`,
  );
});

test('java: jars without pom.properties are named from the manifest, then the file name', async () => {
  const guice = '/usr/share/java/guice-no-aop.jar';
  const g = await catalog('usr/share/java/guice-no-aop-4.2.3.jar', readFileSync(guice));
  assert.deepEqual(g.facts.map(row), [':guice@4.2.3 [manifest]']);
  const work = join(dir, 'manifest-only');
  mkdirSync(join(work, 'x'), { recursive: true });
  writeFileSync(join(work, 'x', 'A.class'), 'not really a class');
  writeFileSync(
    join(work, 'MANIFEST.MF'),
    'Manifest-Version: 1.0\nImplementation-Title: fancy-lib\nImplementation-Version: 2.0.1\n' +
      'Implementation-Vendor-Id: org.example\nBundle-SymbolicName: org.example.fancy;singleton:=true\n',
  );
  execFileSync('jar', [
    '--create',
    '--file',
    join(dir, 'fancy.jar'),
    '--manifest',
    join(work, 'MANIFEST.MF'),
    '-C',
    work,
    'x',
  ]);
  const m = await catalog('opt/app/fancy.jar', readFileSync(join(dir, 'fancy.jar')));
  assert.deepEqual(m.facts.map(row), ['org.example:fancy-lib@2.0.1 [manifest]']);
  execFileSync('jar', [
    '--create',
    '--no-manifest',
    '--file',
    join(dir, 'plain-lib-1.4.0-SNAPSHOT.jar'),
    '-C',
    work,
    'x',
  ]);
  const f = await catalog(
    'opt/app/plain-lib-1.4.0-SNAPSHOT.jar',
    readFileSync(join(dir, 'plain-lib-1.4.0-SNAPSHOT.jar')),
  );
  assert.deepEqual(f.facts.map(row), [':plain-lib@1.4.0-SNAPSHOT [filename]']);
  assert.deepEqual(parseArchiveFileName('x/commons-lang3-3.12.0.jar'), {
    name: 'commons-lang3',
    version: '3.12.0',
  });
  assert.deepEqual(parseArchiveFileName('gettext.jar'), { name: 'gettext' });
});

/** Lays out `files` (path → bytes) under a fresh directory and packs them with the JDK's jar tool. */
function jarTool(
  name: string,
  files: Record<string, Buffer | string>,
  opts: { store?: boolean } = {},
): string {
  const root = join(dir, `${name}.d`);
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), content);
  }
  const out = join(dir, name);
  execFileSync('jar', ['--create', ...(opts.store ? ['--no-compress'] : []), '--file', out, '-C', root, '.']);
  return out;
}

const pom = (g: string, a: string, v: string) =>
  `#Generated by Maven\ngroupId=${g}\nartifactId=${a}\nversion=${v}\n`;

test('java: a war and an ear built with the jar tool: nested jars with their inner paths', async () => {
  const lang3 = readFileSync('/usr/share/java/commons-lang3.jar');
  const io = readFileSync('/usr/share/java/commons-io.jar');
  const war = jarTool('webapp.war', {
    'WEB-INF/lib/commons-lang3-3.12.0.jar': lang3,
    'WEB-INF/lib/commons-io-2.11.0.jar': io,
    'WEB-INF/classes/app/Main.class': 'x',
    'META-INF/maven/com.example/webapp/pom.properties': pom('com.example', 'webapp', '1.0.0'),
  });
  const w = await catalog('srv/webapp.war', readFileSync(war));
  assert.deepEqual(w.warnings, []);
  assert.deepEqual(w.facts.map(row).sort(), [
    'com.example:webapp@1.0.0 [pom.properties]',
    'commons-io:commons-io@2.11.0 in WEB-INF/lib/commons-io-2.11.0.jar [pom.properties]',
    'org.apache.commons:commons-lang3@3.12.0 in WEB-INF/lib/commons-lang3-3.12.0.jar [pom.properties]',
  ]);
  assert.ok(w.facts.every((p) => p.path === 'srv/webapp.war'));
  const ear = jarTool('app.ear', {
    'webapp.war': readFileSync(war),
    'lib/guava.jar': readFileSync('/usr/share/java/guava.jar'),
  });
  const e = await catalog('srv/app.ear', readFileSync(ear));
  assert.deepEqual(e.warnings, []);
  assert.deepEqual(e.facts.map(row).sort(), [
    'com.example:webapp@1.0.0 in webapp.war [pom.properties]',
    'com.google.guava:guava@31.1-jre in lib/guava.jar [pom.properties]',
    'commons-io:commons-io@2.11.0 in webapp.war!/WEB-INF/lib/commons-io-2.11.0.jar [pom.properties]',
    'org.apache.commons:commons-lang3@3.12.0 in webapp.war!/WEB-INF/lib/commons-lang3-3.12.0.jar [pom.properties]',
  ]);
  // A Spring Boot style fat jar: nested jars stored uncompressed under BOOT-INF/lib.
  const fat = jarTool(
    'service.jar',
    {
      'BOOT-INF/lib/commons-io-2.11.0.jar': io,
      'BOOT-INF/classes/app/Main.class': 'x',
      'META-INF/maven/com.example/service/pom.properties': pom('com.example', 'service', '0.9.0'),
    },
    { store: true },
  );
  const f = await catalog('app/service.jar', readFileSync(fat));
  assert.deepEqual(f.facts.map(row).sort(), [
    'com.example:service@0.9.0 [pom.properties]',
    'commons-io:commons-io@2.11.0 in BOOT-INF/lib/commons-io-2.11.0.jar [pom.properties]',
  ]);
});

test('java: a shaded jar with two pom.properties reports both', async () => {
  const shaded = jarTool('shaded-1.0.jar', {
    'META-INF/maven/com.example/shaded/pom.properties': pom('com.example', 'shaded', '1.0'),
    'META-INF/maven/org.dep/inner/pom.properties': pom('org.dep', 'inner', '3.2.1'),
    'META-INF/maven/org.dep/inner/pom.xml': '<project/>',
    'org/dep/Inner.class': 'x',
  });
  const s = await catalog('app/shaded-1.0.jar', readFileSync(shaded));
  assert.deepEqual(s.facts.map(row).sort(), [
    'com.example:shaded@1.0 [pom.properties]',
    'org.dep:inner@3.2.1 [pom.properties]',
  ]);
});

interface ZipSpec {
  name: string;
  data: Buffer;
  store?: boolean;
  /** Lie about the inflated size (central directory and local header). */
  declaredSize?: number;
}

/** A zip written by hand, for archives no tool would write (lying sizes, hostile names). */
function zip(entries: ZipSpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = e.store ? e.data : deflateRawSync(e.data);
    const size = e.declaredSize ?? e.data.length;
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(e.store ? 0 : 8, 8);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(e.store ? 0 : 8, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

test('java: not a zip, truncated, zip bombs, unsafe names and deep nesting warn; the rest is still read', async () => {
  const notZip = await catalog('app/x.jar', Buffer.from('this is not a zip archive at all, just text'));
  assert.deepEqual(notZip.facts, []);
  assert.match(notZip.warnings[0] ?? '', /not a readable zip archive/);

  const good = readFileSync('/usr/share/java/commons-io.jar');
  const truncated = await catalog('app/cut.jar', good.subarray(0, good.length - 100));
  assert.deepEqual(truncated.facts, []);
  assert.match(truncated.warnings[0] ?? '', /not a readable zip archive/);

  const limits = { ...DEFAULT_ARCHIVE_LIMITS, maxNestedBytes: 4 * 1024 * 1024 };
  const bombs = zip([
    { name: 'META-INF/maven/a/b/pom.properties', data: Buffer.from(pom('a', 'b', '1')) },
    // Says it inflates to 64 MiB, and does.
    { name: 'lib/honest-bomb.jar', data: Buffer.alloc(64 * 1024 * 1024) },
    // Says 100 bytes, inflates to 64 MiB.
    { name: 'lib/lying-bomb.jar', data: Buffer.alloc(64 * 1024 * 1024), declaredSize: 100 },
    { name: '../../etc/evil.jar', data: good, store: true },
    { name: 'lib/ok.jar', data: good, store: true },
  ]);
  const b = await catalog('app/bombs.war', bombs, limits);
  assert.deepEqual(b.facts.map(row).sort(), [
    'a:b@1 [pom.properties]',
    'commons-io:commons-io@2.11.0 in lib/ok.jar [pom.properties]',
  ]);
  assert.ok(
    b.warnings.some((w) => /honest-bomb\.jar inflates to 67108864 bytes \(limit 4194304\)/.test(w)),
    b.warnings.join('\n'),
  );
  assert.ok(
    b.warnings.some((w) => /entry not read: .*(too many bytes|inflates past)/.test(w)),
    b.warnings.join('\n'),
  );
  assert.ok(b.warnings.some((w) => /1 entries with unsafe names skipped/.test(w)));

  // Five levels of jars in jars: three levels below the outer archive are read, then a warning.
  let nested = zip([
    { name: 'META-INF/maven/g/level5/pom.properties', data: Buffer.from(pom('g', 'level5', '5')) },
  ]);
  for (let level = 4; level >= 1; level--) {
    nested = zip([
      {
        name: `META-INF/maven/g/level${level}/pom.properties`,
        data: Buffer.from(pom('g', `level${level}`, String(level))),
      },
      { name: `lib/level${level + 1}.jar`, data: nested },
    ]);
  }
  const deep = await catalog('app/deep.jar', nested);
  assert.deepEqual(
    deep.facts.map((p) => p.innerPath ?? ''),
    [
      '',
      'lib/level2.jar',
      'lib/level2.jar!/lib/level3.jar',
      'lib/level2.jar!/lib/level3.jar!/lib/level4.jar',
    ],
  );
  assert.match(
    deep.warnings.join('\n'),
    /1 archives nested deeper than 3 levels not read \(inside lib\/level2\.jar!\/lib\/level3\.jar!\/lib\/level4\.jar\)/,
  );
});

test('java: manifest and properties parsing', () => {
  const m = parseManifest(
    'Manifest-Version: 1.0\r\nImplementation-Title: long-na\r\n me\r\n\r\nName: x\r\nImplementation-Title: other\r\n',
  );
  assert.equal(m.get('implementation-title'), 'long-name');
  assert.equal(m.size, 2);
  const p = parseProperties('# c\n! c\nversion = 1.0\\\n  .1\ngroupId:g\nartifactId   a\\u0062\nempty\n');
  assert.deepEqual(Object.fromEntries(p), { version: '1.0.1', groupId: 'g', artifactId: 'ab', empty: '' });
});

test('java: end to end through analyzeImage, with a warning naming the broken archive', async () => {
  const war = jarTool('e2e.war', {
    'WEB-INF/lib/commons-lang3.jar': readFileSync('/usr/share/java/commons-lang3.jar'),
    'META-INF/maven/com.example/e2e/pom.properties': pom('com.example', 'e2e', '2.0'),
  });
  const image = buildImage({
    layers: [
      {
        files: [
          { path: 'usr/share/java/commons-io.jar', content: readFileSync('/usr/share/java/commons-io.jar') },
        ],
      },
      {
        files: [
          { path: 'srv/app/e2e.war', content: readFileSync(war) },
          { path: 'srv/app/broken.jar', content: 'PK but not really' },
        ],
      },
    ],
  });
  const oci = join(dir, 'oci');
  await writeOciLayout(oci, [{ ref: 'java', image }]);
  const r = await analyzeImage(openSource(`oci:${oci}:java`), { analyzers: binaryCatalogers, cache: null });
  const [l0, l1] = r.facts.layers;
  assert.deepEqual(
    (l0!.facts['java-archive'] as PackageFact[]).map((p) => `${p.path} ${row(p)}`),
    ['usr/share/java/commons-io.jar commons-io:commons-io@2.11.0 [pom.properties]'],
  );
  assert.deepEqual(
    (l1!.facts['java-archive'] as PackageFact[]).map((p) => `${p.path} ${row(p)}`),
    [
      'srv/app/e2e.war com.example:e2e@2.0 [pom.properties]',
      'srv/app/e2e.war org.apache.commons:commons-lang3@3.12.0 in WEB-INF/lib/commons-lang3.jar [pom.properties]',
    ],
  );
  assert.ok(
    l1!.warnings.some((w) => w.startsWith('java-archive: srv/app/broken.jar: ')),
    l1!.warnings.join('\n'),
  );
  assert.deepEqual(
    javaArchiveAnalyzer.wants({ path: 'a/b.txt', type: 'file', mode: 0o644, size: 10, uid: 0, gid: 0 }),
    false,
  );
});

test('java: fuzz: mutated archives give facts or warnings, never a throw', async () => {
  const sample = zip([
    { name: 'META-INF/MANIFEST.MF', data: Buffer.from('Manifest-Version: 1.0\nImplementation-Version: 1\n') },
    { name: 'META-INF/maven/g/a/pom.properties', data: Buffer.from(pom('g', 'a', '1')) },
    {
      name: 'lib/in.jar',
      data: zip([{ name: 'META-INF/maven/g/b/pom.properties', data: Buffer.from(pom('g', 'b', '2')) }]),
    },
  ]);
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }),
      fc.option(fc.nat(), { nil: undefined }),
      async (edits, cut) => {
        const bytes = Buffer.from(sample);
        for (const [pos, value] of edits) bytes[pos % bytes.length] = value;
        const input = cut === undefined ? bytes : bytes.subarray(0, cut % bytes.length);
        const r = await catalog('f.jar', input);
        assert.ok(Array.isArray(r.facts));
      },
    ),
    { numRuns: 300 },
  );
});

/**
 * Maven ordering against maven-artifact's ComparableVersion (Debian's maven): a tiny Java class
 * compiled in a temp dir reads thousands of generated pairs from stdin. Our port deviates from
 * Maven only where Maven's order is not transitive (see maven.ts); those pairs are recognised
 * and counted separately, and each one must be part of a cycle in Maven's own answers.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { maven, parseMaven } from '../src/vulndb/versions/maven.js';
import { Agreement, numeral, pairs, sample, versionish, wellFormed } from './support/oracles/order.js';
import { answerLines, run, works } from './support/oracles/tools.js';
import { tempDir } from './support/tmp.js';
import { joined, oraclePairs, type Verdict, versionSchemeSuite } from './support/version-suite.js';

const qualifier = fc.constantFrom(
  'alpha',
  'beta',
  'milestone',
  'rc',
  'cr',
  'snapshot',
  'SNAPSHOT',
  'ga',
  'final',
  'Final',
  'RELEASE',
  'release',
  'sp',
  'a',
  'b',
  'm',
  'M',
  'jre',
  'android',
  'x',
  'foo',
);
const part = fc.oneof(
  { weight: 4, arbitrary: numeral() },
  { weight: 2, arbitrary: qualifier },
  { weight: 2, arbitrary: fc.tuple(qualifier, numeral()).map(([q, n]) => q + n) },
  { weight: 1, arbitrary: fc.tuple(numeral(), qualifier).map(([n, q]) => n + q) },
);
const sep = fc.constantFrom('.', '.', '.', '-', '-', '_', '+');
const mvnVersion = joined(numeral(), sep, part, 5);
/** What Maven Central is made of: numbers, one qualifier, maybe -SNAPSHOT. */
const usualQualifier = fc.constantFrom(
  'alpha',
  'beta',
  'rc',
  'RC',
  'cr',
  'M',
  'milestone',
  'Final',
  'RELEASE',
  'GA',
  'sp',
  'SP',
  'jre',
  'android',
  'b',
  'a',
);
const usualVersion = fc
  .tuple(
    fc.array(numeral(), { minLength: 1, maxLength: 4 }),
    fc.oneof(
      { weight: 2, arbitrary: fc.constant('') },
      {
        weight: 2,
        arbitrary: fc
          .tuple(
            fc.constantFrom('-', '.', ''),
            usualQualifier,
            fc.constantFrom('', '-', '.'),
            fc.oneof(numeral(), fc.constant('')),
          )
          .map((p) => p.join('')),
      },
    ),
    fc.constantFrom('', '', '', '-SNAPSHOT'),
  )
  .map(([n, q, s]) => n.join('.') + q + s);
const EDITS = [
  '-SNAPSHOT',
  '-1',
  '.0',
  '-alpha',
  '.sp',
  '-ga',
  '.1',
  '0',
  '-',
  '.',
  'a',
  'rc1',
  '-sp-1',
  'final',
];
const randomish = versionish('0123456789.-abmsprcAZ_+', 12);

function mavenArtifactJar(): string | null {
  for (const dir of ['/usr/share/maven/lib', '/usr/share/java']) {
    if (!existsSync(dir)) continue;
    const jar = readdirSync(dir).find((f) => /^maven(3)?-artifact.*\.jar$/.test(f));
    if (jar) return join(dir, jar);
  }
  return null;
}

const JAVA = `
import java.io.*;
import java.nio.charset.StandardCharsets;
import org.apache.maven.artifact.versioning.ComparableVersion;
public class Cmp {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    StringBuilder out = new StringBuilder();
    String a;
    while ((a = in.readLine()) != null) {
      String b = in.readLine();
      int c = new ComparableVersion(a).compareTo(new ComparableVersion(b));
      out.append(Integer.signum(c)).append('\\n');
    }
    System.out.print(out);
  }
}
`;

/**
 * Pairs through ComparableVersion. Every deviation must be excused by a cycle in Maven's own
 * answers; on usual versions there is no excuse.
 */
async function withComparableVersion(): Promise<Verdict[]> {
  const jar = mavenArtifactJar()!;
  const dir = tempDir();
  writeFileSync(join(dir, 'Cmp.java'), JAVA);
  await run('javac', ['-cp', jar, '-d', dir, join(dir, 'Cmp.java')], { timeoutMs: 60_000 });
  const list = oraclePairs(mvnVersion, randomish, EDITS).filter(
    ([a, b]) => wellFormed(a + b) && !/[\n\r]/.test(a + b) && maven.valid(a) && maven.valid(b),
  );
  const ask = async (ps: [string, string][]) => {
    const { stdout } = await run('java', ['-cp', `${jar}:${dir}`, 'Cmp'], {
      input: ps.map(([a, b]) => `${a}\n${b}\n`).join(''),
    });
    return answerLines(stdout, ps.length).map(Number);
  };
  const answers = await ask(list);
  const agreement = new Agreement('maven (ComparableVersion)');
  const deviations: { a: string; b: string; ab: number; probes: string[] }[] = [];
  list.forEach(([a, b], i) => {
    if (maven.compare(a, b) === answers[i]) agreement.check(true, () => '');
    else {
      // Candidate witnesses: every prefix of either version, and a few usual suspects.
      const probes = new Set(['1', '1-alpha', '1-sp', '1.0.1', '1-1']);
      for (const v of [a, b]) for (let n = 1; n <= v.length; n++) probes.add(v.slice(0, n));
      deviations.push({ a, b, ab: answers[i]!, probes: [...probes] });
    }
  });
  // A deviation is excused only when Maven's own answers are not transitive there: some c
  // with maven(a,c) and maven(c,b) forcing a different maven(a,b).
  const question: [string, string][] = [];
  for (const d of deviations) for (const c of d.probes) question.push([d.a, c], [c, d.b]);
  const replies = question.length ? await ask(question) : [];
  let k = 0;
  let cycles = 0;
  for (const d of deviations) {
    let cyclic = false;
    for (let p = 0; p < d.probes.length; p++, k += 2) {
      const ac = replies[k]!;
      const cb = replies[k + 1]!;
      if (
        (d.ab < 0 && ac >= 0 && cb >= 0) ||
        (d.ab > 0 && ac <= 0 && cb <= 0) ||
        (d.ab === 0 && ac + cb !== 0)
      )
        cyclic = true;
    }
    if (cyclic) cycles++;
    else agreement.check(false, () => `${d.a} vs ${d.b}: maven ${d.ab}, ours ${maven.compare(d.a, d.b)}`);
  }
  // On usual versions there is no excuse: every pair agrees.
  const isUsual = (v: string) => /^\d+(\.\d+)*([-.]?[a-z]+([-.]?\d+)?)?(-SNAPSHOT)?$/i.test(v);
  const usual = sample(pairs(usualVersion, ['-SNAPSHOT', '.0', '-1', '.1', '-sp', '-rc1']), 2500, 99).filter(
    ([a, b]) => isUsual(a) && isUsual(b),
  );
  const usualAnswers = await ask(usual);
  const strict = new Agreement('maven, usual versions only');
  usual.forEach(([a, b], i) =>
    strict.check(maven.compare(a, b) === usualAnswers[i], () => `${a} vs ${b}: maven ${usualAnswers[i]}`),
  );
  return [
    { agreement, min: 5000, note: `; ${cycles} more pairs differ where Maven's own order has a cycle` },
    { agreement: strict },
  ];
}

versionSchemeSuite({
  scheme: maven,
  parse: parseMaven,
  cases: {
    ascending: [
      [
        '1-alpha',
        '1-alpha-1',
        '1-a2',
        '1-beta',
        '1-milestone-1',
        '1-rc1',
        '1-cr2',
        '1-SNAPSHOT',
        '1',
        '1-sp',
        '1-abc',
        '1-1',
        '1.0.1',
        '1.1',
        '2.0.0-M1',
        '2.0.0',
        '10',
      ],
      ['1.99999999999999999998', '1.99999999999999999999'],
    ],
    equal: [
      ['1', '1.0'],
      ['1', '1.0.0'],
      ['1', '1-ga'],
      ['1', '1.0.0.final'],
      ['1', '1-RELEASE'],
      ['1.0-alpha1', '1.0-a1'],
      ['1-0.1', '1-.1'],
      ['2.5.RELEASE-1', '2.5-1'],
    ],
    invalid: ['', ' 1', 'é', '1 0'],
    invalidAfter: '99',
  },
  arbitrary: fc.oneof(mvnVersion, randomish),
  hostile: '1.2.3-SNAPSHOT',
  oracles: [
    {
      title: 'thousands of pairs agree with maven-artifact ComparableVersion',
      tool: {
        available: () => mavenArtifactJar() !== null && works('javac', ['-version']),
        what: 'javac and maven-artifact',
        debianPackage: 'maven default-jdk-headless',
      },
      check: withComparableVersion,
    },
  ],
});

/**
 * PEP 440 ordering against Python's `packaging` (the library pip uses): thousands of generated
 * pairs and random strings through one python3 process. Plus the total-order properties and a
 * table of known cases.
 */
import fc from 'fast-check';
import { parsePep440, pep440 } from '../src/vulndb/versions/pep440.js';
import { agreementWith, numeral, versionish } from './support/oracles/order.js';
import { answerLines, works } from './support/oracles/tools.js';
import { askJsonLines, maybe, oraclePairs, versionSchemeSuite } from './support/version-suite.js';

const sep = fc.constantFrom('', '', '.', '-', '_');
const release = fc
  .tuple(numeral(), fc.array(numeral(), { maxLength: 4 }))
  .map(([n, r]) => [n, ...r].join('.'));
const pre = maybe(
  fc
    .tuple(
      sep,
      fc.constantFrom('a', 'b', 'rc', 'c', 'alpha', 'beta', 'pre', 'preview', 'RC', 'Alpha'),
      sep,
      fc.oneof(numeral(), fc.constant('')),
    )
    .map((p) => p.join('')),
  3,
  2,
);
const post = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: numeral().map((n) => `-${n}`) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(sep, fc.constantFrom('post', 'rev', 'r', 'POST'), sep, fc.oneof(numeral(), fc.constant('')))
      .map((p) => p.join('')),
  },
);
const dev = maybe(
  fc
    .tuple(sep, fc.constantFrom('dev', 'DEV'), sep, fc.oneof(numeral(), fc.constant('')))
    .map((p) => p.join('')),
  3,
);
const local = maybe(
  fc
    .array(fc.oneof(numeral(), fc.constantFrom('ubuntu', 'a', 'abc', 'cpu', 'cu118', '1e5', 'Z')), {
      minLength: 1,
      maxLength: 3,
    })
    .map((p) => '+' + p.join('.')),
  4,
);
const epoch = maybe(
  numeral().map((n) => `${n}!`),
  5,
);
const pyVersion = fc
  .tuple(fc.constantFrom('', '', '', 'v', 'V', ' '), epoch, release, pre, post, dev, local)
  .map((p) => p.join(''));
const EDITS = [
  'a1',
  'b1',
  'rc1',
  '.post1',
  '.dev0',
  '-1',
  '+local',
  '.0',
  '0',
  '!',
  '+',
  '.',
  'a',
  'post',
  'dev',
];
const randomish = versionish('0123456789.!+-_abcdeprvlostABC ', 12);

/** python3 with `packaging`: the pyenv one or Debian's (python3-packaging). */
function python(): string | null {
  for (const py of ['python3', '/usr/bin/python3'])
    if (works(py, ['-c', 'import packaging.version'])) return py;
  return null;
}

/** Per pair: -1, 0 or 1, or "E <a valid> <b valid>"; then packaging's version on stderr. */
const PACKAGING = `
import sys, json
import packaging
from packaging.version import Version, InvalidVersion
def parse(s):
    try:
        return Version(s)
    except InvalidVersion:
        return None
out = []
for line in sys.stdin:
    a, b = json.loads(line)
    x, y = parse(a), parse(b)
    if x is None or y is None:
        out.append("E %d %d" % (x is not None, y is not None))
    else:
        out.append(str((x > y) - (x < y)))
sys.stdout.write("\\n".join(out) + "\\n")
sys.stderr.write(packaging.__version__)
`;

versionSchemeSuite({
  scheme: pep440,
  parse: parsePep440,
  cases: {
    ascending: [
      [
        '1.0.dev0',
        '1.0a1.dev1',
        '1.0a1',
        '1.0a1.post1.dev1',
        '1.0a1.post1',
        '1.0b1',
        '1.0rc1',
        '1.0',
        '1.0+abc',
        '1.0+abc.5',
        '1.0+1',
        '1.0.post1.dev0',
        '1.0.post1',
        '1.0.1',
        '1!0.1',
      ],
      ['1.99999999999999999998', '1.99999999999999999999'],
      // Python reads "1e5" as a word, not the number 100000.
      ['1.0+1e5', '1.0+2'],
    ],
    equal: [
      ['1.0', '1.0.0'],
      ['1.0', 'v1.0'],
      ['1.0c1', '1.0rc1'],
      ['1.0-1', '1.0.post1'],
      ['1.0alpha', '1.0a0'],
      ['1.0+ABC', '1.0+abc'],
      ['1.0+a-b', '1.0+a.b'],
      [' 1.0 ', '1.0'],
      ['99999999999999999999', '099999999999999999999'],
    ],
    invalid: ['', '1.0-', 'a', '1.0+', '1..0', '1.0.post1.post2', 'é1'],
    invalidAfter: '99',
  },
  arbitrary: fc.oneof(pyVersion, randomish),
  hostile: '1.0.post1',
  oracles: [
    {
      title: 'thousands of pairs agree with packaging.version',
      tool: {
        available: () => python() !== null,
        what: "python3's packaging",
        debianPackage: 'python3-packaging',
      },
      check: async () => {
        const list = oraclePairs(pyVersion, randomish, EDITS);
        const { stdout, stderr } = await askJsonLines(python()!, ['-c', PACKAGING], list);
        const answers = answerLines(stdout, list.length);
        const agreement = agreementWith(
          pep440,
          `pep440 (packaging ${stderr.trim()})`,
          'python',
          list,
          answers,
        );
        return { agreement, min: 5000 };
      },
    },
  ],
});

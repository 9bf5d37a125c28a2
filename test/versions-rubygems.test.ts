/**
 * RubyGems ordering against Ruby's own Gem::Version: thousands of generated pairs and random
 * strings through one `ruby` process. Plus the total-order properties and known cases.
 */
import fc from 'fast-check';
import { parseGem, rubygems } from '../src/vulndb/versions/rubygems.js';
import { agreementWith, numeral, versionish, wellFormed } from './support/oracles/order.js';
import { answerLines, works } from './support/oracles/tools.js';
import { askJsonLines, maybe, oraclePairs, versionSchemeSuite } from './support/version-suite.js';

const word = fc.constantFrom('a', 'b', 'pre', 'rc', 'RC', 'beta', 'alpha', 'Beta', 'java', 'x', 'Z');
const seg = fc.oneof(
  { weight: 3, arbitrary: numeral() },
  { weight: 1, arbitrary: word },
  { weight: 1, arbitrary: fc.tuple(word, numeral()).map(([w, n]) => w + n) },
);
const gemVersion = fc
  .tuple(
    fc.constantFrom('', '', '', ' '),
    numeral(),
    fc.array(seg, { maxLength: 4 }),
    maybe(
      fc.array(seg, { minLength: 1, maxLength: 2 }).map((s) => '-' + s.join('.')),
      4,
    ),
  )
  .map(([ws, n, rest, pre]) => ws + [n, ...rest].join('.') + pre);
const EDITS = ['.0', '.a', '.pre', '-rc1', '.1', '0', 'a', '.', '-', 'RC', 'b1'];
const randomish = versionish('0123456789.-abAZ \t', 10);

/** Per pair: -1, 0 or 1, or "E <a valid> <b valid>"; then RubyGems' version on stderr. */
const GEM_VERSION = `
require "json"
out = []
STDIN.each_line do |line|
  a, b = JSON.parse(line)
  va, vb = Gem::Version.correct?(a), Gem::Version.correct?(b)
  if va && vb
    out << (Gem::Version.new(a) <=> Gem::Version.new(b)).to_s
  else
    out << "E #{va ? 1 : 0} #{vb ? 1 : 0}"
  end
end
STDOUT.write(out.join("\\n") + "\\n")
STDERR.write(Gem::VERSION)
`;

versionSchemeSuite({
  scheme: rubygems,
  parse: parseGem,
  cases: {
    ascending: [
      ['1.0.a', '1.0.a.1', '1.0.b', '1.0.pre', '1.0.rc1', '1.0', '1.0.1', '1.1', '2'],
      // Ruby compares words bytewise: "RC" < "beta".
      ['1.0.RC1', '1.0.beta'],
      ['1.99999999999999999998', '1.99999999999999999999'],
    ],
    equal: [
      ['1.0', '1'],
      ['1.0.0', '1'],
      ['1.0-rc1', '1.0.pre.rc1'],
      ['1.0.a', '1.a'],
      ['', '0'],
      [' 1.0 ', '1.0'],
    ],
    invalid: ['1a', 'a', '1.0-', '1..0', '-1', '1.0 1', 'é'],
    invalidAfter: '99',
  },
  arbitrary: fc.oneof(gemVersion, randomish),
  hostile: '1.2.3.pre',
  oracles: [
    {
      title: 'thousands of pairs agree with Gem::Version',
      tool: { available: () => works('ruby', ['-e', 'Gem::Version']), what: 'ruby', debianPackage: 'ruby' },
      check: async () => {
        const list = oraclePairs(gemVersion, randomish, EDITS).filter(([a, b]) => wellFormed(a + b));
        const { stdout, stderr } = await askJsonLines('ruby', ['-e', GEM_VERSION], list);
        const answers = answerLines(stdout, list.length);
        const name = `rubygems (Gem::Version, rubygems ${stderr.trim()})`;
        return { agreement: agreementWith(rubygems, name, 'ruby', list, answers), min: 5000 };
      },
    },
  ],
});

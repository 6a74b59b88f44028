import { describe, expect, it } from 'vitest';
import { parseContract } from '../../../lambdas/core/contract.js';
import { ContractError } from '../../../lambdas/core/errors.js';
import { compileKeyPattern, keyPatternProblem } from '../../../lambdas/core/key-pattern.js';
import { partitionDateOf } from '../../../lambdas/core/sweep.js';

const minimal = { ingestion_key: 'things', sources: [{ prefix: 'things/' }], columns: [{ name: 'id' }] };
const withPattern = (key_pattern: string) => ({ ...minimal, partition_date: { key_pattern } });

const SAFE = [
  '(?<year>\\d{4})-(?<month>\\d{2})-(?<day>\\d{2})',
  '(?<year>\\d{4})/(?<month>\\d{2})(?:/(?<day>\\d{2}))?',
  '(?<year>\\d{4})/(?<month>\\d{2})/(?<day>\\d{2})/',
  '^[^/]+/(?<year>\\d{4})(?<month>\\d{2})(?<day>\\d{2})',
  '.*?_(?<year>20\\d\\d)-(?<month>[01]\\d)',
  'dt=(?<year>\\d{4})-(?<month>\\d{2})(?:-(?<day>\\d{2}))?',
  '(?:ab){3}(?<year>\\d{4})\\{x\\}',
];

const UNSAFE: Array<[string, RegExp]> = [
  ['(?<year>(\\d+)+)x', /nested quantifier/],
  ['(a*)*', /nested quantifier/],
  ['(?:\\d|\\d)+x', /alternation inside a repeated group/],
  ['(?:a?){20}', /nested quantifier/],
  ['(?<year>\\d{4})\\1', /backreference/],
  ['(?<year>\\d{4})-\\k<year>', /backreference/],
  ['\\d+\\d+x', /2 unbounded quantifiers/],
  ['.*.*.*x', /3 unbounded quantifiers/],
  ['\\d{0,500}\\d{0,500}x', /2 unbounded quantifiers/],
  ['a?'.repeat(13), /too many ways to match/],
  [`${'a?'.repeat(7)}.*`, /too many ways to match/],
];

describe('partition_date.key_pattern safety', () => {
  it.each(SAFE)('accepts the linear pattern %s', (pattern) => {
    expect(keyPatternProblem(pattern)).toBeUndefined();
    expect(parseContract(withPattern(pattern), 'things.json').partition_date?.key_pattern).toBe(pattern);
  });

  it.each(UNSAFE)('refuses the super-linear pattern %s', (pattern, reason) => {
    expect(keyPatternProblem(pattern)).toMatch(reason);
  });

  it('refuses a contract with a super-linear pattern, naming the field and the reason', () => {
    expect(() => parseContract(withPattern('(?<year>(\\d+)+)x'), 'things.json')).toThrow(ContractError);
    expect(() => parseContract(withPattern('(?<year>(\\d+)+)x'), 'things.json')).toThrow(
      /invalid dataset contract things\.json: partition_date\.key_pattern: refused, the sweep runs it on every key: .*nested quantifier/,
    );
  });

  it('still reports a pattern that does not compile as an invalid regular expression', () => {
    expect(() => parseContract(withPattern('(?<year>\\d{4}'), 'things.json')).toThrow(
      /partition_date\.key_pattern: invalid regular expression/,
    );
  });

  it('never lets the sweep run a refused pattern, even from a contract that skipped the schema', () => {
    const contract = {
      ...parseContract(minimal, 'things.json'),
      partition_date: { key_pattern: '(?<year>(\\d+)+)x' },
    };
    const head = { bucket: 'landing', key: `things/${'1'.repeat(40)}`, etag: '"e"', size: 1 };
    expect(() => partitionDateOf(contract, head)).toThrow(/partition_date\.key_pattern .* refused/);
    expect(() => compileKeyPattern('\\d+\\d+x')).toThrow(ContractError);
  });

  it('checks a long hostile pattern in well under a millisecond per character', () => {
    const hostile = `${'(?:(?<g>[a-z]{1,3})|\\d+)*'.repeat(500)}x`;
    const started = performance.now();
    const problem = keyPatternProblem(hostile);
    expect(problem).toBeDefined();
    expect(performance.now() - started).toBeLessThan(hostile.length / 10);
  });

  it('leaves every accepted pattern fast on a worst-case 1,024-character key', () => {
    for (const pattern of SAFE) {
      const re = compileKeyPattern(pattern);
      for (const key of ['1'.repeat(1024), '/'.repeat(1024), 'a_'.repeat(512)]) {
        const started = performance.now();
        re.exec(key);
        expect(performance.now() - started).toBeLessThan(50);
      }
    }
  });
});

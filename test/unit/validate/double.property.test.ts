import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INVALID, parseDouble } from '../../../lambdas/core/validate/values.js';

/** What the double parser must agree with: Number(), less radix literals and non-finite values. */
function reference(raw: string): unknown {
  const s = raw.trim();
  if (s === '') return null;
  const v = Number(s);
  return Number.isFinite(v) && !/^[+-]?0[xob]/i.test(s) ? v : INVALID;
}

describe('parseDouble (property)', () => {
  it('gives the very double Number() gives for decimals, and the same verdict on anything else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.stringMatching(/^ ?[+-]?\d{0,18}(\.\d{0,18})?([eE][+-]?\d{1,3})? ?$/),
          fc.stringMatching(/^[+-]?0[0-9xob.]{0,6}$/),
          fc.string({ maxLength: 8 }),
        ),
        (s) => {
          const got = parseDouble(s);
          const want = reference(s);
          expect(Object.is(got, want) || got === want).toBe(true);
        },
      ),
      { numRuns: 5000 },
    );
  });
});

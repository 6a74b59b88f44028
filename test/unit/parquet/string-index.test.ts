import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StringIndex } from '../../../lambdas/core/parquet/string-index.js';

describe('StringIndex', () => {
  it('numbers distinct strings in order of arrival, as a Map would, across growth and clears', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string({ maxLength: 6 }), { maxLength: 300 }), { maxLength: 4 }),
        (chunks) => {
          const index = new StringIndex();
          for (const values of chunks) {
            index.clear();
            const expected = new Map<string, number>();
            for (const s of values) {
              const known = expected.get(s);
              const got = index.indexOrAdd(s);
              if (known === undefined) {
                expected.set(s, expected.size);
                expect(got).toBe(-1 - (expected.size - 1));
              } else {
                expect(got).toBe(known);
              }
              expect(index.indexOf(s)).toBe(expected.get(s));
            }
            expect(index.size).toBe(expected.size);
            expect(index.indexOf('longer than any key')).toBe(-1);
          }
        },
      ),
    );
  });

  it('holds a hundred thousand keys and forgets them all on clear', () => {
    const index = new StringIndex();
    for (let i = 0; i < 100_000; i++) index.indexOrAdd(`key-${i}`);
    expect(index.size).toBe(100_000);
    expect(index.indexOf('key-99999')).toBe(99_999);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.indexOf('key-5')).toBe(-1);
    expect(index.indexOrAdd('key-5')).toBe(-1);
  });
});

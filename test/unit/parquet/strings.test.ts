import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StringStats } from '../../../lambdas/core/parquet/string-stats.js';
import { encodeUtf8Tail, writeUtf8 } from '../../../lambdas/core/parquet/utf8.js';

function statsOf(values: string[]): { min?: string; max?: string } {
  const stats = new StringStats();
  for (const v of values) {
    const bytes = Buffer.from(v);
    stats.add(new DataView(bytes.buffer, bytes.byteOffset, bytes.length), 0, bytes.length);
  }
  const { min, max } = stats.bytes();
  return {
    ...(min ? { min: Buffer.from(min).toString() } : {}),
    ...(max ? { max: Buffer.from(max).toString() } : {}),
  };
}

/** The reference: sort by UTF-8 bytes, unsigned. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('UTF-8 encoding of string values', () => {
  it('matches Buffer for any string after an ASCII prefix, lone surrogates included', () => {
    const anyUnits = fc.string({
      unit: fc.oneof(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
        fc.constantFrom('\ud800', '\udfff'),
      ),
    });
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 3 }), anyUnits, (ascii, rest) => {
        const prefix = [...ascii].filter((c) => c.charCodeAt(0) < 0x80).join('');
        const s = prefix + rest;
        const out = Buffer.alloc(s.length * 3);
        out.write(prefix, 'latin1');
        const end = encodeUtf8Tail(s, prefix.length, out, prefix.length);
        expect(out.subarray(0, end).equals(Buffer.from(s))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('writeUtf8', () => {
  it('matches Buffer for short and long strings, lone surrogates included', () => {
    const unit = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      fc.constantFrom('\ud83d', 'a'),
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 80 }), fc.nat({ max: 5 }), (s, at) => {
        const out = Buffer.alloc(at + s.length * 3);
        const end = writeUtf8(s, out, at);
        expect(out.subarray(at, end).equals(Buffer.from(s))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('string statistics', () => {
  it('orders by UTF-8 bytes, where U+FFFF sorts below an emoji unlike in UTF-16', () => {
    expect(statsOf(['\uffff', '😀', 'z'])).toEqual({ min: 'z', max: '😀' });
    expect('\uffff' > '😀').toBe(true);
  });

  it('treats the empty string as the smallest value', () => {
    expect(statsOf(['b', '', 'a'])).toEqual({ min: '', max: 'b' });
  });

  it('orders a prefix before its extensions', () => {
    expect(statsOf(['abcd', 'abc', 'abcde', 'abcdefgh', 'abcdefg'])).toEqual({ min: 'abc', max: 'abcdefgh' });
  });

  it('leaves out a bound longer than 4096 bytes but keeps the other one', () => {
    const long = 'z'.repeat(5000);
    expect(statsOf(['m', long, 'a'])).toEqual({ min: 'a' });
    expect(statsOf([long, 'z'.repeat(6000), 'b'])).toEqual({ min: 'b' });
  });

  it('keeps exact bounds among long values sharing a prefix', () => {
    const a = `${'x'.repeat(4200)}a`;
    const b = `${'x'.repeat(4200)}b`;
    expect(statsOf([b, a, 'x'.repeat(4096)])).toEqual({ min: 'x'.repeat(4096) });
  });

  it('agrees with a byte-wise sort for any strings', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { minLength: 1, maxLength: 40 }),
        (values) => {
          const sorted = values.slice().sort(byteOrder);
          expect(statsOf(values)).toEqual({ min: sorted[0], max: sorted[sorted.length - 1] });
        },
      ),
      { numRuns: 300 },
    );
  });
});

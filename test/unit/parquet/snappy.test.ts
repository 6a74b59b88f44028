import fc from 'fast-check';
import { snappyUncompress } from 'hyparquet';
import snappy from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { ByteBuf } from '../../../lambdas/core/parquet/bytes.js';
import { snappyCompress, snappyMaxLength } from '../../../lambdas/core/parquet/snappy.js';

function compress(input: Uint8Array): Uint8Array {
  const out = new ByteBuf(16);
  snappyCompress(input, out);
  expect(out.pos).toBeLessThanOrEqual(snappyMaxLength(input.length) + 5);
  return Uint8Array.from(out.view());
}

/** Byte equality without a deep comparison's cost; names the first difference when there is one. */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  if (Buffer.from(actual).equals(Buffer.from(expected))) return;
  let i = 0;
  while (i < actual.length && actual[i] === expected[i]) i++;
  expect({ length: actual.length, firstDifference: i }).toEqual({
    length: expected.length,
    firstDifference: -1,
  });
}

function expectRoundTrip(input: Uint8Array): Uint8Array {
  const compressed = compress(input);
  expectSameBytes(snappy.uncompress(compressed), input);
  const viaHyparquet = new Uint8Array(input.length);
  snappyUncompress(compressed, viaHyparquet);
  expectSameBytes(viaHyparquet, input);
  return compressed;
}

const text = (s: string) => new Uint8Array(Buffer.from(s));

describe('snappy compressor', () => {
  it('compresses a view into a larger buffer as it does the same bytes on their own', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(200), fc.nat(200), (data, before, after) => {
        // Repeats give the matcher something to find across the view's whole length.
        const input = Uint8Array.from([...data, ...data.subarray(0, 100), ...data]);
        const buffer = new Uint8Array(before + input.length + after).fill(0x61);
        buffer.set(input, before);
        const view = buffer.subarray(before, before + input.length);
        expectSameBytes(compress(view), compress(Uint8Array.from(input)));
        expectRoundTrip(view);
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips empty, tiny and just-below-margin inputs', () => {
    for (const s of ['', 'a', 'abcd', 'aaaaaaaaaaaaaa', 'abcdefghijklmn', 'abcabcabcabcabcabc'])
      expectRoundTrip(text(s));
  });

  it('compresses repetitive input and round-trips it', () => {
    const input = text('2024-01-01 00:00:00,active,1234.56\n'.repeat(5000));
    expect(expectRoundTrip(input).length).toBeLessThan(input.length / 10);
  });

  it('round-trips incompressible input across several 64 KiB fragments', () => {
    const input = new Uint8Array(300_000);
    let x = 12345;
    for (let i = 0; i < input.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      input[i] = x >>> 24;
    }
    expect(expectRoundTrip(input).length).toBeLessThan(input.length + 100);
  });

  it('stores a large input whose samples do not compress by an eighth, and compresses a small one', () => {
    // Random 40-bit numbers as PLAIN int64: the zero high bytes make a short match now and then,
    // which saves about 8%, as on a page of amounts.
    const values = (count: number) => {
      const input = new Uint8Array(count * 8);
      const dv = new DataView(input.buffer);
      let x = 99;
      const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
      for (let i = 0; i < count; i++) {
        dv.setUint32(i * 8, next(), true);
        dv.setUint8(i * 8 + 4, next() >>> 24);
      }
      return input;
    };
    const small = values(7000);
    const smallOut = expectRoundTrip(small).length;
    expect(smallOut).toBeLessThan(small.length);
    expect(smallOut).toBeGreaterThan(small.length * (7 / 8));

    const large = values(100_000);
    const stored = expectRoundTrip(large).length;
    expect(stored).toBeGreaterThanOrEqual(large.length);
    expect(stored).toBeLessThan(large.length + 100);
  });

  it('round-trips long runs and long matches that need several copy elements', () => {
    expectRoundTrip(new Uint8Array(200_000).fill(7));
    const block = text('x'.repeat(70) + 'y'.repeat(300) + 'the quick brown fox '.repeat(10));
    const input = new Uint8Array(block.length * 400);
    for (let i = 0; i < 400; i++) input.set(block, i * block.length);
    expectRoundTrip(input);
  });

  it('round-trips arbitrary bytes and low-entropy byte strings', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 3000 }),
          fc.array(fc.constantFrom(0, 1, 2, 65), { maxLength: 3000 }),
        ),
        (bytes) => {
          expectRoundTrip(Uint8Array.from(bytes));
        },
      ),
      { numRuns: 200 },
    );
  });
});

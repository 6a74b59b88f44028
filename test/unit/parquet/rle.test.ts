import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteBuf } from '../../../lambdas/core/parquet/bytes.js';
import { bitWidthFor, writeHybrid } from '../../../lambdas/core/parquet/rle.js';

/** The RLE/bit-packed hybrid decoder from the Parquet spec, kept naive on purpose. */
function decodeHybrid(bytes: Uint8Array, bitWidth: number, count: number): number[] {
  const out: number[] = [];
  let pos = 0;
  const varint = () => {
    let n = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++]!;
      n += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) return n;
    }
  };
  while (out.length < count) {
    const header = varint();
    if (header % 2 === 0) {
      let value = 0;
      for (let b = 0; b < Math.ceil(bitWidth / 8); b++) value |= bytes[pos++]! << (8 * b);
      for (let i = 0; i < header / 2; i++) out.push(value);
    } else {
      const values = ((header - 1) / 2) * 8;
      let bit = 0;
      const start = pos;
      for (let i = 0; i < values; i++) {
        let v = 0;
        for (let k = 0; k < bitWidth; k++, bit++) v |= ((bytes[start + (bit >> 3)]! >> (bit & 7)) & 1) << k;
        out.push(v);
      }
      pos = start + (values * bitWidth) / 8;
    }
  }
  expect(pos).toBe(bytes.length);
  return out.slice(0, count);
}

function encode(values: number[], bitWidth: number, start = 0, end = values.length): Uint8Array {
  const out = new ByteBuf(4);
  writeHybrid(Int32Array.from(values), start, end, bitWidth, out);
  return out.view();
}

describe('RLE/bit-packed hybrid encoder', () => {
  it('uses one RLE run for a constant sequence', () => {
    expect([...encode(new Array(1000).fill(1), 1)]).toEqual([0xd0, 0x0f, 1]);
  });

  it('bit-packs short runs and pads the last group of 8', () => {
    const values = [1, 0, 1, 1, 0, 0, 0, 1, 1, 0];
    const bytes = encode(values, 1);
    expect(bytes[0]).toBe(2 * 2 + 1);
    expect(decodeHybrid(bytes, 1, values.length)).toEqual(values);
  });

  it('encodes only the requested range', () => {
    const values = [9, 9, 1, 2, 3, 9, 9];
    expect(decodeHybrid(encode(values, 4, 2, 5), 4, 3)).toEqual([1, 2, 3]);
  });

  it('computes the smallest bit width, never below 1', () => {
    expect([0, 1, 2, 3, 4, 255, 256].map(bitWidthFor)).toEqual([1, 1, 2, 2, 3, 8, 9]);
  });

  it('decodes back to the input for any values and widths', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }).chain((width) =>
          fc.tuple(
            fc.constant(width),
            fc.array(
              fc.oneof(
                fc.integer({ min: 0, max: 2 ** width - 1 }).map((v) => [v]),
                fc
                  .tuple(fc.integer({ min: 0, max: 2 ** width - 1 }), fc.integer({ min: 1, max: 40 }))
                  .map(([v, n]) => new Array<number>(n).fill(v)),
              ),
              { maxLength: 60 },
            ),
          ),
        ),
        ([width, runs]) => {
          const values = runs.flat();
          expect(decodeHybrid(encode(values, width), width, values.length)).toEqual(values);
        },
      ),
      { numRuns: 300 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BytesIndex } from '../../../lambdas/core/parquet/bytes-index.js';

/** The dictionary BytesIndex looks values up in: each entry's length (4 bytes LE), then its bytes. */
class Dictionary {
  bytes = new Uint8Array(1 << 16);
  offsets = new Int32Array(1 << 14);
  end = 0;

  add(k: number, value: Uint8Array): void {
    this.offsets[k] = this.end;
    new DataView(this.bytes.buffer).setUint32(this.end, value.length, true);
    this.bytes.set(value, this.end + 4);
    this.end += 4 + value.length;
  }
}

describe('BytesIndex', () => {
  it('numbers distinct byte strings in order of arrival, as a Map would, across growth and clears', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.uint8Array({ maxLength: 11 }), { maxLength: 300 }), { maxLength: 4 }),
        (chunks) => {
          const index = new BytesIndex();
          for (const values of chunks) {
            index.clear();
            const dict = new Dictionary();
            const expected = new Map<string, number>();
            // Each value sits inside a larger buffer, as a field sits inside a CSV chunk.
            for (const value of values) {
              const source = new Uint8Array(value.length + 6);
              source.set(value, 3);
              const key = Buffer.from(value).toString('hex');
              const got = index.indexOrAdd(
                source,
                new DataView(source.buffer),
                3,
                3 + value.length,
                dict.bytes,
                new DataView(dict.bytes.buffer),
                dict.offsets,
              );
              const known = expected.get(key);
              if (known === undefined) {
                expected.set(key, expected.size);
                expect(got).toBe(-1 - (expected.size - 1));
                dict.add(expected.size - 1, value);
              } else {
                expect(got).toBe(known);
              }
            }
            expect(index.size).toBe(expected.size);
          }
        },
      ),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteSpans, type ColumnValues, ParquetWriter } from '../../../lambdas/core/parquet/index.js';
import { readParquetMetadata, readParquetRows } from '../../helpers/parquet-read.js';
import { col } from './write.js';

/** `values` as spans of one buffer, each value at a random gap from the last, nulls as -1. */
function spansOf(values: readonly (string | null)[], gaps: readonly number[]): ByteSpans {
  const parts: Buffer[] = [];
  const starts = new Int32Array(values.length);
  const ends = new Int32Array(values.length);
  let at = 0;
  values.forEach((value, i) => {
    const gap = Buffer.alloc(gaps[i % gaps.length] ?? 0, 0x2c);
    parts.push(gap);
    at += gap.length;
    if (value === null) {
      starts[i] = -1;
      return;
    }
    const bytes = Buffer.from(value);
    parts.push(bytes);
    starts[i] = at;
    at += bytes.length;
    ends[i] = at;
  });
  return new ByteSpans(new Uint8Array(Buffer.concat(parts)), starts, ends, values.length);
}

/** The file of one string column written in blocks of `block` rows, each block made by `make`. */
async function fileOf(
  values: readonly (string | null)[],
  block: number,
  make: (values: (string | null)[]) => ColumnValues,
  pageSizeBytes?: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const writer = new ParquetWriter({ write: (c) => void chunks.push(Buffer.from(c)) }, [col('s', 'string')], {
    byteStrings: true,
    pageSizeBytes,
  });
  for (let start = 0; start < values.length; start += block) {
    const slice = values.slice(start, start + block);
    await writer.appendRows([make(slice)], slice.length);
  }
  await writer.close();
  return Buffer.concat(chunks);
}

/** Byte text of a value, as the writer's string path takes it. */
const byteText = (v: string | null) => (v === null ? null : Buffer.from(v).toString('latin1'));

describe('string columns given as ByteSpans', () => {
  it('write the same file as the same values given as strings, dictionary or PLAIN', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(fc.oneof(fc.constantFrom('a', 'bb', 'é', ''), fc.string({ maxLength: 80 }))), {
          minLength: 1,
          maxLength: 400,
        }),
        fc.array(fc.nat(4), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 200 }),
        fc.constantFrom(undefined, 256),
        async (values, gaps, block, pageSizeBytes) => {
          const asStrings = await fileOf(values, block, (v) => v.map(byteText), pageSizeBytes);
          const asSpans = await fileOf(values, block, (v) => spansOf(v, gaps), pageSizeBytes);
          expect(asSpans.equals(asStrings)).toBe(true);
          const rows = await readParquetRows(asSpans);
          expect(rows.map((r) => r.s)).toEqual(values);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keep a row group right when one block comes as strings and the next as spans', async () => {
    const values = ['x', 'y', 'x', null, 'z', 'x', 'y', 'x'];
    let n = 0;
    const file = await fileOf(values, 4, (v) => (n++ % 2 === 0 ? v.map(byteText) : spansOf(v, [1])));
    expect((await readParquetRows(file)).map((r) => r.s)).toEqual(values);
    // The chunk's dictionary cannot be keyed both ways: it goes PLAIN.
    const encodings = readParquetMetadata(file).row_groups[0]!.columns[0]!.meta_data!.encodings;
    expect(encodings).not.toContain('RLE_DICTIONARY');
  });

  it('are refused for a column that is not a string', async () => {
    const writer = new ParquetWriter({ write: () => undefined }, [col('n', 'int64')]);
    await expect(writer.appendRows([spansOf(['1'], [0])], 1)).rejects.toThrow(
      /only a string column takes ByteSpans/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import {
  type ColumnValues,
  type ParquetColumn,
  ParquetWriter,
  type ParquetWriterOptions,
} from '../../../lambdas/core/parquet/index.js';
import { readParquetMetadata, readParquetRows } from '../../helpers/parquet-read.js';
import { col, writeParquet } from './write.js';

const COLUMNS = [
  col('repeats', 'string'),
  col('distinct', 'string'),
  col('late_distinct', 'string', false),
  col('sparse', 'string'),
  col('i', 'int64'),
  col('d', 'double'),
  col('b', 'boolean'),
  col('t', 'timestamp_micros', false),
];

/** Columns that hit every encoder path: dictionary, fallback mid-chunk, page splits and nulls. */
function groupValues(rows: number, seed: number): ColumnValues[] {
  const at = <T>(f: (i: number) => T) => Array.from({ length: rows }, (_, i) => f(i));
  return [
    at((i) => (i % 7 === 0 ? null : `r${(i * 31 + seed) % 13}`)),
    at((i) => (i % 5 === 0 ? null : `distinct value ${seed} ${i} ${'é'.repeat(i % 4)}`)),
    // Repeats at first, then outgrows the dictionary cap partway through the chunk.
    at((i) => (i < rows / 2 ? `v${i % 3}` : `late ${i} ${'x'.repeat(i % 50)}`)),
    at((i) => (i % 97 === 3 ? `s${i}` : null)),
    at((i) => (i % 11 === 0 ? null : BigInt(i * 1_000_003 - 500_000 + seed))),
    at((i) => (i % 13 === 0 ? null : i / 7 - seed)),
    at((i) => (i % 3 === 0 ? null : i % 2 === 0)),
    at((i) => BigInt(1_700_000_000_000_000 + i)),
  ];
}

const OPTIONS: ParquetWriterOptions = { pageSizeBytes: 2048, dictionaryMaxBytes: 4096 };

/** Writes each group through appendRows in blocks of `block` rows, then endRowGroup. */
async function writeInBlocks(
  columns: readonly ParquetColumn[],
  groups: readonly ColumnValues[][],
  block: number,
  options?: ParquetWriterOptions,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const writer = new ParquetWriter({ write: (c) => void chunks.push(Buffer.from(c)) }, columns, options);
  for (const values of groups) {
    const rows = values[0]!.length;
    for (let start = 0; start < rows; start += block) {
      const end = Math.min(rows, start + block);
      const slice = values.map((v) => (v as unknown[]).slice(start, end)) as ColumnValues[];
      await writer.appendRows(slice, end - start);
      // The writer keeps nothing of a block: overwriting it must not change the output.
      for (const v of slice) (v as unknown[]).fill(null);
    }
    await writer.endRowGroup();
  }
  const totals = await writer.close();
  const bytes = Buffer.concat(chunks);
  expect(totals.bytes).toBe(bytes.length);
  return bytes;
}

describe('ParquetWriter.appendRows', () => {
  it('writes blocks of one repeated value (lineage columns) as whole row groups do', async () => {
    const columns = [col('constant', 'string', false), col('varying', 'string')];
    const group = (rows: number): ColumnValues[] => [
      new Array(rows).fill('s3://landing/orders/2024-03-01.csv'),
      Array.from({ length: rows }, (_, i) => (i % 4 === 0 ? 's3://landing/orders/2024-03-01.csv' : `v${i}`)),
    ];
    const groups = [group(5000), group(300)];
    const whole = await writeParquet(columns, groups, OPTIONS);
    for (const block of [100, 2048])
      expect(await writeInBlocks(columns, groups, block, OPTIONS)).toEqual(whole);
    const rows = await readParquetRows(whole);
    expect(rows).toHaveLength(5300);
    expect(rows.every((r) => r.constant === 's3://landing/orders/2024-03-01.csv')).toBe(true);
  });

  it('writes the same bytes whatever the block size', async () => {
    const groups = [groupValues(3000, 1), groupValues(1234, 2), groupValues(1, 3)];
    const whole = await writeParquet(COLUMNS, groups, OPTIONS);
    for (const block of [1, 7, 100, 2049, 5000]) {
      expect(await writeInBlocks(COLUMNS, groups, block, OPTIONS)).toEqual(whole);
    }
    const meta = readParquetMetadata(whole);
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([3000, 1234, 1]);
    const encodings = meta.row_groups[0]!.columns.map((c) => c.meta_data!.encodings);
    expect(encodings[0]).toContain('RLE_DICTIONARY');
    expect(encodings[2]).not.toContain('RLE_DICTIONARY');
    const rows = await readParquetRows(whole, { timestampsAsMicros: true });
    const expected = groups.flatMap((g) =>
      Array.from({ length: g[0]!.length }, (_, r) =>
        Object.fromEntries(COLUMNS.map((c, i) => [c.name, (g[i] as unknown[])[r]])),
      ),
    );
    expect(rows).toEqual(expected);
  });

  it('writes int64 safe-integer numbers exactly as the same bigints', async () => {
    const ints = [
      0,
      -0,
      1,
      -1,
      2 ** 32,
      -(2 ** 32),
      2 ** 32 - 1,
      2 ** 53 - 1,
      -(2 ** 53 - 1),
      null,
      123_456_789,
    ];
    const columns = [col('i', 'int64'), col('t', 'timestamp_micros')];
    const asNumbers = await writeParquet(columns, [[ints, ints]]);
    const big = ints.map((v) => (v === null ? null : BigInt(v)));
    expect(asNumbers).toEqual(await writeParquet(columns, [[big, big]]));
    const rows = await readParquetRows(asNumbers, { timestampsAsMicros: true });
    expect(rows.map((r) => r.i)).toEqual(big);
    const mixed = ints.map((v, k) => (v === null || k % 2 ? v : BigInt(v)));
    expect(await writeParquet(columns, [[mixed, mixed]])).toEqual(asNumbers);
  });

  it('ends an open row group on close, and counts rows across blocks', async () => {
    const chunks: Buffer[] = [];
    const writer = new ParquetWriter({ write: (c) => void chunks.push(Buffer.from(c)) }, [
      col('s', 'string'),
    ]);
    await writer.appendRows([['a', 'b']], 2);
    await writer.appendRows([[null]], 1);
    await writer.endRowGroup();
    await writer.endRowGroup();
    await writer.appendRows([['c']], 1);
    expect(await writer.close()).toEqual({ rows: 4, bytes: Buffer.concat(chunks).length });
    const file = Buffer.concat(chunks);
    expect(readParquetMetadata(file).row_groups.map((g) => Number(g.num_rows))).toEqual([3, 1]);
    expect((await readParquetRows(file)).map((r) => r.s)).toEqual(['a', 'b', null, 'c']);
  });

  it('drops the open row group on a bad value and stays usable, naming the row in the group', async () => {
    const chunks: Buffer[] = [];
    const writer = new ParquetWriter({ write: (c) => void chunks.push(Buffer.from(c)) }, [
      col('s', 'string', false),
    ]);
    await writer.appendRows([['a', 'b']], 2);
    await expect(writer.appendRows([['c', null]], 2)).rejects.toThrow(/not nullable but row 3 is null/);
    await writer.appendRows([['d']], 1);
    await writer.endRowGroup();
    expect(await writer.close()).toEqual({ rows: 1, bytes: Buffer.concat(chunks).length });
    expect((await readParquetRows(Buffer.concat(chunks))).map((r) => r.s)).toEqual(['d']);
  });
});

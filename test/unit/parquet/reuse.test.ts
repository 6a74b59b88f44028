import { describe, expect, it } from 'vitest';
import type { ColumnValues, ParquetWriterOptions } from '../../../lambdas/core/parquet/index.js';
import { readParquetRows } from '../../helpers/parquet-read.js';
import { col, writeParquet } from './write.js';

const COLUMNS = [
  col('code', 'string'),
  col('text', 'string', false),
  col('n', 'int64'),
  col('x', 'double'),
  col('flag', 'boolean'),
];

function values(rows: number, distinct: boolean): ColumnValues[] {
  const at = <T>(f: (i: number) => T) => Array.from({ length: rows }, (_, i) => f(i));
  return [
    at((i) => (i % 9 === 0 ? null : `c${i % 4}`)),
    at((i) => (distinct ? `distinct ${i} ${'y'.repeat(i % 300)}` : `t${i % 3}`)),
    at((i) => (i % 5 === 0 ? null : i * 1_000_003 - 7)),
    at((i) => i / 3),
    at((i) => (i % 4 === 0 ? null : i % 2 === 0)),
  ];
}

const OPTIONS: ParquetWriterOptions = { pageSizeBytes: 4096, dictionaryMaxBytes: 8192 };

describe('ParquetWriter reusing the encoders of earlier files', () => {
  it('writes a small file byte for byte the same before and after a large file that gave up on dictionaries', async () => {
    const small = [values(40, false)];
    const before = await writeParquet(COLUMNS, small, OPTIONS);
    // Pages far past the retained buffer size, and a column that falls back to PLAIN for good.
    const large = await writeParquet(COLUMNS, [values(30_000, true), values(20_000, true)], OPTIONS);
    const after = await writeParquet(COLUMNS, small, OPTIONS);
    expect(after.equals(before)).toBe(true);
    expect((await readParquetRows(large)).length).toBe(50_000);
    const rows = await readParquetRows(after);
    expect(rows).toHaveLength(40);
    expect(rows[1]).toMatchObject({ code: 'c1', text: 't1', n: 999_996n, flag: false });
    expect(rows[20]).toMatchObject({ code: 'c0', n: null, flag: null });
  });

  it('gives two writers open at once encoders of their own', async () => {
    const [a, b] = await Promise.all([
      writeParquet(COLUMNS, [values(500, false)], OPTIONS),
      writeParquet(COLUMNS, [values(700, true)], OPTIONS),
    ]);
    expect(await readParquetRows(a)).toHaveLength(500);
    const rowsB = await readParquetRows(b);
    expect(rowsB).toHaveLength(700);
    expect(rowsB[699]).toMatchObject({ text: `distinct 699 ${'y'.repeat(699 % 300)}` });
  });
});

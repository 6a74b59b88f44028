import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ColumnValues,
  NumberValues,
  type ParquetColumn,
  ParquetWriter,
} from '../../../lambdas/core/parquet/index.js';
import { queryParquetWithDuckDb, readParquetRows } from '../../helpers/parquet-read.js';
import { col } from './write.js';

type Value = number | boolean | null;

/** `values` as NumberValues in arrays longer than the block, with junk where a row is null. */
function numbersOf(values: readonly Value[]): NumberValues {
  const numbers = new Float64Array(values.length + 3).fill(-7);
  const present = new Uint8Array(values.length + 3).fill(1);
  values.forEach((v, i) => {
    if (v === null) present[i] = 0;
    else numbers[i] = typeof v === 'boolean' ? Number(v) : v;
  });
  return new NumberValues(numbers, present, values.length);
}

/** The file of one column written in blocks of `block` rows, each block made by `make`. */
async function fileOf(
  column: ParquetColumn,
  values: readonly Value[],
  block: number,
  make: (values: Value[], blockIndex: number) => ColumnValues,
  pageSizeBytes?: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const writer = new ParquetWriter({ write: (c) => void chunks.push(Buffer.from(c)) }, [column], {
    pageSizeBytes,
  });
  for (let start = 0, k = 0; start < values.length; start += block, k++) {
    const slice = values.slice(start, start + block);
    await writer.appendRows([make(slice, k)], slice.length);
  }
  await writer.close();
  return Buffer.concat(chunks);
}

const asArray = (v: Value[]) => v as ColumnValues;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Each fixed type with values of its range (and nulls). */
const cases: [ParquetColumn, fc.Arbitrary<Value>][] = [
  [col('i32', 'int32'), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })],
  [col('date', 'date'), fc.integer({ min: -1_000_000, max: 1_000_000 })],
  [col('i64', 'int64'), fc.oneof(fc.integer(), fc.integer({ min: -MAX_SAFE, max: MAX_SAFE }))],
  [col('ts', 'timestamp_micros'), fc.integer({ min: -MAX_SAFE, max: MAX_SAFE })],
  [col('dbl', 'double'), fc.double()],
  [col('flag', 'boolean'), fc.boolean()],
  [{ ...col('d9', 'decimal'), precision: 9, scale: 2 }, fc.integer({ min: -999_999_999, max: 999_999_999 })],
  [{ ...col('d18', 'decimal'), precision: 18, scale: 4 }, fc.integer({ min: -MAX_SAFE, max: MAX_SAFE })],
  [{ ...col('d30', 'decimal'), precision: 30, scale: 6 }, fc.integer({ min: -MAX_SAFE, max: MAX_SAFE })],
];

describe('columns given as NumberValues', () => {
  it.each(cases)('write the same file as the same values in an array: $name', async (column, value) => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(value, { freq: 4 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 120 }),
        fc.constantFrom(undefined, 64),
        async (values, block, pageSizeBytes) => {
          const asValues = await fileOf(column, values, block, asArray, pageSizeBytes);
          const asNumbers = await fileOf(column, values, block, numbersOf, pageSizeBytes);
          expect(asNumbers.equals(asValues)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keep a chunk right when its blocks come both ways, and read back in DuckDB', async () => {
    const values = [5, null, -3, 2 ** 40, 7, null, 1, 9_007_199_254_740_991];
    const file = await fileOf(col('n', 'int64'), values, 3, (v, k) => (k % 2 ? asArray(v) : numbersOf(v)));
    expect((await readParquetRows(file)).map((r) => r.n)).toEqual(
      values.map((v) => (v === null ? null : BigInt(v))),
    );
    const [stats] = await queryParquetWithDuckDb(
      file,
      'SELECT min(n)::VARCHAR lo, max(n)::VARCHAR hi FROM parquet',
    );
    expect(stats).toEqual({ lo: '-3', hi: '9007199254740991' });
  });

  it('are checked as arrays are, naming the column and row', async () => {
    const refuse = async (column: ParquetColumn, values: Value[], message: RegExp) => {
      const writer = new ParquetWriter({ write: () => undefined }, [column]);
      await expect(writer.appendRows([numbersOf(values)], values.length)).rejects.toThrow(message);
    };
    await refuse(col('n', 'int64'), [1, 2 ** 53], /column "n" row 1: 9007199254740992 is not an int64/);
    await refuse(col('n', 'int64'), [1.5], /column "n" row 0: 1.5 is not an int64/);
    await refuse(col('n', 'int32'), [0, 2 ** 31], /column "n" row 1: 2147483648 is not an int32/);
    await refuse(col('n', 'int64', false), [1, null], /column "n" is not nullable but row 1 is null/);
    await refuse(
      { ...col('d', 'decimal'), precision: 20, scale: 0 },
      [0.5],
      /0.5 does not fit decimal\(20,0\)/,
    );
  });

  it('leave arrays of int32, double and boolean values refusing another type by its row', async () => {
    const refuse = async (column: ParquetColumn, second: unknown[], message: RegExp) => {
      const writer = new ParquetWriter({ write: () => undefined }, [column]);
      // The first block counts: rows are numbered across the row group.
      await writer.appendRows([second.map(() => null) as ColumnValues], second.length);
      await expect(writer.appendRows([second as ColumnValues], second.length)).rejects.toThrow(message);
    };
    await refuse(col('i', 'int32'), [1, '2'], /column "i" expects an int32 number at row 3, got string/);
    await refuse(col('d', 'date'), [7n], /column "d" expects an int32 number at row 1, got bigint/);
    await refuse(col('x', 'double'), [0.5, null, true], /column "x" expects a number at row 5, got boolean/);
    await refuse(col('b', 'boolean'), [true, 1], /column "b" expects a boolean at row 3, got number/);
    const required = new ParquetWriter({ write: () => undefined }, [col('b', 'boolean', false)]);
    await expect(required.appendRows([[true, null]], 2)).rejects.toThrow(
      /column "b" is not nullable but row 1 is null/,
    );
  });

  it('are refused for a string column, and when shorter than the block', async () => {
    const writer = new ParquetWriter({ write: () => undefined }, [col('s', 'string')]);
    await expect(writer.appendRows([numbersOf([1])], 1)).rejects.toThrow(/does not take NumberValues/);
    const short = new NumberValues(new Float64Array(2), new Uint8Array(2), 3);
    const other = new ParquetWriter({ write: () => undefined }, [col('n', 'int64')]);
    await expect(other.appendRows([short], 3)).rejects.toThrow(/shorter than its 3 rows/);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalByteLength } from '../../../lambdas/core/parquet/format.js';
import type { ParquetColumn } from '../../../lambdas/core/parquet/index.js';
import { decimalText, parseDecimal } from '../../../lambdas/core/validate/decimal.js';
import { queryParquetWithDuckDb, readParquetMetadata, readParquetRows } from '../../helpers/parquet-read.js';
import { col, writeParquet } from './write.js';

const decimal = (name: string, precision: number, scale: number, nullable = true): ParquetColumn => ({
  name,
  type: 'decimal',
  nullable,
  precision,
  scale,
});

const MAX38 = 10n ** 38n - 1n;
const MAX18 = 10n ** 18n - 1n;

/** Edge values of each decimal width, as unscaled integers, and their text. */
const DECIMALS: [ParquetColumn, (number | bigint | null)[], (string | null)[]][] = [
  [
    decimal('d9', 9, 2),
    [999_999_999, -999_999_999, 0, null, -5],
    ['9999999.99', '-9999999.99', '0.00', null, '-0.05'],
  ],
  [decimal('d9s0', 9, 0), [1, -1, 0, 123_456_789, null], ['1', '-1', '0', '123456789', null]],
  [
    decimal('d18', 18, 4),
    [MAX18, -MAX18, 0, 12_345, null],
    ['99999999999999.9999', '-99999999999999.9999', '0.0000', '1.2345', null],
  ],
  [decimal('d38', 38, 0), [MAX38, -MAX38, 0n, -1, 1], ['9'.repeat(38), `-${'9'.repeat(38)}`, '0', '-1', '1']],
  [
    decimal('d38s10', 38, 10),
    [MAX38, -MAX38, 1n, null, -(2n ** 64n)],
    [
      `${'9'.repeat(28)}.${'9'.repeat(10)}`,
      `-${'9'.repeat(28)}.${'9'.repeat(10)}`,
      '0.0000000001',
      null,
      '-1844674407.3709551616',
    ],
  ],
  [
    decimal('d20', 20, 2, false),
    [10n ** 20n - 1n, -(10n ** 20n - 1n), 0, 7, -7],
    ['999999999999999999.99', '-999999999999999999.99', '0.00', '0.07', '-0.07'],
  ],
];

describe('Parquet DECIMAL columns', () => {
  it('stores precision up to 9 as INT32, up to 18 as INT64 and above as the fewest fixed bytes', async () => {
    const file = await writeParquet(
      DECIMALS.map(([c]) => c),
      [DECIMALS.map(([, v]) => v)],
    );
    const schema = readParquetMetadata(file).schema.slice(1);
    expect(schema.map((s) => [s.name, s.type, s.type_length, s.logical_type])).toEqual([
      ['d9', 'INT32', undefined, { type: 'DECIMAL', precision: 9, scale: 2 }],
      ['d9s0', 'INT32', undefined, { type: 'DECIMAL', precision: 9, scale: 0 }],
      ['d18', 'INT64', undefined, { type: 'DECIMAL', precision: 18, scale: 4 }],
      ['d38', 'FIXED_LEN_BYTE_ARRAY', 16, { type: 'DECIMAL', precision: 38, scale: 0 }],
      ['d38s10', 'FIXED_LEN_BYTE_ARRAY', 16, { type: 'DECIMAL', precision: 38, scale: 10 }],
      ['d20', 'FIXED_LEN_BYTE_ARRAY', 9, { type: 'DECIMAL', precision: 20, scale: 2 }],
    ]);
    expect([1, 2, 3, 4, 9, 10, 18, 19, 28, 38].map(decimalByteLength)).toEqual([
      1, 1, 2, 2, 4, 5, 8, 9, 12, 16,
    ]);
  });

  it('reads back every edge value exactly through DuckDB, as DECIMAL(p,s)', async () => {
    const file = await writeParquet(
      DECIMALS.map(([c]) => c),
      [DECIMALS.map(([, v]) => v)],
    );
    const select = DECIMALS.map(
      ([c]) => `CAST(${c.name} AS VARCHAR) AS ${c.name}, typeof(${c.name}) AS t_${c.name}`,
    );
    const rows = await queryParquetWithDuckDb(file, `SELECT ${select.join(', ')} FROM parquet`);
    DECIMALS.forEach(([c, , texts]) => {
      expect(rows.map((r) => r[c.name])).toEqual(texts);
      expect(rows[0]![`t_${c.name}`]).toBe(`DECIMAL(${c.precision},${c.scale})`);
    });
  });

  it('reads back the unscaled values through hyparquet', async () => {
    const file = await writeParquet(
      DECIMALS.map(([c]) => c),
      [DECIMALS.map(([, v]) => v)],
    );
    const rows = await readParquetRows(file);
    DECIMALS.forEach(([c, values]) => {
      // hyparquet gives a decimal as a double: the unscaled integer times 10^-scale.
      const expected = values.map((v) => (v === null ? null : Number(v) * 10 ** -c.scale!));
      expect(rows.map((r) => r[c.name])).toEqual(expected);
    });
  });

  it('writes min and max as signed numbers, so negative decimals sort below positive ones', async () => {
    const file = await writeParquet(
      DECIMALS.map(([c]) => c),
      [DECIMALS.map(([, v]) => v)],
    );
    const stats = await queryParquetWithDuckDb(
      file,
      'SELECT path_in_schema AS name, stats_min_value AS min, stats_max_value AS max FROM parquet_metadata($file)',
    );
    expect(stats).toEqual(
      DECIMALS.map(([c, , texts]) => {
        const present = texts.filter((t): t is string => t !== null);
        const sorted = present.sort((a, b) =>
          BigInt(a.replace('.', '')) < BigInt(b.replace('.', '')) ? -1 : 1,
        );
        return { name: c.name, min: sorted[0], max: sorted[sorted.length - 1] };
      }),
    );
  });

  it('writes fixed-byte decimal bounds as signed big-endian bytes, which hyparquet reads too', async () => {
    const file = await writeParquet([decimal('d', 20, 2)], [[[5n, -(10n ** 20n - 1n), 3n]]]);
    const stats = readParquetMetadata(file).row_groups[0]!.columns[0]!.meta_data!.statistics!;
    expect(stats.min_value).toBe(Number(-(10n ** 20n - 1n)) / 100);
    expect(stats.max_value).toBe(0.05);
    // No legacy min/max: older readers compared those bytes unsigned.
    expect(stats.min).toBeUndefined();
  });

  it('prunes row groups by decimal statistics without losing rows', async () => {
    const column = decimal('amount', 38, 2);
    const file = await writeParquet([column], [[[-MAX38, -1n]], [[1n, MAX38]]]);
    const rows = await queryParquetWithDuckDb(file, 'SELECT count(*) AS n FROM parquet WHERE amount < 0');
    expect(rows).toEqual([{ n: 2n }]);
  });

  it('refuses a value too wide for its fixed bytes instead of wrapping it', async () => {
    await expect(writeParquet([decimal('d', 20, 0)], [[[2n ** 71n]]])).rejects.toThrow(
      /"d" row 0: .* does not fit decimal\(20,0\)/,
    );
  });

  it('keeps any decimal text exactly, written and read back through DuckDB (property)', async () => {
    const precisions = fc.integer({ min: 1, max: 38 });
    const cases = precisions.chain((precision) =>
      fc.tuple(
        fc.constant(precision),
        fc.integer({ min: 0, max: precision }),
        fc.array(fc.bigInt({ min: -(10n ** BigInt(precision) - 1n), max: 10n ** BigInt(precision) - 1n }), {
          minLength: 1,
          maxLength: 20,
        }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ([precision, scale, unscaled]) => {
        const texts = unscaled.map((v) => decimalText(v, scale));
        const parsed = texts.map((t) => parseDecimal(t, precision, scale));
        expect(parsed.map((v) => BigInt(v as bigint))).toEqual(unscaled);
        const file = await writeParquet([decimal('d', precision, scale)], [[parsed as (number | bigint)[]]]);
        const rows = await queryParquetWithDuckDb(file, 'SELECT CAST(d AS VARCHAR) AS d FROM parquet');
        // DuckDB prints a DECIMAL(p,p) without the leading zero (".5").
        expect(rows.map((r) => String(r.d).replace(/^(-?)\./, '$10.'))).toEqual(texts);
      }),
      { numRuns: 40 },
    );
  });

  it('never rounds: a value with a digit past the scale is refused (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
        fc.integer({ min: 1, max: 9 }),
        (scale, unscaled, extra) => {
          const text = `${decimalText(unscaled, scale)}${scale === 0 ? '.' : ''}${extra}`;
          expect(parseDecimal(text, 38, scale)).not.toSatisfy(
            (v) => typeof v === 'number' || typeof v === 'bigint',
          );
        },
      ),
    );
  });
});

describe('Parquet INT32 and DATE columns', () => {
  const columns = [col('i', 'int32'), col('day', 'date'), col('day_req', 'date', false)];
  const values = [
    [2147483647, -2147483648, 0, null],
    [0, -1, 2932896, null],
    [-719162, 19783, 0, -25567],
  ];

  it('round-trips int32 bounds and dates before and after the epoch through DuckDB', async () => {
    const file = await writeParquet(columns, [values]);
    const rows = await queryParquetWithDuckDb(
      file,
      'SELECT i, typeof(i) AS ti, CAST(day AS VARCHAR) AS day, typeof(day) AS td, CAST(day_req AS VARCHAR) AS day_req FROM parquet',
    );
    expect(rows).toEqual([
      { i: 2147483647, ti: 'INTEGER', day: '1970-01-01', td: 'DATE', day_req: '0001-01-01' },
      { i: -2147483648, ti: 'INTEGER', day: '1969-12-31', td: 'DATE', day_req: '2024-03-01' },
      { i: 0, ti: 'INTEGER', day: '9999-12-31', td: 'DATE', day_req: '1970-01-01' },
      { i: null, ti: 'INTEGER', day: null, td: 'DATE', day_req: '1900-01-01' },
    ]);
  });

  it('round-trips through hyparquet with DATE as a date and signed statistics', async () => {
    const file = await writeParquet(columns, [values]);
    const rows = await readParquetRows(file);
    expect(rows.map((r) => r.i)).toEqual(values[0]);
    expect(rows.map((r) => (r.day as Date | null)?.toISOString().slice(0, 10) ?? null)).toEqual([
      '1970-01-01',
      '1969-12-31',
      '9999-12-31',
      null,
    ]);
    const meta = readParquetMetadata(file);
    expect(meta.schema[2]).toMatchObject({
      type: 'INT32',
      converted_type: 'DATE',
      logical_type: { type: 'DATE' },
    });
    const stats = meta.row_groups[0]!.columns.map((c) => c.meta_data?.statistics);
    expect(stats[0]).toMatchObject({ min_value: -2147483648, max_value: 2147483647, null_count: 1n });
    expect((stats[2]!.min_value as Date).toISOString().slice(0, 10)).toBe('0001-01-01');
  });

  it('refuses a number that is not an int32', async () => {
    await expect(writeParquet([col('i', 'int32')], [[[2147483648]]])).rejects.toThrow(/is not an int32/);
    await expect(writeParquet([col('i', 'int32')], [[[1.5]]])).rejects.toThrow(/is not an int32/);
  });
});

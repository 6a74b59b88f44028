import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteTextOf } from '../../../lambdas/core/csv/decode.js';
import { readParquetMetadata, readParquetRows } from '../../helpers/parquet-read.js';
import { col, writeParquet } from './write.js';

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Strings as a CSV parser hands them over: often repeated, sometimes empty, any Unicode. */
const cell = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.constantFrom('', 'a', 'ab', 'ÿ', '😀', 'e\u0301') },
  { weight: 2, arbitrary: fc.constant(null) },
);

describe('ParquetWriter property', () => {
  it('round-trips random string and null columns exactly through hyparquet', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(fc.array(cell, { maxLength: 120 }), { minLength: 1, maxLength: 4 })
          .chain((groups) =>
            fc.tuple(
              fc.constant(groups),
              fc.constantFrom('snappy', 'gzip', 'none') as fc.Arbitrary<'snappy' | 'gzip' | 'none'>,
              fc.boolean(),
              fc.constantFrom(64, 256, 1 << 20),
              fc.boolean(),
            ),
          ),
        async ([groups, compression, dictionary, pageSizeBytes, byteStrings]) => {
          // As the engine hands them over (byte text), or as JS strings.
          const given = byteStrings
            ? groups.map((g) => g.map((v) => (v === null ? null : byteTextOf(v))))
            : groups;
          // Two columns: the values, and the same values reversed, so pages and dictionaries differ.
          const file = await writeParquet(
            [col('a', 'string'), col('b', 'string')],
            given.map((g) => [g, g.slice().reverse()]),
            { compression, dictionary, pageSizeBytes, byteStrings },
          );
          const rows = await readParquetRows(file);
          expect(rows.map((r) => r.a)).toEqual(groups.flat());
          expect(rows.map((r) => r.b)).toEqual(groups.flatMap((g) => g.slice().reverse()));
          const metadata = readParquetMetadata(file);
          const written = groups.filter((g) => g.length > 0);
          expect(metadata.row_groups.map((g) => Number(g.num_rows))).toEqual(written.map((g) => g.length));
          metadata.row_groups.forEach((group, i) => {
            const present = written[i]!.filter((v): v is string => v !== null).sort(byteOrder);
            const stats = group.columns[0]!.meta_data!.statistics!;
            expect(stats.null_count).toBe(BigInt(written[i]!.length - present.length));
            expect([stats.min_value, stats.max_value]).toEqual([present[0], present[present.length - 1]]);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('bounds an int64 column given as numbers and bigints by its true least and greatest value', async () => {
    const int64 = fc.oneof(
      { weight: 3, arbitrary: fc.maxSafeInteger() },
      { weight: 2, arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) },
      { weight: 1, arbitrary: fc.constantFrom(0, -0, 1, -1, 0n, 1n, -1n) },
      { weight: 1, arbitrary: fc.constant(null) },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(int64, { minLength: 1, maxLength: 200 }),
        fc.constantFrom(64, 1 << 20),
        async (values, pageSizeBytes) => {
          // Pages of 8 values at 64 bytes: the bounds are taken over many pages of one chunk.
          const file = await writeParquet([col('n', 'int64')], [[values]], { pageSizeBytes });
          const rows = await readParquetRows(file);
          expect(rows.map((r) => r.n)).toEqual(values.map((v) => (v === null ? null : BigInt(v))));
          const present = values.filter((v) => v !== null).map((v) => BigInt(v));
          const stats = readParquetMetadata(file).row_groups[0]!.columns[0]!.meta_data!.statistics!;
          if (present.length === 0) {
            expect(stats.min_value).toBeUndefined();
            return;
          }
          const sorted = present.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          expect([stats.min_value, stats.max_value]).toEqual([sorted[0], sorted[sorted.length - 1]]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

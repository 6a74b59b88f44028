import { describe, expect, it } from 'vitest';
import { byteTextOf } from '../../../lambdas/core/csv/decode.js';
import { type ColumnValues, ParquetWriter } from '../../../lambdas/core/parquet/index.js';
import { queryParquetWithDuckDb, readParquetMetadata, readParquetRows } from '../../helpers/parquet-read.js';
import { col, writeParquet } from './write.js';

const ALL_TYPES = [
  col('s', 'string'),
  col('s_req', 'string', false),
  col('i', 'int64'),
  col('i_req', 'int64', false),
  col('d', 'double'),
  col('b', 'boolean'),
  col('t', 'timestamp_micros'),
];
const ALL_VALUES: ColumnValues[] = [
  ['a', null, '', 'zeta'],
  ['x', 'y', '', 'x'],
  [1n, null, -(2n ** 63n), 2n ** 63n - 1n],
  [0n, -1n, 42n, 7n],
  [1.5, null, -2.25e300, 0.1],
  [true, false, null, true],
  [1_700_000_000_123_456n, null, 0n, -1n],
];

describe('ParquetWriter', () => {
  it('round-trips every column type through hyparquet', async () => {
    const file = await writeParquet(ALL_TYPES, [ALL_VALUES]);
    const rows = await readParquetRows(file, { timestampsAsMicros: true });
    expect(rows).toEqual([
      { s: 'a', s_req: 'x', i: 1n, i_req: 0n, d: 1.5, b: true, t: 1_700_000_000_123_456n },
      { s: null, s_req: 'y', i: null, i_req: -1n, d: null, b: false, t: null },
      { s: '', s_req: '', i: -(2n ** 63n), i_req: 42n, d: -2.25e300, b: null, t: 0n },
      { s: 'zeta', s_req: 'x', i: 2n ** 63n - 1n, i_req: 7n, d: 0.1, b: true, t: -1n },
    ]);
  });

  it('round-trips every column type through DuckDB, with UTC timestamps', async () => {
    const file = await writeParquet(ALL_TYPES, [ALL_VALUES]);
    const rows = await queryParquetWithDuckDb(
      file,
      'SELECT s, s_req, i, i_req, d, b, epoch_us(t) AS t, typeof(t) AS tt, typeof(s) AS ts FROM parquet',
    );
    expect(rows).toEqual([
      {
        s: 'a',
        s_req: 'x',
        i: 1n,
        i_req: 0n,
        d: 1.5,
        b: true,
        t: 1_700_000_000_123_456n,
        tt: 'TIMESTAMP WITH TIME ZONE',
        ts: 'VARCHAR',
      },
      {
        s: null,
        s_req: 'y',
        i: null,
        i_req: -1n,
        d: null,
        b: false,
        t: null,
        tt: 'TIMESTAMP WITH TIME ZONE',
        ts: 'VARCHAR',
      },
      {
        s: '',
        s_req: '',
        i: -(2n ** 63n),
        i_req: 42n,
        d: -2.25e300,
        b: null,
        t: 0n,
        tt: 'TIMESTAMP WITH TIME ZONE',
        ts: 'VARCHAR',
      },
      {
        s: 'zeta',
        s_req: 'x',
        i: 2n ** 63n - 1n,
        i_req: 7n,
        d: 0.1,
        b: true,
        t: -1n,
        tt: 'TIMESTAMP WITH TIME ZONE',
        ts: 'VARCHAR',
      },
    ]);
  });

  it('keeps nulls and empty strings apart with and without a dictionary', async () => {
    const values = ['', null, '', null, null, 'x', ''];
    for (const dictionary of [true, false]) {
      const file = await writeParquet([col('s', 'string')], [[values]], { dictionary });
      expect((await readParquetRows(file)).map((r) => r.s)).toEqual(values);
      const duck = await queryParquetWithDuckDb(file, 'SELECT s IS NULL AS n, length(s) AS len FROM parquet');
      expect(duck.map((r) => (r.n ? null : r.len))).toEqual([0n, null, 0n, null, null, 1n, 0n]);
    }
  });

  it.each([false, true])(
    'round-trips multi-byte, emoji and combining characters exactly (values as byte text: %s)',
    async (byteStrings) => {
      const values = [
        'héllo',
        '日本語テキスト',
        '😀👍🏽',
        'e\u0301',
        '\u0000nul',
        '\uffff',
        '𝄞 clef',
        'Ω≈ç√',
      ];
      const given = byteStrings ? values.map(byteTextOf) : values;
      for (const dictionary of [true, false]) {
        const file = await writeParquet([col('s', 'string', false)], [[given]], { dictionary, byteStrings });
        expect((await readParquetRows(file)).map((r) => r.s)).toEqual(values);
        expect((await queryParquetWithDuckDb(file)).map((r) => r.s)).toEqual(values);
      }
    },
  );

  it.each([false, true])(
    'writes a 5 MB string value between short ones (as byte text: %s)',
    async (byteStrings) => {
      const long = 'ab😀'.repeat(1_310_720);
      const values = ['before', long, null, 'after'];
      const given = byteStrings ? values.map((v) => (v === null ? null : byteTextOf(v))) : values;
      const file = await writeParquet([col('s', 'string')], [[given]], {
        pageSizeBytes: 64 * 1024,
        dictionary: false,
        byteStrings,
      });
      const rows = await readParquetRows(file);
      expect(rows.map((r) => r.s)).toEqual(values);
      const duck = await queryParquetWithDuckDb(file, 'SELECT strlen(s) AS bytes FROM parquet');
      expect(duck.map((r) => r.bytes)).toEqual([6n, BigInt(Buffer.byteLength(long)), null, 5n]);
    },
  );

  it('writes 50 row groups and records each row count in the footer', async () => {
    const groups: ColumnValues[][] = [];
    for (let g = 0; g < 50; g++) {
      const n = 1 + ((g * 37) % 200);
      groups.push([
        Array.from({ length: n }, (_, i) => `g${g}-${i}`),
        Array.from({ length: n }, (_, i) => BigInt(g * 1000 + i)),
      ]);
    }
    const file = await writeParquet([col('s', 'string'), col('i', 'int64', false)], groups);
    const metadata = readParquetMetadata(file);
    expect(metadata.row_groups.map((g) => Number(g.num_rows))).toEqual(groups.map((g) => g[0]!.length));
    const total = groups.reduce((n, g) => n + g[0]!.length, 0);
    expect(Number(metadata.num_rows)).toBe(total);
    const rows = await readParquetRows(file);
    expect(rows.map((r) => r.s)).toEqual(groups.flatMap((g) => g[0] as string[]));
    const duck = await queryParquetWithDuckDb(
      file,
      'SELECT count(*) AS n, sum(i) AS total, count(DISTINCT s) AS d FROM parquet',
    );
    expect(duck).toEqual([
      {
        n: BigInt(total),
        total: groups.flatMap((g) => g[1] as bigint[]).reduce((a, b) => a + b, 0n),
        d: BigInt(total),
      },
    ]);
  });

  it('writes a valid file with zero row groups', async () => {
    const file = await writeParquet(ALL_TYPES, []);
    expect(file.subarray(0, 4).toString()).toBe('PAR1');
    expect(file.subarray(-4).toString()).toBe('PAR1');
    expect(readParquetMetadata(file).row_groups).toEqual([]);
    expect(await readParquetRows(file)).toEqual([]);
    expect(await queryParquetWithDuckDb(file, 'SELECT count(*) AS n FROM parquet')).toEqual([{ n: 0n }]);
  });

  it('writes no row group for a row count of zero', async () => {
    const file = await writeParquet([col('s', 'string')], [[[]], [['a', 'b']], [[]]]);
    expect(readParquetMetadata(file).row_groups.map((g) => g.num_rows)).toEqual([2n]);
    expect((await readParquetRows(file)).map((r) => r.s)).toEqual(['a', 'b']);
  });

  it.each(['snappy', 'gzip', 'none'] as const)(
    'reads back %s-compressed pages with both readers',
    async (compression) => {
      const n = 3000;
      const values: ColumnValues[] = [
        Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : `row ${i % 50} ${'x'.repeat(i % 13)}`)),
        Array.from({ length: n }, (_, i) => `id-${i}`),
        Array.from({ length: n }, (_, i) => BigInt(i)),
      ];
      const file = await writeParquet([col('a', 'string'), col('b', 'string'), col('c', 'int64')], [values], {
        compression,
        pageSizeBytes: 4096,
      });
      const codec = { snappy: 'SNAPPY', gzip: 'GZIP', none: 'UNCOMPRESSED' }[compression];
      expect(readParquetMetadata(file).row_groups[0]!.columns.map((c) => c.meta_data?.codec)).toEqual([
        codec,
        codec,
        codec,
      ]);
      const rows = await readParquetRows(file);
      expect(rows.map((r) => [r.a, r.b, r.c])).toEqual(
        (values[0] as unknown[]).map((a, i) => [a, (values[1] as unknown[])[i], (values[2] as unknown[])[i]]),
      );
      const duck = await queryParquetWithDuckDb(
        file,
        'SELECT count(a) AS a, count(DISTINCT b) AS b, sum(c) AS c FROM parquet',
      );
      expect(duck).toEqual([{ a: BigInt(n - Math.ceil(n / 7)), b: BigInt(n), c: BigInt((n * (n - 1)) / 2) }]);
    },
  );

  it('dictionary-encodes repeating strings and writes distinct ones PLAIN', async () => {
    const n = 5000;
    const repeating = Array.from({ length: n }, (_, i) => ['red', 'green', null, 'blue'][i % 4]!);
    const distinct = Array.from({ length: n }, (_, i) => `value-${i}`);
    const file = await writeParquet(
      [col('r', 'string'), col('d', 'string')],
      [
        [repeating, distinct],
        [repeating, distinct],
      ],
    );
    for (const group of readParquetMetadata(file).row_groups) {
      const [r, d] = group.columns.map((c) => c.meta_data!);
      expect(r!.encodings).toContain('RLE_DICTIONARY');
      expect(r!.dictionary_page_offset).toBeDefined();
      expect(d!.encodings).not.toContain('RLE_DICTIONARY');
      expect(d!.dictionary_page_offset).toBeUndefined();
    }
    const rows = await readParquetRows(file);
    expect(rows.map((row) => row.r)).toEqual([...repeating, ...repeating]);
    expect(rows.map((row) => row.d)).toEqual([...distinct, ...distinct]);
    const duck = await queryParquetWithDuckDb(
      file,
      'SELECT r, count(*) AS n FROM parquet GROUP BY r ORDER BY r',
    );
    expect(duck).toEqual([
      { r: 'blue', n: 2500n },
      { r: 'green', n: 2500n },
      { r: 'red', n: 2500n },
      { r: null, n: 2500n },
    ]);
  });

  it('writes a short chunk of mostly distinct strings PLAIN, and a short repeating one with a dictionary', async () => {
    const distinct = Array.from({ length: 40 }, (_, i) => (i % 10 === 0 ? null : `id-${i}`));
    const repeating = Array.from({ length: 40 }, (_, i) => ['paid', 'new', null][i % 3]!);
    // 30 distinct values in 40 rows: PLAIN too, some of them written twice.
    const fewRepeats = Array.from({ length: 40 }, (_, i) => `v${(i * 7) % 30}`);
    const file = await writeParquet(
      [col('d', 'string'), col('r', 'string'), col('f', 'string', false)],
      [[distinct, repeating, fewRepeats]],
    );
    const [d, r, f] = readParquetMetadata(file).row_groups[0]!.columns.map((c) => c.meta_data!);
    expect(d!.encodings).toEqual(['PLAIN', 'RLE']);
    expect(d!.dictionary_page_offset).toBeUndefined();
    expect(d!.statistics).toMatchObject({ null_count: 4n, min_value: 'id-1', max_value: 'id-9' });
    expect(r!.encodings).toContain('RLE_DICTIONARY');
    expect(f!.encodings).toEqual(['PLAIN', 'RLE']);
    expect(f!.statistics).toMatchObject({ null_count: 0n, min_value: 'v0', max_value: 'v9' });
    const rows = await readParquetRows(file);
    expect(rows.map((row) => [row.d, row.r, row.f])).toEqual(
      distinct.map((v, i) => [v, repeating[i], fewRepeats[i]]),
    );
    const duck = await queryParquetWithDuckDb(
      file,
      'SELECT count(d) AS d, count(DISTINCT f) AS f FROM parquet',
    );
    expect(duck).toEqual([{ d: 36n, f: 30n }]);
  });

  it('writes only PLAIN pages when the dictionary is turned off', async () => {
    const file = await writeParquet([col('r', 'string')], [[new Array(100).fill('same')]], {
      dictionary: false,
    });
    expect(readParquetMetadata(file).row_groups[0]!.columns[0]!.meta_data!.encodings).toEqual([
      'PLAIN',
      'RLE',
    ]);
    expect((await readParquetRows(file)).map((r) => r.r)).toEqual(new Array(100).fill('same'));
  });

  it('restarts a chunk as PLAIN when its dictionary outgrows the cap', async () => {
    // Repeats enough to pass the distinct-share check, but the dictionary passes 2 KiB midway.
    const values = Array.from({ length: 4000 }, (_, i) => `v${Math.floor(i / 3)}`);
    const file = await writeParquet([col('s', 'string', false)], [[values], [values.slice(0, 10)]], {
      dictionaryMaxBytes: 2048,
    });
    const [first, second] = readParquetMetadata(file).row_groups.map((g) => g.columns[0]!.meta_data!);
    expect(first!.encodings).toEqual(['PLAIN', 'RLE']);
    // The fallback sticks for later chunks of the column.
    expect(second!.encodings).toEqual(['PLAIN', 'RLE']);
    expect((await readParquetRows(file)).map((r) => r.s)).toEqual([...values, ...values.slice(0, 10)]);
  });

  it('splits long columns into pages of about pageSizeBytes', async () => {
    const n = 20_000;
    const strings = Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : `s${i}`));
    const ints = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : BigInt(i)));
    const bools = Array.from({ length: n }, (_, i) => i % 3 === 0);
    const keys = Array.from({ length: n }, (_, i) => `k${i % 300}`);
    const file = await writeParquet(
      [col('s', 'string'), col('i', 'int64'), col('b', 'boolean', false), col('k', 'string', false)],
      [[strings, ints, bools, keys]],
      { pageSizeBytes: 1024 },
    );
    const chunks = readParquetMetadata(file).row_groups[0]!.columns.map((c) => c.meta_data!);
    for (const chunk of chunks) {
      const dataPages = chunk.encoding_stats!.find((s) => s.page_type === 'DATA_PAGE')!;
      expect(dataPages.count).toBeGreaterThan(2);
    }
    expect(chunks[3]!.encodings).toContain('RLE_DICTIONARY');
    const rows = await readParquetRows(file);
    expect(rows.map((r) => [r.s, r.i, r.b, r.k])).toEqual(
      strings.map((s, i) => [s, ints[i], bools[i], keys[i]]),
    );
    const duck = await queryParquetWithDuckDb(
      file,
      'SELECT count(s) AS s, sum(i) AS i, count(*) FILTER (WHERE b) AS b, count(DISTINCT k) AS k FROM parquet',
    );
    const sum = ints.reduce<bigint>((a, v) => a + (v ?? 0n), 0n);
    expect(duck).toEqual([
      { s: BigInt(n - Math.ceil(n / 11)), i: sum, b: BigInt(Math.ceil(n / 3)), k: 300n },
    ]);
  });

  it('writes null counts and min/max statistics for every type', async () => {
    const file = await writeParquet(ALL_TYPES, [ALL_VALUES]);
    const stats = readParquetMetadata(file).row_groups[0]!.columns.map((c) => c.meta_data!.statistics!);
    const pick = (i: number) => ({
      nulls: stats[i]!.null_count,
      min: stats[i]!.min_value,
      max: stats[i]!.max_value,
    });
    expect(pick(0)).toEqual({ nulls: 1n, min: '', max: 'zeta' });
    expect(pick(1)).toEqual({ nulls: 0n, min: '', max: 'y' });
    expect(pick(2)).toEqual({ nulls: 1n, min: -(2n ** 63n), max: 2n ** 63n - 1n });
    expect(pick(3)).toEqual({ nulls: 0n, min: -1n, max: 42n });
    expect(pick(4)).toEqual({ nulls: 1n, min: -2.25e300, max: 1.5 });
    expect(pick(5)).toEqual({ nulls: 1n, min: false, max: true });
    const micros = readParquetMetadata(file, { timestampsAsMicros: true }).row_groups[0]!.columns[6]!
      .meta_data!;
    expect([
      micros.statistics!.null_count,
      micros.statistics!.min_value,
      micros.statistics!.max_value,
    ]).toEqual([1n, -1n, 1_700_000_000_123_456n]);
    const duck = await queryParquetWithDuckDb(
      file,
      'SELECT path_in_schema AS p, stats_min_value AS lo, stats_max_value AS hi FROM parquet_metadata($file) ORDER BY column_id',
    );
    expect(duck.map((r) => [r.p, r.lo, r.hi])).toEqual([
      ['s', '', 'zeta'],
      ['s_req', '', 'y'],
      ['i', '-9223372036854775808', '9223372036854775807'],
      ['i_req', '-1', '42'],
      ['d', '-2.25e+300', '1.5'],
      ['b', 'false', 'true'],
      ['t', '1969-12-31 23:59:59.999999+00', '2023-11-14 22:13:20.123456+00'],
    ]);
  });

  it('orders string statistics by UTF-8 bytes and lets DuckDB prune with them', async () => {
    const file = await writeParquet([col('s', 'string')], [[['\uffff', '😀', 'a', null]]], {
      dictionary: false,
    });
    const stats = readParquetMetadata(file).row_groups[0]!.columns[0]!.meta_data!.statistics!;
    expect([stats.min_value, stats.max_value, stats.null_count]).toEqual(['a', '😀', 1n]);
    expect(
      await queryParquetWithDuckDb(file, "SELECT count(*) AS n FROM parquet WHERE s > '\uffff'"),
    ).toEqual([{ n: 1n }]);
  });

  it('writes -0 as the min and +0 as the max of zeros, and leaves NaN out of double statistics', async () => {
    const file = await writeParquet(
      [col('zeros', 'double'), col('nan', 'double'), col('mixed', 'double')],
      [
        [
          [0, -0, null],
          [Number.NaN, Number.NaN, null],
          [Number.NaN, 3, -7],
        ],
      ],
    );
    const stats = readParquetMetadata(file).row_groups[0]!.columns.map((c) => c.meta_data!.statistics!);
    expect(Object.is(stats[0]!.min_value, -0)).toBe(true);
    expect(Object.is(stats[0]!.max_value, 0)).toBe(true);
    expect([stats[1]!.min_value, stats[1]!.max_value, stats[1]!.null_count]).toEqual([
      undefined,
      undefined,
      1n,
    ]);
    expect([stats[2]!.min_value, stats[2]!.max_value]).toEqual([-7, 3]);
    expect((await readParquetRows(file)).map((r) => r.nan)).toEqual([Number.NaN, Number.NaN, null]);
  });

  it('writes the schema, logical types, created_by and key-value metadata', async () => {
    const chunks: Uint8Array[] = [];
    const writer = new ParquetWriter({ write: (c) => void chunks.push(Uint8Array.from(c)) }, ALL_TYPES, {
      keyValueMetadata: { source: 's3://landing/a.csv', rows: 'unknown' },
      createdBy: 'bronze-ingest test',
    });
    await writer.writeRowGroup(ALL_VALUES, 4);
    expect(await writer.close({ rows: '4', run: 'r-1' })).toEqual({
      rows: 4,
      bytes: Buffer.concat(chunks).length,
    });
    const file = Buffer.concat(chunks);
    const metadata = readParquetMetadata(file);
    expect(metadata.created_by).toBe('bronze-ingest test');
    expect(metadata.key_value_metadata).toEqual([
      { key: 'source', value: 's3://landing/a.csv' },
      { key: 'rows', value: '4' },
      { key: 'run', value: 'r-1' },
    ]);
    expect(metadata.schema.map((e) => [e.name, e.type, e.repetition_type, e.converted_type])).toEqual([
      ['schema', undefined, undefined, undefined],
      ['s', 'BYTE_ARRAY', 'OPTIONAL', 'UTF8'],
      ['s_req', 'BYTE_ARRAY', 'REQUIRED', 'UTF8'],
      ['i', 'INT64', 'OPTIONAL', undefined],
      ['i_req', 'INT64', 'REQUIRED', undefined],
      ['d', 'DOUBLE', 'OPTIONAL', undefined],
      ['b', 'BOOLEAN', 'OPTIONAL', undefined],
      ['t', 'INT64', 'OPTIONAL', 'TIMESTAMP_MICROS'],
    ]);
    expect(metadata.schema[1]!.logical_type).toEqual({ type: 'STRING' });
    expect(metadata.schema[7]!.logical_type).toEqual({
      type: 'TIMESTAMP',
      isAdjustedToUTC: true,
      unit: 'MICROS',
    });
    const kv = await queryParquetWithDuckDb(
      file,
      'SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata($file)',
    );
    expect(kv).toEqual([
      { k: 'source', v: 's3://landing/a.csv' },
      { k: 'rows', v: '4' },
      { k: 'run', v: 'r-1' },
    ]);
  });

  it('defaults to snappy and created_by bronze-ingest', async () => {
    const file = await writeParquet([col('s', 'string')], [[['a']]]);
    const metadata = readParquetMetadata(file);
    expect(metadata.created_by).toBe('bronze-ingest');
    expect(metadata.row_groups[0]!.columns[0]!.meta_data!.codec).toBe('SNAPPY');
    expect(metadata.key_value_metadata).toBeUndefined();
  });

  it('writes all-null columns of every type', async () => {
    const nulls = (n: number) => new Array(n).fill(null);
    const columns = ALL_TYPES.filter((c) => c.nullable);
    const file = await writeParquet(columns, [columns.map(() => nulls(50))]);
    const rows = await readParquetRows(file);
    expect(rows).toEqual(new Array(50).fill(Object.fromEntries(columns.map((c) => [c.name, null]))));
    const stats = readParquetMetadata(file).row_groups[0]!.columns.map((c) => c.meta_data!.statistics!);
    for (const s of stats)
      expect([s.null_count, s.min_value, s.max_value]).toEqual([50n, undefined, undefined]);
  });

  it('rejects values that do not fit their column, naming the column and row', async () => {
    const cases: [ColumnValues[], RegExp][] = [
      [[['a', 3 as unknown as string]], /column "s" expects a string at row 1, got number/],
      [[[undefined as unknown as string]], /column "s" expects a string at row 0, got undefined/],
    ];
    for (const [values, error] of cases) {
      const writer = new ParquetWriter({ write: () => {} }, [col('s', 'string')]);
      await expect(writer.writeRowGroup(values, values[0]!.length)).rejects.toThrow(error);
    }
    const required = new ParquetWriter({ write: () => {} }, [
      col('r', 'string', false),
      col('i', 'int64', false),
    ]);
    await expect(
      required.writeRowGroup(
        [
          ['a', null],
          [1n, 2n],
        ],
        2,
      ),
    ).rejects.toThrow(/"r" is not nullable but row 1 is null/);
    const ints = new ParquetWriter({ write: () => {} }, [col('i', 'int64')]);
    await expect(ints.writeRowGroup([[2n ** 63n]], 1)).rejects.toThrow(/not an int64/);
    const strings = new ParquetWriter({ write: () => {} }, [col('i', 'int64')]);
    await expect(strings.writeRowGroup([['1' as unknown as bigint]], 1)).rejects.toThrow(
      /expects a bigint or a safe integer at row 0/,
    );
    const fractions = new ParquetWriter({ write: () => {} }, [col('i', 'int64')]);
    await expect(fractions.writeRowGroup([[1, 1.5]], 2)).rejects.toThrow(/row 1: 1.5 is not an int64/);
    const unsafe = new ParquetWriter({ write: () => {} }, [col('i', 'int64')]);
    await expect(unsafe.writeRowGroup([[2 ** 53]], 1)).rejects.toThrow(/is not an int64/);
  });

  it('stays usable after rejecting a row group, writing none of it', async () => {
    const chunks: Buffer[] = [];
    const writer = new ParquetWriter({ write: (c) => void chunks.push(Buffer.from(c)) }, [
      col('s', 'string', false),
    ]);
    await writer.writeRowGroup([['a', 'b']], 2);
    await expect(writer.writeRowGroup([['c', null]], 2)).rejects.toThrow(/not nullable/);
    await expect(writer.writeRowGroup([['c']], 2)).rejects.toThrow(/has 1 values, expected 2/);
    await writer.writeRowGroup([['d']], 1);
    expect(await writer.close()).toEqual({ rows: 3, bytes: Buffer.concat(chunks).length });
    expect((await readParquetRows(Buffer.concat(chunks))).map((r) => r.s)).toEqual(['a', 'b', 'd']);
  });

  it('rejects row groups of the wrong shape', async () => {
    const writer = () => new ParquetWriter({ write: () => {} }, [col('a', 'string'), col('b', 'string')]);
    await expect(writer().writeRowGroup([['x']], 1)).rejects.toThrow(/expected 2 columns of values, got 1/);
    await expect(writer().writeRowGroup([['x'], ['y', 'z']], 1)).rejects.toThrow(
      /column "b" has 2 values, expected 1/,
    );
    await expect(writer().writeRowGroup([[], []], -1)).rejects.toThrow(/invalid row count/);
    expect(() => new ParquetWriter({ write: () => {} }, [col('a', 'string'), col('a', 'int64')])).toThrow(
      /duplicate/,
    );
    expect(() => new ParquetWriter({ write: () => {} }, [])).toThrow(/at least one column/);
  });

  it('refuses calls after close, after a failure, and while a call is in progress', async () => {
    const closed = new ParquetWriter({ write: () => {} }, [col('a', 'string')]);
    await closed.close();
    await expect(closed.writeRowGroup([['x']], 1)).rejects.toThrow(/closed/);
    await expect(closed.close()).rejects.toThrow(/closed/);

    const failing = new ParquetWriter({ write: () => Promise.reject(new Error('disk full')) }, [
      col('a', 'string'),
    ]);
    await expect(failing.writeRowGroup([['x']], 1)).rejects.toThrow(/disk full/);
    await expect(failing.close()).rejects.toThrow(/failed earlier/);

    const slow = new ParquetWriter({ write: () => new Promise<void>((r) => setTimeout(r, 1)) }, [
      col('a', 'string'),
    ]);
    const first = slow.writeRowGroup([['x']], 1);
    await expect(slow.writeRowGroup([['y']], 1)).rejects.toThrow(/already in progress/);
    await first;
    await slow.writeRowGroup([['y']], 1);
  });

  it('lets the sink keep the chunks it is given without copying them', async () => {
    const kept: Uint8Array[] = [];
    const writer = new ParquetWriter({ write: (chunk) => void kept.push(chunk) }, [col('s', 'string')]);
    const groups = [0, 1, 2].map((g) => Array.from({ length: 500 }, (_, i) => `group ${g} row ${i}`));
    for (const values of groups) await writer.writeRowGroup([values], values.length);
    await writer.close();
    expect((await readParquetRows(Buffer.concat(kept))).map((r) => r.s)).toEqual(groups.flat());
  });

  it('waits for each sink write before the next one', async () => {
    const written: Buffer[] = [];
    let pending = 0;
    let maxPending = 0;
    const sink = {
      write: async (chunk: Uint8Array) => {
        pending++;
        maxPending = Math.max(maxPending, pending);
        await new Promise((r) => setTimeout(r, 1));
        written.push(Buffer.from(chunk));
        pending--;
      },
    };
    const writer = new ParquetWriter(sink, [col('s', 'string'), col('i', 'int64')]);
    for (let g = 0; g < 3; g++) {
      await writer.writeRowGroup(
        [Array.from({ length: 100 }, (_, i) => `g${g}r${i}`), Array.from({ length: 100 }, () => BigInt(g))],
        100,
      );
    }
    await writer.close();
    expect(maxPending).toBe(1);
    const rows = await readParquetRows(Buffer.concat(written));
    expect(rows.map((r) => r.s)).toEqual(
      [0, 1, 2].flatMap((g) => Array.from({ length: 100 }, (_, i) => `g${g}r${i}`)),
    );
  });
});

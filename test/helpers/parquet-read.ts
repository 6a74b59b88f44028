/**
 * Reads Parquet bytes back with two readers independent of the writer: hyparquet (pure JS) and
 * DuckDB. Tests use both to check that what was written is what any reader sees.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { type FileMetaData, parquetMetadata, parquetReadObjects } from 'hyparquet';

/** Copies bytes into an ArrayBuffer of their own, the form hyparquet reads. */
function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** hyparquet ships Snappy only; GZIP pages are inflated with node:zlib. */
const compressors = { GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)) };

const parsersFor = (options: { timestampsAsMicros?: boolean }) =>
  options.timestampsAsMicros ? { timestampFromMicroseconds: (micros: bigint) => micros } : {};

/** Every row as an object, read with hyparquet. With `timestampsAsMicros`, timestamps stay bigint microseconds. */
export async function readParquetRows(
  bytes: Uint8Array,
  options: { timestampsAsMicros?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const parsers = parsersFor(options);
  return (await parquetReadObjects({ file: arrayBufferOf(bytes), compressors, parsers })) as Record<
    string,
    unknown
  >[];
}

/** The footer as hyparquet decodes it; with `timestampsAsMicros`, timestamp statistics stay bigint microseconds. */
export function readParquetMetadata(
  bytes: Uint8Array,
  options: { timestampsAsMicros?: boolean } = {},
): FileMetaData {
  return parquetMetadata(arrayBufferOf(bytes), { parsers: parsersFor(options) });
}

let duckdb: Promise<DuckDBInstance> | undefined;

/**
 * Runs `sql` with DuckDB over the Parquet bytes, visible as the view `parquet` and as the file
 * named by the token `$file` (e.g. `SELECT * FROM parquet_metadata($file)`); returns rows as JS
 * values (VARCHAR as string, BIGINT as bigint, TIMESTAMPTZ as Date). The bytes go to a temp file.
 */
export async function queryParquetWithDuckDb(
  bytes: Uint8Array,
  sql = 'SELECT * FROM parquet',
): Promise<Record<string, unknown>[]> {
  duckdb ??= DuckDBInstance.create(':memory:', { threads: '1' });
  const dir = await mkdtemp(join(tmpdir(), 'parquet-read-'));
  const file = join(dir, 'data.parquet');
  try {
    await writeFile(file, bytes);
    const connection = await (await duckdb).connect();
    try {
      const literal = `'${file.replaceAll("'", "''")}'`;
      await connection.run(`CREATE OR REPLACE TEMP VIEW parquet AS SELECT * FROM read_parquet(${literal})`);
      const reader = await connection.runAndReadAll(sql.replaceAll('$file', literal));
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    } finally {
      connection.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Child: DuckDB's CSV to Parquet on many small files, one COPY per file, as the reference for the
 * small-file case. The first `warmup` files are not measured.
 *
 *   node duckdb-small.mjs --dir DIR --count N --warmup W --threads T --out-dir DIR --columns JSON|all_varchar
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { copySql } from './duckdb-sql.js';
import { allocationMeter, argValue, measure } from './protocol.js';

const dir = argValue('dir');
const count = Number(argValue('count'));
const warmup = Number(argValue('warmup'));
const outDir = argValue('out-dir');
const columns = argValue('columns');
const names = readdirSync(join(dir, 'data')).sort();

const instance = await DuckDBInstance.create(':memory:', { threads: argValue('threads') });
const connection = await instance.connect();
async function copy(name: string): Promise<{ rows: number; out: string }> {
  const out = join(outDir, name.replace(/\.csv$/, '.parquet'));
  const reader = await connection.runAndReadAll(copySql(join(dir, 'data', name), out, columns));
  return { rows: Number(reader.getRowObjectsJS()[0]?.Count), out };
}
for (const name of names.slice(0, warmup)) await copy(name);
const allocated = allocationMeter();
await measure(async () => {
  let rows = 0;
  let last = '';
  for (const name of names.slice(warmup, warmup + count)) {
    const done = await copy(name);
    rows += done.rows;
    last = done.out;
  }
  return { rows, outBytes: statSync(last).size, files: count, ...allocated() };
});
connection.closeSync();

/**
 * Child: the reference, DuckDB's CSV to Parquet on one thread with its default Parquet settings
 * (Snappy, dictionary encoding, row groups of 122,880 rows).
 *
 *   node duckdb.mjs --csv FILE --out FILE --columns JSON|all_varchar
 */
import { statSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { copySql } from './duckdb-sql.js';
import { argValue, measure } from './protocol.js';

const csv = argValue('csv');
const out = argValue('out');
const columns = argValue('columns');
const sql = copySql(csv, out, columns);

const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const connection = await instance.connect();
await measure(async () => {
  const reader = await connection.runAndReadAll(sql);
  const count = reader.getRowObjectsJS()[0]?.Count;
  return { rows: Number(count), outBytes: statSync(out).size };
});
connection.closeSync();

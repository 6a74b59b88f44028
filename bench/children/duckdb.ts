/**
 * Child: the reference, DuckDB's CSV to Parquet on one thread with its default Parquet settings
 * (Snappy, dictionary encoding, row groups of 122,880 rows).
 *
 *   node duckdb.mjs --csv FILE --out FILE --columns JSON|all_varchar
 */
import { statSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { argValue, measure } from './protocol.js';

const csv = argValue('csv');
const out = argValue('out');
const columns = argValue('columns');
const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;
// The dialect is given, as our contract gives it, so DuckDB sniffs no dialect; types are given
// too (or all text), so neither side infers types.
const typing =
  columns === 'all_varchar'
    ? 'all_varchar = true'
    : `columns = {${Object.entries(JSON.parse(columns) as Record<string, string>)
        .map(([name, type]) => `${quote(name)}: ${quote(type)}`)
        .join(', ')}}`;
const dialect = `header = true, delim = ',', quote = '"', escape = '"'`;
const sql =
  `COPY (SELECT * FROM read_csv(${quote(csv)}, ${dialect}, ${typing})) ` +
  `TO ${quote(out)} (FORMAT parquet, COMPRESSION snappy)`;

const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const connection = await instance.connect();
await measure(async () => {
  const reader = await connection.runAndReadAll(sql);
  const count = reader.getRowObjectsJS()[0]?.Count;
  return { rows: Number(count), outBytes: statSync(out).size };
});
connection.closeSync();

/**
 * Context for the writer numbers: DuckDB (one thread) converting the benchmark's CSV to Parquet,
 * next to papaparse + this writer on the same text. Not the product benchmark (`npm run bench`).
 *
 *   npx tsx bench/parquet/duckdb-ref.ts [rows]
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ParquetWriter } from '../../lambdas/core/parquet/index.js';
import { csvLines, parsedColumns } from './data.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const GROUP = 50_000;
const dir = mkdtempSync(join(tmpdir(), 'duckdb-ref-'));
try {
  const texts: string[] = [];
  for (let first = 0; first < rows; first += GROUP)
    texts.push(csvLines(first, Math.min(GROUP, rows - first)));
  const csv = join(dir, 'data.csv');
  writeFileSync(csv, texts.join('\n'));
  const bytes = statSync(csv).size;
  const mb = bytes / 1e6;
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };

  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await db.connect();
  const duckTimes: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    await connection.run(
      `COPY (SELECT * FROM read_csv('${csv}', header = false${process.env.ALL_VARCHAR ? ', all_varchar = true' : ''})) ` +
        `TO '${join(dir, 'duck.parquet')}' (FORMAT parquet, COMPRESSION snappy)`,
    );
    duckTimes.push(performance.now() - t);
  }
  const duckOut = statSync(join(dir, 'duck.parquet')).size;
  connection.closeSync();

  const ourTimes: number[] = [];
  const ourCpu: number[] = [];
  let ourOut = 0;
  for (let r = 0; r < 3; r++) {
    ourOut = 0;
    const columns = Array.from({ length: 12 }, (_, i) => ({
      name: `c${i}`,
      type: 'string' as const,
      nullable: true,
    }));
    const writer = new ParquetWriter(
      {
        write: (c) => {
          ourOut += c.length;
        },
      },
      columns,
    );
    const t = performance.now();
    const c0 = cpu();
    for (const text of texts) {
      const values = parsedColumns(text);
      await writer.writeRowGroup(values, values[0]!.length);
    }
    await writer.close();
    ourTimes.push(performance.now() - t);
    ourCpu.push(cpu() - c0);
  }
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[1]!;
  const duck = mb / (median(duckTimes) / 1000);
  const ours = mb / (median(ourTimes) / 1000);
  console.log(`${mb.toFixed(1)} MB CSV, ${rows} rows x 12 columns, median of 3`);
  console.log(`duckdb (1 thread)        ${duck.toFixed(0)} MB/s wall, out ${(duckOut / 1e6).toFixed(1)} MB`);
  console.log(
    `papaparse + this writer  ${ours.toFixed(0)} MB/s wall (${(mb / (median(ourCpu) / 1000)).toFixed(0)} cpu), ` +
      `out ${(ourOut / 1e6).toFixed(1)} MB, ratio ${(ours / duck).toFixed(2)}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

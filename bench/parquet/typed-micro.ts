/** CPU cost of the typed columns (int64, timestamp, double, boolean) and of constant lineage strings. */

import type { ColumnValues, ParquetColumn } from '../../lambdas/core/parquet/index.js';
import { ParquetWriter } from '../../lambdas/core/parquet/index.js';

const ROWS = 50_000;
const GROUPS = 20;
const base = 1_700_000_000_000_000n;
const cases: [string, ParquetColumn, () => ColumnValues][] = [
  [
    'int64 row numbers',
    { name: 'i', type: 'int64', nullable: false },
    () => Array.from({ length: ROWS }, (_, i) => BigInt(i + 2)),
  ],
  [
    'timestamp constant',
    { name: 't', type: 'timestamp_micros', nullable: false },
    () => new Array(ROWS).fill(base),
  ],
  [
    'double',
    { name: 'd', type: 'double', nullable: true },
    () => Array.from({ length: ROWS }, (_, i) => (i % 10 ? i * 0.37 : null)),
  ],
  [
    'boolean',
    { name: 'b', type: 'boolean', nullable: true },
    () => Array.from({ length: ROWS }, (_, i) => (i % 7 ? i % 3 === 0 : null)),
  ],
  [
    'string constant',
    { name: 's', type: 'string', nullable: false },
    () => new Array(ROWS).fill('s3://landing/sales/2026/11/file-0001.csv'),
  ],
];
for (const [name, column, make] of cases) {
  const values = make();
  const times: number[] = [];
  for (let pass = 0; pass < 5; pass++) {
    const writer = new ParquetWriter({ write: () => {} }, [column]);
    const u = process.cpuUsage();
    for (let g = 0; g < GROUPS; g++) await writer.writeRowGroup([values], ROWS);
    await writer.close();
    const d = process.cpuUsage(u);
    times.push((d.user + d.system) / 1000);
  }
  times.sort((a, b) => a - b);
  const ns = (times[2]! * 1e6) / (ROWS * GROUPS);
  console.log(`${name.padEnd(20)} ${ns.toFixed(1).padStart(6)} ns/value`);
}

import { type ParquetColumn, ParquetWriter } from '../../lambdas/core/parquet/index.js';
import { csvLines, parsedColumns } from './data.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const GROUP = Number(process.argv[2] ?? 50_000);
const mb = (n: number) => (n / 2 ** 20).toFixed(1);
const usage = () => {
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
};

const columns: ParquetColumn[] = [
  ...Array.from({ length: 12 }, (_, i) => ({ name: `c${i}`, type: 'string' as const, nullable: true })),
  { name: '_source_file', type: 'string', nullable: false },
  { name: '_source_etag', type: 'string', nullable: false },
  { name: '_source_row', type: 'int64', nullable: false },
  { name: '_ingested_at', type: 'timestamp_micros', nullable: false },
  { name: '_run_id', type: 'string', nullable: false },
];
const before = usage();
let out = 0;
let writer: ParquetWriter | undefined = new ParquetWriter(
  {
    write: (c) => {
      out += c.length;
    },
  },
  columns,
);
let peakBuffers = 0;
async function writeGroup(g: number): Promise<void> {
  const values: unknown[][] = parsedColumns(csvLines(g * GROUP, GROUP));
  values.push(
    new Array(GROUP).fill('s3://landing/sales/2026/11/22/export-0001.csv'),
    new Array(GROUP).fill('9b2cf535f27731c974343645a3985328'),
    Array.from({ length: GROUP }, (_, i) => BigInt(g * GROUP + i + 2)),
    new Array(GROUP).fill(1_795_000_000_000_000n),
    new Array(GROUP).fill('run-2026-11-22T10:00:00Z-abc'),
  );
  if (!process.env.NO_WRITE) await writer!.writeRowGroup(values as never, GROUP);
  peakBuffers = Math.max(peakBuffers, process.memoryUsage().arrayBuffers);
}
for (let g = 0; g < 4; g++) await writeGroup(g);
const kept = usage();
await writer.close();
writer = undefined;
await new Promise((r) => setTimeout(r, 50));
usage();
await new Promise((r) => setTimeout(r, 50));
const after = usage();
console.log(`${columns.length} columns, 4 row groups of ${GROUP} rows, ${mb(out)} MiB written`);
console.log(
  `kept by the writer between row groups: buffers ${mb(kept.buffers - after.buffers)} MiB, ` +
    `heap ${mb(kept.heap - after.heap)} MiB; peak buffers seen ${mb(peakBuffers - before.buffers)} MiB`,
);

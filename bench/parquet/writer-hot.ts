/**
 * Writer CPU cost on the same parsed row groups written over and over (no parsing or garbage in
 * between), for A/B comparisons of encoder changes. Prints median CPU MB/s of source text.
 *
 *   npx tsx bench/parquet/writer-hot.ts [snappy|none|gzip] [dict|plain] [passes]
 */
import type { ParquetCompression } from '../../lambdas/core/parquet/index.js';
import { ParquetWriter } from '../../lambdas/core/parquet/index.js';
import { parsedGroups } from './data.js';

const compression = (process.argv[2] ?? 'snappy') as ParquetCompression;
const dictionary = (process.argv[3] ?? 'dict') === 'dict';
const passes = Number(process.argv[4] ?? 7);
const GROUP = 50_000;
const groups = parsedGroups(4, GROUP);
const source = groups.reduce((a, g) => a + g.bytes, 0);
const columns = Array.from({ length: 12 }, (_, i) => ({
  name: `c${i}`,
  type: 'string' as const,
  nullable: true,
}));
const times: number[] = [];
let out = 0;
for (let pass = 0; pass < passes; pass++) {
  out = 0;
  const writer = new ParquetWriter(
    {
      write: (c) => {
        out += c.length;
      },
    },
    columns,
    {
      compression,
      dictionary,
    },
  );
  const u = process.cpuUsage();
  for (const g of groups) await writer.writeRowGroup(g.values, GROUP);
  await writer.close();
  const d = process.cpuUsage(u);
  times.push((d.user + d.system) / 1000);
}
const sorted = times.slice().sort((a, b) => a - b);
const mbs = (ms: number) => (source / 1e6 / (ms / 1000)).toFixed(0);
console.log(
  `${compression}/${dictionary ? 'dict' : 'plain'}: median ${mbs(sorted[sorted.length >> 1]!)} MB/s cpu, best ${mbs(sorted[0]!)}, ` +
    `out ${(out / source).toFixed(3)} of source`,
);

/** gzip levels on PLAIN-encoded pages of the benchmark's columns (CPU time, median of 5). */
import { gzipSync } from 'node:zlib';
import { plainPages } from './data.js';

const { pages, total } = plainPages(200_000);
for (const level of [1, 3, 6]) {
  const ts: number[] = [];
  let size = 0;
  for (let k = 0; k < 5; k++) {
    const u = process.cpuUsage();
    size = 0;
    for (const p of pages) size += gzipSync(p, { level }).length;
    const d = process.cpuUsage(u);
    ts.push((d.user + d.system) / 1000);
  }
  ts.sort((a, b) => a - b);
  console.log(
    `gzip level ${level}: ${(total / 1e6 / (ts[2]! / 1000)).toFixed(0)} MB/s cpu, ratio ${(size / total).toFixed(3)}`,
  );
}

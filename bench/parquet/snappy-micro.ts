/** Snappy compressors on PLAIN-encoded pages of the benchmark's columns (CPU time, median of 9). */
import snappy from 'snappyjs';
import { ByteBuf } from '../../lambdas/core/parquet/bytes.js';
import { snappyCompress } from '../../lambdas/core/parquet/snappy.js';
import { plainPages } from './data.js';

const { pages, total } = plainPages(300_000);
const out = new ByteBuf(2 << 20);
function run(name: string, f: (p: Uint8Array) => number) {
  const ts: number[] = [];
  let size = 0;
  for (let k = 0; k < 9; k++) {
    const u = process.cpuUsage();
    size = 0;
    for (const p of pages) size += f(p);
    const d = process.cpuUsage(u);
    ts.push((d.user + d.system) / 1000);
  }
  ts.sort((a, b) => a - b);
  console.log(
    name.padEnd(22),
    (total / 1e6 / (ts[4]! / 1000)).toFixed(0).padStart(5),
    'MB/s cpu, ratio',
    (size / total).toFixed(3),
  );
}
const own = (p: Uint8Array) => {
  out.pos = 0;
  snappyCompress(p, out);
  return out.pos;
};
const variant = process.argv[2];
if (variant) {
  const mod = (await import(variant)) as { snappyCompress: typeof snappyCompress };
  const f = (p: Uint8Array) => {
    out.pos = 0;
    mod.snappyCompress(p, out);
    return out.pos;
  };
  for (let k = 0; k < 3; k++) {
    run('own', own);
    run(`variant ${variant}`, f);
  }
} else {
  run('snappyjs', (p) => snappy.compress(p).length);
  run('own', own);
}
let ok = true;
for (const p of pages) {
  out.pos = 0;
  snappyCompress(p, out);
  const back = snappy.uncompress(Uint8Array.from(out.view()));
  if (Buffer.compare(Buffer.from(back), p) !== 0) ok = false;
}
console.log('round trip via snappyjs.uncompress:', ok);

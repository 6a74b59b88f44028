import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deoptimizationsOf, runTracedV8 } from '../../helpers/v8-trace.js';

const SNAPPY = fileURLToPath(new URL('../../../lambdas/core/parquet/snappy.ts', import.meta.url));
const BYTES = fileURLToPath(new URL('../../../lambdas/core/parquet/bytes.ts', import.meta.url));

/**
 * Pages as a writer compresses them, in a process of their own with V8's deoptimizations traced:
 * compressible pages of both sizes (sampled first, or not) and pages stored as literals.
 */
const SCRIPT = `
const { snappyCompress } = await import(${JSON.stringify(SNAPPY)});
const { ByteBuf } = await import(${JSON.stringify(BYTES)});
const out = new ByteBuf(1 << 16);
const page = (bytes, fill) => { const b = new Uint8Array(bytes); fill(b); return b; };
let seed = 7;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24);
const ids = page(400_000, (b) => { const v = new BigInt64Array(b.buffer); for (let i = 0; i < v.length; i++) v[i] = BigInt(8_800_000_000 + i * 3 + (random() & 3)); });
const days = page(200_000, (b) => { const v = new Int32Array(b.buffer); for (let i = 0; i < v.length; i++) v[i] = 19_000 + (random() % 200); });
const noise = page(300_000, (b) => { for (let i = 0; i < b.length; i++) b[i] = random(); });
const small = page(20_000, (b) => { for (let i = 0; i < b.length; i++) b[i] = 97 + (i % 13) + (random() & 1); });
for (let round = 0; round < 40; round++) {
  for (const p of [ids, small, days, noise]) { out.pos = 0; snappyCompress(p, out); }
}
`;

describe('snappy compressor, as V8 runs it', () => {
  // A compressor deoptimized at its first large page runs that page in baseline code until V8
  // compiles it again: 78 ms for the first 180 KB page of the typed 100 MB bench file's due_date
  // column, which took 1.4 ms once the deoptimization was gone.
  it('is not deoptimized by the pages it meets once optimized', () => {
    const run = runTracedV8(SCRIPT, ['--trace-opt', '--trace-deopt']);
    expect(run.status, run.stderr).toBe(0);
    // The case happened: V8 optimized the compressor while the pages were compressed.
    expect(run.stdout).toMatch(/completed optimizing .*<JSFunction compressFragment /);
    const compressor = [
      'compressFragment',
      'emitLiteral',
      'emitCopy',
      'emitCopyUpTo64',
      'worthCompressing',
      'snappyCompress',
    ];
    expect(deoptimizationsOf(run.stdout, compressor)).toEqual([]);
  });
});

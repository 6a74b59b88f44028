/**
 * Child: polars (nodejs-polars, installed by bench/peers.ts) on one thread, streaming: scanCSV
 * with every column as text (inferSchemaLength 0), sinkParquet with Snappy. One file, or many
 * small files one after the other (the first `warmup` not measured).
 *
 *   node polars.mjs --module DIR --csv FILE --out FILE --rows N
 *
 * A single file's rows are checked by the parent, which reads the output back with DuckDB (reading
 * it here would be timed); small files are read back here, which costs little beside them.
 *   node polars.mjs --module DIR --dir DIR --count N --warmup W --out-dir DIR
 */
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { allocationMeter, argValue, measure } from './protocol.js';

// Read when polars starts its thread pool, so set before it loads.
process.env.POLARS_MAX_THREADS = '1';

interface LazyFrame {
  sinkParquet(path: string, options: { compression: string }): { collect(): Promise<unknown> };
}
interface Polars {
  scanCSV(path: string, options: Record<string, unknown>): LazyFrame;
  readParquet(path: string): { height: number };
}

const pl = createRequire(import.meta.url)(argValue('module')) as Polars;

async function convert(csv: string, out: string): Promise<void> {
  await pl
    .scanCSV(csv, { hasHeader: true, sep: ',', quoteChar: '"', inferSchemaLength: 0 })
    .sinkParquet(out, { compression: 'snappy' })
    .collect();
}

if (process.argv.includes('--csv')) {
  const out = argValue('out');
  await measure(async () => {
    await convert(argValue('csv'), out);
    return { rows: Number(argValue('rows')), outBytes: statSync(out).size };
  });
} else {
  const dir = argValue('dir');
  const count = Number(argValue('count'));
  const warmup = Number(argValue('warmup'));
  const outDir = argValue('out-dir');
  const names = readdirSync(join(dir, 'data')).sort();
  const one = async (name: string) => {
    const out = join(outDir, name.replace(/\.csv$/, '.parquet'));
    await convert(join(dir, 'data', name), out);
    return pl.readParquet(out).height;
  };
  for (const name of names.slice(0, warmup)) await one(name);
  const allocated = allocationMeter();
  await measure(async () => {
    let rows = 0;
    for (const name of names.slice(warmup, warmup + count)) rows += await one(name);
    return { rows, outBytes: 0, files: count, ...allocated() };
  });
}

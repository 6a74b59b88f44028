/**
 * The ingest Lambda's bundle as the stack builds it (the esbuild settings of lib/bundle-options.ts,
 * which BronzeFunction uses: ESM, node22, minified with names kept, source map without sources,
 * the AWS SDK bundled), its size raw and zipped as deployed, and how long a fresh Node process
 * takes to import it.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { build } from 'esbuild';
import { LAMBDA_BUNDLE } from '../lib/bundle-options.js';
import { zipDirectory } from '../local/zip.js';
import { median, PINNED_CPU } from './measure.js';
import { BUNDLE_DIR, REPO_ROOT } from './paths.js';

const IMPORT_RUNS = 5;

export interface BundleReport {
  readonly jsBytes: number;
  readonly mapBytes: number;
  /** Every file of the asset unzipped: index.mjs, its map and the contracts. */
  readonly assetBytes: number;
  /** The deployed asset: index.mjs, its source map and the dataset contracts. */
  readonly zipBytes: number;
  /** index.mjs alone, deflated as in a zip. */
  readonly jsDeflatedBytes: number;
  /** Median import time of the bundle in a fresh process, plain and as Lambda runs it (source maps on). */
  readonly importMs: number;
  readonly importWithSourceMapsMs: number;
  /** Median wall time of the whole process: start, import, exit. */
  readonly processMs: number;
  readonly importRssMiB: number;
}

async function bundle(outDir: string): Promise<string> {
  rmSync(outDir, { recursive: true, force: true });
  const outfile = join(outDir, 'index.mjs');
  await build({
    ...LAMBDA_BUNDLE,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    banner: { js: LAMBDA_BUNDLE.banner },
    entryPoints: [join(REPO_ROOT, 'lambdas', 'ingest', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    logLevel: 'warning',
  });
  mkdirSync(join(outDir, 'datasets'), { recursive: true });
  const datasets = join(REPO_ROOT, 'datasets');
  for (const f of readdirSync(datasets).filter((n) => n.endsWith('.json') && !n.endsWith('.schema.json'))) {
    copyFileSync(join(datasets, f), join(outDir, 'datasets', f));
  }
  return outfile;
}

/** One fresh process importing the bundle: the import's own time, and the whole process's. */
function importOnce(
  file: string,
  flags: readonly string[],
): Promise<{ importMs: number; rssMiB: number; processMs: number }> {
  const code =
    `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); ` +
    'const importMs = performance.now() - t; ' +
    'process.stdout.write(JSON.stringify({ importMs, rssMiB: process.memoryUsage().rss / 1048576 })); ' +
    'process.exit(0);';
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const proc = spawn(
      'taskset',
      ['-c', PINNED_CPU, process.execPath, ...flags, '--input-type=module', '-e', code],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
    });
    proc.stderr.setEncoding('utf8').on('data', (s: string) => {
      err += s;
    });
    proc.once('error', reject);
    proc.once('close', (status) => {
      if (status !== 0) return reject(new Error(`importing the bundle failed:\n${err}`));
      const r = JSON.parse(out) as { importMs: number; rssMiB: number };
      resolve({ ...r, processMs: performance.now() - started });
    });
  });
}

export async function measureBundle(): Promise<BundleReport> {
  const dir = join(BUNDLE_DIR, 'ingest');
  const js = await bundle(dir);
  const plain = [];
  const mapped = [];
  for (let i = 0; i < IMPORT_RUNS; i++) {
    plain.push(await importOnce(js, []));
    mapped.push(await importOnce(js, ['--enable-source-maps']));
  }
  const jsBytes = statSync(js).size;
  const assetBytes = (readdirSync(dir, { recursive: true }) as string[])
    .map((f) => statSync(join(dir, f)))
    .filter((s) => s.isFile())
    .reduce((sum, s) => sum + s.size, 0);
  return {
    jsBytes,
    mapBytes: statSync(`${js}.map`).size,
    assetBytes,
    zipBytes: zipDirectory(dir).length,
    jsDeflatedBytes: deflateRawSync(readFileSync(js)).length,
    importMs: median(plain.map((r) => r.importMs)),
    importWithSourceMapsMs: median(mapped.map((r) => r.importMs)),
    processMs: median(plain.map((r) => r.processMs)),
    importRssMiB: median(plain.map((r) => r.rssMiB)),
  };
}

/**
 * `npm run bench`: CSV to bronze against DuckDB and the raw-read ceiling, requests per file and
 * the sweep's cost against moto, and the ingest bundle. Prints the tables and writes BENCHMARKS.md.
 * See BENCHMARKS.md ("How to reproduce") or `npm run bench -- --help`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { type BenchOptions, parseArgs } from './args.js';
import { measureLedgerRequests } from './aws/ledger-requests.js';
import { startMotoEnv } from './aws/moto-env.js';
import { measureSweep } from './aws/sweep-cost.js';
import { buildChildren } from './build.js';
import { measureBundle } from './bundle.js';
import { loadBenchContract } from './contracts.js';
import { runConversions } from './convert.js';
import { csvFiles } from './csv-files.js';
import { runLargeBatches } from './large-batch.js';
import { describeMachine } from './machine.js';
import { REPO_ROOT, shown, WORK_DIR } from './paths.js';
import { polarsModule } from './peers.js';
import { consoleReport } from './report/console.js';
import { goals } from './report/goals.js';
import { markdownReport } from './report/markdown.js';
import type { BenchResults } from './report/model.js';
import { runBatches, runSmallFiles } from './small.js';

// The SDK's notice that its 2027 releases need Node 22 says nothing about what is measured here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const started = performance.now();
const progress = (message: string) =>
  process.stderr.write(
    `[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`,
  );

let options: BenchOptions;
try {
  options = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}

const machine = describeMachine();
mkdirSync(WORK_DIR, { recursive: true });
const text = loadBenchContract('text');

let files: BenchResults['files'] = [];
let conversions: BenchResults['conversions'] = [];
let largeBatches: BenchResults['largeBatches'];
if (options.sections.includes('convert')) {
  progress('bundling the child programs');
  await buildChildren();
  const sizes = [...new Set(options.sizesMb)].sort((a, b) => a - b);
  progress(`CSV files of ${sizes.join(', ')} MB (generated once, then reused)`);
  files = csvFiles(sizes);
  conversions = await runConversions(options, files, progress);
  largeBatches = await runLargeBatches(files, options.runs, progress);
}

let small: BenchResults['small'];
let batches: BenchResults['batches'];
if (options.sections.includes('small')) {
  if (!options.sections.includes('convert')) await buildChildren();
  small = await runSmallFiles(options.smallFiles, options.runs, progress, polarsModule(progress));
  batches = await runBatches(options.runs, progress);
}

let ledger: BenchResults['ledger'];
let sweepCost: BenchResults['sweep'];
if (options.sections.includes('ledger') || options.sections.includes('sweep')) {
  progress('starting moto_server');
  const env = await startMotoEnv();
  try {
    if (options.sections.includes('ledger')) {
      progress('requests per file: first and duplicate event');
      ledger = await measureLedgerRequests(env, text);
    }
    if (options.sections.includes('sweep')) {
      progress(`sweep: uploading ${options.sweepFiles} files, then two sweeps`);
      sweepCost = await measureSweep(env, text, options.sweepFiles);
    }
  } finally {
    await env.stop();
  }
}

let bundle: BenchResults['bundle'];
if (options.sections.includes('bundle')) {
  progress('ingest bundle: build, size, cold import');
  bundle = await measureBundle();
}

const results: BenchResults = {
  machine,
  options,
  files,
  conversions,
  ...(largeBatches?.length ? { largeBatches } : {}),
  ...(small ? { small } : {}),
  ...(batches ? { batches } : {}),
  ...(ledger ? { ledger } : {}),
  ...(sweepCost ? { sweep: sweepCost } : {}),
  ...(bundle ? { bundle } : {}),
  loadAtEnd: loadavg(),
  args: process.argv.slice(2),
  durationSeconds: (performance.now() - started) / 1000,
};
const judged = goals(results);
console.log(consoleReport(results, judged));

const out =
  options.out ??
  (options.complete ? join(REPO_ROOT, 'BENCHMARKS.md') : join(WORK_DIR, 'BENCHMARKS.partial.md'));
writeFileSync(out, markdownReport(results, judged));
// A partial run keeps its results apart, so that the complete run behind BENCHMARKS.md can still
// be rendered again (bench/render.ts).
const saved = join(WORK_DIR, options.complete ? 'results.json' : 'results.partial.json');
writeFileSync(saved, `${JSON.stringify(results, null, 2)}\n`);
progress(`wrote ${shown(out)} and ${shown(saved)}`);
// The DuckDB instance that read our outputs back would keep the process waiting.
process.exit(0);

/**
 * Renders the Markdown report again from a run's saved results, after a change to the notes or
 * to the tables, without measuring anything:
 *
 *   npx tsx bench/render.ts [.bench/results.json] [--out FILE]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, shown, WORK_DIR } from './paths.js';
import { goals } from './report/goals.js';
import { markdownReport } from './report/markdown.js';
import type { BenchResults } from './report/model.js';

const argv = process.argv.slice(2);
const outAt = argv.indexOf('--out');
const out = outAt >= 0 ? argv[outAt + 1]! : undefined;
const input = argv.find((a, i) => !a.startsWith('--') && i !== outAt + 1) ?? join(WORK_DIR, 'results.json');
const results = JSON.parse(readFileSync(input, 'utf8')) as BenchResults;
const target =
  out ??
  (results.options.complete ? join(REPO_ROOT, 'BENCHMARKS.md') : join(WORK_DIR, 'BENCHMARKS.partial.md'));
writeFileSync(target, markdownReport(results, goals(results)));
console.log(`wrote ${shown(target)} from ${shown(input)}`);

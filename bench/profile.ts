/**
 * Where our path spends its time: runs the engine child once under `node --cpu-prof`, pinned to
 * one core like the benchmark, and prints the functions with the most self time.
 *
 *   npx tsx bench/profile.ts [--size 100] [--contract text|typed] [--top 25]
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ContractName } from './args.js';
import { buildChildren } from './build.js';
import { contractPath } from './contracts.js';
import { selfTimes } from './cpu-profile.js';
import { csvFiles } from './csv-files.js';
import { runPinned } from './measure.js';
import { DATA_DIR, OUT_DIR, PROFILE_DIR } from './paths.js';
import { fixed, percent, textTable } from './report/table.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const sizeMb = Number(option('size', '100'));
const contract = option('contract', 'text') as ContractName;
const top = Number(option('top', '25'));

await buildChildren();
const [file] = csvFiles([sizeMb]);
const dir = join(PROFILE_DIR, `${contract}-${sizeMb}MB`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const outDir = join(OUT_DIR, 'profile');
rmSync(outDir, { recursive: true, force: true });
const result = await runPinned(
  'engine',
  ['--contract', contractPath(contract), '--data-dir', DATA_DIR, '--key', file!.key, '--out-dir', outDir],
  ['--cpu-prof', `--cpu-prof-dir=${dir}`],
);
const profile = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!profile) throw new Error('node wrote no CPU profile');
const { total, idleMs, top: times } = selfTimes(join(dir, profile));
const seconds = (ms: number) => `${fixed(ms / 1000, 2)} s`;
console.log(
  `${contract} contract, ${sizeMb} MB: ${seconds(result.wallMs)} wall, ${seconds(result.cpuMs)} CPU, ` +
    `${fixed(result.maxRssMiB, 0)} MiB peak RSS (profiling adds overhead); ` +
    `profile: ${seconds(total)} busy, ${seconds(idleMs)} idle`,
);
console.log(
  textTable({
    headers: ['self ms', 'share', 'function', 'where'],
    right: [true, true, false, false],
    rows: times.slice(0, top).map((t) => [fixed(t.ms, 0), percent(t.share, 1), t.fn, t.where]),
  }),
);

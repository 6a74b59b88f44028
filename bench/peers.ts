/**
 * Peers measured beside DuckDB that are not dependencies of the project: installed on demand into
 * `.bench/peers` (ignored by git) and skipped with a message when that fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WORK_DIR } from './paths.js';

export const PEERS_DIR = join(WORK_DIR, 'peers');
/** nodejs-polars ships its native build as a separate package, installed explicitly beside it. */
const POLARS_PACKAGES = ['nodejs-polars@0.25.2', 'nodejs-polars-linux-x64-gnu@0.25.2'];

/** The path of the installed nodejs-polars module, installing it first; undefined when unavailable. */
export function polarsModule(progress: (message: string) => void): string | undefined {
  const module = join(PEERS_DIR, 'node_modules', 'nodejs-polars');
  if (existsSync(join(module, 'package.json'))) return module;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    progress('polars skipped: its native package is pinned for linux-x64 here');
    return undefined;
  }
  progress(`installing ${POLARS_PACKAGES.join(' ')} into ${PEERS_DIR} (not a project dependency)`);
  const npm = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      PEERS_DIR,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      ...POLARS_PACKAGES,
    ],
    { encoding: 'utf8' },
  );
  if (npm.status !== 0 || !existsSync(join(module, 'package.json'))) {
    progress(
      `polars skipped: npm install failed (${(npm.stderr || npm.error?.message || '').trim().split('\n').at(-1)})`,
    );
    return undefined;
  }
  return module;
}

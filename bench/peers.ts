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

/**
 * The Node.js of the deployed functions' runtime (nodejs22.x, lib/constructs/bronze-function.ts),
 * from the npm registry's `node-linux-*` packages of the official builds, so that the engine can
 * also be measured on the runtime Lambda runs it on.
 */
export const LAMBDA_NODE_VERSION = '22.23.5';

/** The path of the installed nodejs-polars module, installing it first; undefined when unavailable. */
export function polarsModule(progress: (message: string) => void): string | undefined {
  const module = join(PEERS_DIR, 'node_modules', 'nodejs-polars');
  if (existsSync(join(module, 'package.json'))) return module;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    progress('polars skipped: its native package is pinned for linux-x64 here');
    return undefined;
  }
  const failure = npmInstall(PEERS_DIR, POLARS_PACKAGES, progress);
  if (failure !== undefined || !existsSync(join(module, 'package.json'))) {
    progress(`polars skipped: npm install failed (${failure})`);
    return undefined;
  }
  return module;
}

/** The `node` executable of Lambda's Node.js version, installing it first; undefined when unavailable. */
export function lambdaNode(progress: (message: string) => void): string | undefined {
  const pkg = `node-${process.platform}-${process.arch}`;
  // A prefix of its own: an install with --no-save prunes what another install put beside it.
  const prefix = join(PEERS_DIR, `node-${LAMBDA_NODE_VERSION}`);
  const node = join(prefix, 'node_modules', pkg, 'bin', 'node');
  const runs = () =>
    spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout?.trim() === `v${LAMBDA_NODE_VERSION}`;
  if (existsSync(node) && runs()) return node;
  const failure = npmInstall(prefix, [`${pkg}@${LAMBDA_NODE_VERSION}`], progress);
  if (failure !== undefined || !existsSync(node) || !runs()) {
    progress(`Node ${LAMBDA_NODE_VERSION} rows skipped: ${failure ?? `${node} does not run here`}`);
    return undefined;
  }
  return node;
}

/** Installs packages into `prefix`; the last line npm printed on failure, undefined on success. */
function npmInstall(prefix: string, packages: readonly string[], progress: (message: string) => void) {
  progress(`installing ${packages.join(' ')} into ${prefix} (not a project dependency)`);
  const npm = spawnSync(
    'npm',
    ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', ...packages],
    { encoding: 'utf8' },
  );
  if (npm.status === 0) return undefined;
  return (npm.stderr || npm.error?.message || `npm ended with ${npm.status}`).trim().split('\n').at(-1);
}

/**
 * `bronze local up`: the local stack (moto, the deployed template, a runner) kept running for
 * hands-on use. It lives in `local/up.ts`, which pulls in the CDK app and the moto harness, so it
 * is loaded from the source checkout at run time rather than bundled into the CLI: imported when
 * the CLI itself runs under tsx, else run by a child Node with the checkout's tsx loader.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { localUp as LocalUp } from '../../local/up.js';
import { UsageError } from '../errors.js';

const PACKAGE_NAME = 'bronze-ingest';

/** The checkout this CLI runs from: the nearest folder above it whose package.json is this project's. */
export function projectRoot(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME)
          return dir;
      } catch {
        // An unreadable manifest is not ours; keep looking upwards.
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

export interface LocalUpOptions {
  readonly datasetsDir?: string;
  readonly concurrency?: number;
  readonly logLevel?: string;
  /** Land the files of samples/ once the stack is up. */
  readonly samples?: boolean;
}

/** The arguments `localUp` in local/up.ts reads. */
export function localUpArgs(options: LocalUpOptions): string[] {
  return [
    ...(options.datasetsDir ? ['--datasets-dir', options.datasetsDir] : []),
    ...(options.concurrency !== undefined ? ['--concurrency', String(options.concurrency)] : []),
    ...(options.logLevel ? ['--log-level', options.logLevel] : []),
    ...(options.samples ? ['--samples'] : []),
  ];
}

/**
 * Runs local/up.ts in a child Node that loads TypeScript through the checkout's tsx: the built
 * bin (dist/bronze.mjs) runs on plain Node, which cannot import .ts files itself.
 */
async function runWithTsx(root: string, entry: string, args: readonly string[]): Promise<void> {
  let loader: string;
  try {
    loader = createRequire(join(root, 'package.json')).resolve('tsx');
  } catch (e) {
    throw new UsageError(
      `\`bronze local up\` needs the checkout's dev dependencies (tsx): run \`npm ci\` in ${root}`,
      {
        cause: e,
      },
    );
  }
  const child = spawn(process.execPath, ['--import', pathToFileURL(loader).href, entry, ...args], {
    stdio: 'inherit',
  });
  // Ctrl-C reaches the child from the terminal; this process only waits for it to stop.
  const ignore = () => {};
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode) => resolve(exitCode));
    });
    if (code !== 0 && code !== null) throw new Error(`the local stack stopped with exit code ${code}`);
  } finally {
    process.off('SIGINT', ignore);
    process.off('SIGTERM', forward);
  }
}

/** Loads `local/up.ts` from the checkout and runs its `localUp` until Ctrl-C. */
export async function localUp(options: LocalUpOptions): Promise<void> {
  const root = projectRoot(dirname(fileURLToPath(import.meta.url)));
  if (!root)
    throw new UsageError('`bronze local up` runs from a clone of bronze-ingest: run `npm run dev` there');
  const entry = join(root, 'local', 'up.ts');
  if (!existsSync(entry))
    throw new UsageError(`the local stack entry ${entry} is missing from this checkout`);
  let module: { localUp?: typeof LocalUp };
  try {
    module = (await import(pathToFileURL(entry).href)) as { localUp?: typeof LocalUp };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION')
      return runWithTsx(root, entry, localUpArgs(options));
    throw e;
  }
  if (typeof module.localUp !== 'function') throw new Error(`${entry} does not export localUp`);
  await module.localUp(localUpArgs(options));
}

/** Where the benchmark keeps its inputs and outputs: all under the gitignored `.bench/`. */
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WORK_DIR = join(REPO_ROOT, '.bench');
/** Generated CSVs: the landing "bucket" of the local-file object store. */
export const DATA_DIR = join(WORK_DIR, 'data');
/** Bundled child programs, so that children run plain JavaScript with no TypeScript loader. */
export const BUILD_DIR = join(WORK_DIR, 'build');
/** Parquet outputs of the conversion runs, removed before each run. */
export const OUT_DIR = join(WORK_DIR, 'out');
export const BUNDLE_DIR = join(WORK_DIR, 'bundle');
export const PROFILE_DIR = join(WORK_DIR, 'profiles');
export const BENCH_DATASETS_DIR = join(REPO_ROOT, 'bench', 'datasets');

/** A path as shown in reports: relative to the repository, never a machine path. */
export function shown(path: string): string {
  return relative(REPO_ROOT, path) || '.';
}

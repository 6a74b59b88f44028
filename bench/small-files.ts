/**
 * The small-file case: many CSVs of a few dozen rows (about 5 KB), the files landing zones mostly
 * receive. Each file is a consecutive slice of the same seeded row stream, so every file differs.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEED } from './csv-files.js';
import { HEADER, rowMaker } from './csv-rows.js';
import { DATA_DIR } from './paths.js';

export const SMALL_ROWS = 40;
/** Bump when the files change, so that stale ones are regenerated. */
const SMALL_VERSION = 2;

export interface SmallFiles {
  /** Landing "bucket" directory; keys are `data/<name>.csv` under it. */
  readonly dir: string;
  readonly keys: readonly string[];
  readonly rowsPerFile: number;
  readonly bytes: number;
}

/** `count` files of SMALL_ROWS rows under `.bench/data/small-*`, generated once and reused. */
export function smallFiles(count: number): SmallFiles {
  const dir = join(DATA_DIR, `small-${count}x${SMALL_ROWS}-s${SEED}-v${SMALL_VERSION}`);
  const data = join(dir, 'data');
  const keys = Array.from({ length: count }, (_, i) => `data/small-${String(i).padStart(5, '0')}.csv`);
  if (!existsSync(data) || readdirSync(data).length !== count) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(data, { recursive: true });
    const next = rowMaker(SEED + 1);
    for (const key of keys) {
      const lines = [HEADER.join(',')];
      for (let r = 0; r < SMALL_ROWS; r++) lines.push(next().text);
      writeFileSync(join(dir, key), `${lines.join('\n')}\n`);
    }
  }
  let bytes = 0;
  for (const key of keys) bytes += statSync(join(dir, key)).size;
  return { dir, keys, rowsPerFile: SMALL_ROWS, bytes };
}

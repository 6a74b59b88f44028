/**
 * One SQS batch of ten large files through the ingest handler (issue 15: peak memory of a batch
 * ingested together). Files of 16 MiB or less run side by side within the handler's byte budget,
 * larger ones alone; ten links to one bench CSV stand for ten landed files.
 */
import { linkSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildResult } from './children/protocol.js';
import { contractPath } from './contracts.js';
import type { Progress } from './convert.js';
import type { CsvFile } from './csv-files.js';
import { median, runPinned } from './measure.js';
import { DATA_DIR, OUT_DIR } from './paths.js';

export const LARGE_BATCH_FILES = 10;
/** 10 MB files: three at a time within the budget; 100 MB files: one at a time. */
const LARGE_BATCH_SIZES_MB = [10, 100];

export interface LargeBatchResult {
  readonly sizeMb: number;
  readonly files: number;
  readonly bytes: number;
  readonly runs: readonly ChildResult[];
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssMiB: number;
}

/** `LARGE_BATCH_FILES` hard links to `file` under a landing directory of their own. */
function landingOf(file: CsvFile): string {
  const dir = join(DATA_DIR, `batch-${file.sizeMb}MB`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'data'), { recursive: true });
  for (let i = 0; i < LARGE_BATCH_FILES; i++) linkSync(file.path, join(dir, 'data', `part-${i}.csv`));
  return dir;
}

export async function runLargeBatches(
  files: readonly CsvFile[],
  runs: number,
  progress: Progress,
): Promise<LargeBatchResult[]> {
  const results: LargeBatchResult[] = [];
  for (const file of files.filter((f) => LARGE_BATCH_SIZES_MB.includes(f.sizeMb))) {
    const dataDir = landingOf(file);
    const rs: ChildResult[] = [];
    for (let run = 1; run <= runs; run++) {
      progress(
        `batch of ${LARGE_BATCH_FILES} files of ${file.sizeMb} MB through the handler, run ${run}/${runs}`,
      );
      const outDir = join(OUT_DIR, 'batch-large', `${file.sizeMb}MB`);
      rmSync(outDir, { recursive: true, force: true });
      mkdirSync(outDir, { recursive: true });
      const r = await runPinned('batch-large', [
        '--contract',
        contractPath('text'),
        '--data-dir',
        dataDir,
        '--out-dir',
        outDir,
      ]);
      if (r.rows !== LARGE_BATCH_FILES)
        throw new Error(`batch of ${file.sizeMb} MB files: ${r.rows} outputs`);
      rs.push(r);
    }
    rmSync(dataDir, { recursive: true, force: true });
    results.push({
      sizeMb: file.sizeMb,
      files: LARGE_BATCH_FILES,
      bytes: file.bytes * LARGE_BATCH_FILES,
      runs: rs,
      wallMs: median(rs.map((r) => r.wallMs)),
      cpuMs: median(rs.map((r) => r.cpuMs)),
      maxRssMiB: Math.max(...rs.map((r) => r.maxRssMiB)),
    });
  }
  return results;
}

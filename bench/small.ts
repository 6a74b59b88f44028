/**
 * The small-file section: the same many small CSVs through our engine on the in-process path and
 * through DuckDB (one thread, two as context), one file after the other in one process each.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { ChildName } from './build.js';
import { duckdbColumns } from './cases.js';
import type { ChildResult } from './children/protocol.js';
import { contractPath, loadBenchContract } from './contracts.js';
import { type Progress, parquetRows } from './convert.js';
import { median, runPinned } from './measure.js';
import { OUT_DIR } from './paths.js';
import { type SmallFiles, smallFiles } from './small-files.js';

export interface SmallCase {
  readonly id: string;
  readonly label: string;
  readonly child: ChildName;
  readonly threads?: number;
  /** polars only: where nodejs-polars is installed. */
  readonly module?: string;
}

export interface SmallResult {
  readonly case: SmallCase;
  readonly files: number;
  readonly bytesPerFile: number;
  readonly runs: readonly ChildResult[];
  readonly wallMsPerFile: number;
  readonly cpuMsPerFile: number;
  /** Bytes allocated per file, JS heap plus array buffers. */
  readonly allocatedPerFile: number;
  readonly externalPerFile: number;
  readonly gcShare?: number;
  readonly maxRssMiB: number;
  readonly load: number;
}

export const SMALL_CASES: readonly SmallCase[] = [
  { id: 'engine', label: 'bronze engine (in-process store and ledger)', child: 'engine-small' },
  { id: 'duckdb-1', label: 'DuckDB, one COPY per file, 1 thread', child: 'duckdb-small', threads: 1 },
  { id: 'duckdb-2', label: 'DuckDB, one COPY per file, 2 threads', child: 'duckdb-small', threads: 2 },
];

/**
 * Array buffers are then freed by the collection that finds them dead rather than later on a
 * helper thread, so the allocation meter sees every one; on one pinned core the work is the same.
 */
const SMALL_NODE_FLAGS = ['--no-concurrent-array-buffer-sweeping'];

/** Files converted before measuring, so that per-file figures are of warm code. */
export const SMALL_WARMUP = 200;

/** polars on the same files, when bench/peers.ts could install it. */
const polarsCase = (module: string): SmallCase => ({
  id: 'polars',
  label: 'polars, one sinkParquet per file, 1 thread',
  child: 'polars',
  module,
});

function args(c: SmallCase, files: SmallFiles, count: number, outDir: string): string[] {
  const common = ['--dir', files.dir, '--count', String(count), '--warmup', String(SMALL_WARMUP)];
  if (c.child === 'polars') return ['--module', c.module!, ...common, '--out-dir', outDir];
  if (c.child === 'engine-small')
    return [...common, '--contract', contractPath('text'), '--out', join(outDir, 'last.parquet')];
  return [
    ...common,
    '--threads',
    String(c.threads ?? 1),
    '--out-dir',
    outDir,
    '--columns',
    duckdbColumns(loadBenchContract('text')),
  ];
}

export async function runSmallFiles(
  count: number,
  runs: number,
  progress: Progress,
  polars?: string,
): Promise<SmallResult[]> {
  const cases = polars ? [...SMALL_CASES, polarsCase(polars)] : SMALL_CASES;
  const files = smallFiles(count + SMALL_WARMUP);
  const byCase = new Map<string, ChildResult[]>(cases.map((c) => [c.id, []]));
  const loads = new Map<string, number[]>(cases.map((c) => [c.id, []]));
  for (let run = 1; run <= runs; run++) {
    for (const c of cases) {
      const outDir = join(OUT_DIR, 'small', c.id);
      rmSync(outDir, { recursive: true, force: true });
      mkdirSync(outDir, { recursive: true });
      progress(`${count} small files, run ${run}/${runs}: ${c.label}`);
      loads.get(c.id)!.push(loadavg()[0]!);
      const r = await runPinned(c.child, args(c, files, count, outDir), SMALL_NODE_FLAGS);
      if (r.rows !== count * files.rowsPerFile)
        throw new Error(
          `${c.id}: ${r.rows} rows from ${count} small files, expected ${count * files.rowsPerFile}`,
        );
      byCase.get(c.id)!.push(r);
    }
  }
  const engineOut = join(OUT_DIR, 'small', 'engine');
  if (cases.some((c) => c.id === 'engine')) {
    const seen = await parquetRows(engineOut);
    if (seen !== files.rowsPerFile)
      throw new Error(`small files: DuckDB reads ${seen} rows back from our last output`);
  }
  return cases.map((c) => {
    const rs = byCase.get(c.id)!;
    const l = loads.get(c.id)!;
    const gc = rs.flatMap((r) => (r.gcMs === undefined ? [] : [r.gcMs / r.wallMs]));
    return {
      case: c,
      files: count,
      bytesPerFile: files.bytes / files.keys.length,
      runs: rs,
      wallMsPerFile: median(rs.map((r) => r.wallMs)) / count,
      cpuMsPerFile: median(rs.map((r) => r.cpuMs)) / count,
      allocatedPerFile: median(rs.map((r) => (r.heapBytes ?? 0) + (r.externalBytes ?? 0))) / count,
      externalPerFile: median(rs.map((r) => r.externalBytes ?? 0)) / count,
      ...(gc.length ? { gcShare: median(gc) } : {}),
      maxRssMiB: Math.max(...rs.map((r) => r.maxRssMiB)),
      load: l.reduce((a, b) => a + b, 0) / l.length,
    };
  });
}

/** Modelled AWS latency per request in the batch measurement (a round trip within a region). */
export const MODELLED_LATENCY = { s3Ms: 15, dynamodbMs: 8 } as const;

export interface BatchResult {
  readonly files: number;
  readonly runs: readonly ChildResult[];
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** The ingest handler on one SQS batch of 1 and of 10 small files, with AWS latency modelled. */
export async function runBatches(runs: number, progress: Progress): Promise<BatchResult[]> {
  const files = smallFiles(SMALL_WARMUP + 10 + 200);
  const sizes = [1, 10];
  const byFiles = new Map<number, ChildResult[]>(sizes.map((n) => [n, []]));
  for (let run = 1; run <= runs; run++) {
    for (const n of sizes) {
      progress(`batch of ${n} small file(s) through the handler, run ${run}/${runs}`);
      const r = await runPinned('batch', [
        '--contract',
        contractPath('text'),
        '--dir',
        files.dir,
        '--files',
        String(n),
        '--s3-ms',
        String(MODELLED_LATENCY.s3Ms),
        '--dynamodb-ms',
        String(MODELLED_LATENCY.dynamodbMs),
      ]);
      if (r.rows !== n) throw new Error(`batch of ${n}: ${r.rows} bronze objects`);
      byFiles.get(n)!.push(r);
    }
  }
  return sizes.map((n) => {
    const rs = byFiles.get(n)!;
    return {
      files: n,
      runs: rs,
      wallMs: median(rs.map((r) => r.wallMs)),
      cpuMs: median(rs.map((r) => r.cpuMs)),
    };
  });
}

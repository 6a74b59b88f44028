/** The conversion section: every case on every CSV size, runs interleaved, medians taken. */
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type BenchOptions, runsFor } from './args.js';
import { type Case, casesFor, duckdbColumns } from './cases.js';
import type { ChildResult } from './children/protocol.js';
import { contractPath, loadBenchContract } from './contracts.js';
import type { CsvFile } from './csv-files.js';
import { median, runPinned } from './measure.js';
import { DATA_DIR, OUT_DIR } from './paths.js';
import { LAMBDA_NODE_VERSION, lambdaNode, polarsModule } from './peers.js';

export interface CaseResult {
  readonly case: Case;
  readonly file: CsvFile;
  readonly runs: readonly ChildResult[];
  readonly wallMs: number;
  readonly cpuMs: number;
  /** The highest peak of all runs: a memory bound must hold for every run. */
  readonly maxRssMiB: number;
  readonly outBytes: number;
  readonly gcMs?: number;
  /** Mean 1-minute load average seen when this case's runs started. */
  readonly load: number;
}

export type Progress = (message: string) => void;

function args(c: Case, file: CsvFile, outDir: string): string[] {
  switch (c.kind) {
    case 'engine':
      return [
        '--contract',
        contractPath(c.contract!),
        '--data-dir',
        DATA_DIR,
        '--key',
        file.key,
        '--out-dir',
        outDir,
      ];
    case 'duckdb':
      return [
        '--csv',
        file.path,
        '--out',
        join(outDir, 'out.parquet'),
        '--columns',
        duckdbColumns(loadBenchContract(c.contract!)),
      ];
    case 'polars':
      return [
        '--module',
        polars!,
        '--csv',
        file.path,
        '--out',
        join(outDir, 'out.parquet'),
        '--rows',
        String(file.rows),
      ];
    case 'parse':
      return ['--csv', file.path];
    case 'raw':
      return ['--csv', file.path, '--rows', String(file.rows)];
  }
}

/** A run that did not see every row is not a measurement of this file. */
function check(c: Case, file: CsvFile, r: ChildResult): void {
  if (r.rows !== file.rows)
    throw new Error(`${c.id} on ${file.sizeMb} MB: ${r.rows} rows, expected ${file.rows}`);
  if (c.kind === 'raw' && r.newlines !== file.newlines) {
    throw new Error(`raw read of ${file.sizeMb} MB: ${r.newlines} line breaks, expected ${file.newlines}`);
  }
}

let duckdb: Promise<DuckDBInstance> | undefined;
/** nodejs-polars, when it could be installed (see bench/peers.ts). */
let polars: string | undefined;

/** Rows in our Parquet output as DuckDB, an independent reader, sees them. */
export async function parquetRows(dir: string): Promise<number> {
  duckdb ??= DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await (await duckdb).connect();
  try {
    const glob = join(dir, '**', '*.parquet').replaceAll("'", "''");
    const reader = await connection.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${glob}')`);
    return Number(reader.getRowObjectsJS()[0]?.n);
  } finally {
    connection.closeSync();
  }
}

export async function runConversions(
  options: BenchOptions,
  files: readonly CsvFile[],
  progress: Progress,
): Promise<CaseResult[]> {
  polars = polarsModule(progress);
  const node = lambdaNode(progress);
  const results: CaseResult[] = [];
  for (const file of files) {
    const cases = casesFor(options, polars, node ? { path: node, version: LAMBDA_NODE_VERSION } : undefined);
    const runs = new Map<string, ChildResult[]>(cases.map((c) => [c.id, []]));
    const loads = new Map<string, number[]>(cases.map((c) => [c.id, []]));
    const fileRuns = runsFor(file.sizeMb, options.runs);
    // Interleaved, so that a change in machine load over the section touches every case alike.
    for (let run = 1; run <= fileRuns; run++) {
      for (const c of cases) {
        const outDir = join(OUT_DIR, `${file.sizeMb}MB`, c.id);
        rmSync(outDir, { recursive: true, force: true });
        mkdirSync(outDir, { recursive: true });
        loads.get(c.id)!.push(loadavg()[0]!);
        progress(
          `${file.sizeMb} MB, run ${run}/${fileRuns}: ${c.label}${c.contract ? ` (${c.contract})` : ''}`,
        );
        const result = await runPinned(c.kind, args(c, file, outDir), c.nodeFlags, c.node);
        check(c, file, result);
        runs.get(c.id)!.push(result);
      }
    }
    for (const c of cases) {
      if (c.kind !== 'engine' && c.kind !== 'polars') continue;
      const seen = await parquetRows(
        join(OUT_DIR, `${file.sizeMb}MB`, c.id, c.kind === 'engine' ? 'bronze' : ''),
      );
      if (seen !== file.rows) throw new Error(`${c.id} on ${file.sizeMb} MB: DuckDB reads ${seen} rows back`);
    }
    for (const c of cases) {
      const rs = runs.get(c.id)!;
      const gc = rs.flatMap((r) => (r.gcMs === undefined ? [] : [r.gcMs]));
      const l = loads.get(c.id)!;
      results.push({
        case: c,
        file,
        runs: rs,
        wallMs: median(rs.map((r) => r.wallMs)),
        cpuMs: median(rs.map((r) => r.cpuMs)),
        maxRssMiB: Math.max(...rs.map((r) => r.maxRssMiB)),
        outBytes: median(rs.map((r) => r.outBytes)),
        ...(gc.length ? { gcMs: median(gc) } : {}),
        load: l.reduce((a, b) => a + b, 0) / l.length,
      });
    }
  }
  return results;
}

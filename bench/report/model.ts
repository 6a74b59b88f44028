/** Everything one run measured, as the report sections read it. */
import type { BenchOptions } from '../args.js';
import type { LedgerRequests } from '../aws/ledger-requests.js';
import type { SweepCost } from '../aws/sweep-cost.js';
import type { BundleReport } from '../bundle.js';
import type { CaseResult } from '../convert.js';
import type { CsvFile } from '../csv-files.js';
import type { LargeBatchResult } from '../large-batch.js';
import type { Machine } from '../machine.js';
import type { BatchResult, SmallResult } from '../small.js';

export interface BenchResults {
  readonly machine: Machine;
  readonly options: BenchOptions;
  readonly files: readonly CsvFile[];
  readonly conversions: readonly CaseResult[];
  /** One SQS batch of ten large files through the ingest handler, by file size. */
  readonly largeBatches?: readonly LargeBatchResult[];
  readonly small?: readonly SmallResult[];
  readonly batches?: readonly BatchResult[];
  readonly ledger?: LedgerRequests;
  readonly sweep?: SweepCost;
  readonly bundle?: BundleReport;
  readonly loadAtEnd: readonly number[];
  /** The arguments the run was started with (kept so that a report rendered later names them). */
  readonly args?: readonly string[];
  readonly durationSeconds: number;
}

export const MB = 1_000_000;

export function mbPerSecond(r: CaseResult): number {
  return r.file.bytes / MB / (r.wallMs / 1000);
}

/** The DuckDB result for the same file and contract as an engine result. */
export function duckdbFor(results: readonly CaseResult[], r: CaseResult): CaseResult | undefined {
  return results.find(
    (d) => d.case.kind === 'duckdb' && d.case.contract === r.case.contract && d.file.sizeMb === r.file.sizeMb,
  );
}

/** Our throughput as a share of DuckDB's on the same file: by wall time, and by CPU time. */
export function ratios(
  results: readonly CaseResult[],
  r: CaseResult,
): { wall: number; cpu: number } | undefined {
  const d = duckdbFor(results, r);
  if (!d || r.case.kind !== 'engine') return undefined;
  return { wall: d.wallMs / r.wallMs, cpu: d.cpuMs / r.cpuMs };
}

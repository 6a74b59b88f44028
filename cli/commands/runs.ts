/** `bronze runs [dataset]`: the audit trail of sweeps, reprocesses, resets and reconciles. */
import type { Contract } from '../../lambdas/core/contract.js';
import type { Ledger, RunRecord } from '../../lambdas/core/ledger.js';
import { contractsFor } from '../datasets.js';
import { ExitCode } from '../errors.js';
import { type Report, renderSummary, renderTable } from '../output.js';

export interface RunsDeps {
  readonly ledger: Ledger;
  readonly contracts: readonly Contract[];
}

export interface RunsData {
  /** Newest first, across the datasets asked for. */
  readonly runs: RunRecord[];
}

export const DEFAULT_RUNS = 20;

/** The newest audit records of one dataset or all of them. */
export async function runs(
  deps: RunsDeps,
  options: { dataset?: string; limit?: number },
): Promise<Report<RunsData>> {
  const limit = options.limit ?? DEFAULT_RUNS;
  const all: RunRecord[] = [];
  for (const contract of contractsFor(deps.contracts, options.dataset)) {
    all.push(...(await deps.ledger.listRuns(contract.ingestion_key, { limit })));
  }
  all.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
  const data: RunsData = { runs: all.slice(0, limit) };
  return { data, text: renderRuns(data), exitCode: ExitCode.Ok };
}

/** When, what, who, why, and what changed. */
export function renderRuns(data: RunsData): string {
  if (!data.runs.length) return 'no runs recorded';
  return renderTable(data.runs, [
    { header: 'WHEN', value: (r) => r.startedAt },
    { header: 'DATASET', value: (r) => r.ingestionKey },
    { header: 'KIND', value: (r) => `${r.kind}${r.dryRun ? ' (dry run)' : ''}` },
    { header: 'BY', value: (r) => r.by },
    { header: 'REASON', value: (r) => r.reason },
    { header: 'SUMMARY', value: (r) => renderSummary(r.summary) },
  ]);
}

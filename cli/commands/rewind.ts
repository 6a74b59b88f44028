/**
 * `bronze rewind <dataset> --since TIME | --run RUN_ID`: re-ingests every file completed since a
 * time or by one ingest run, like resetting a job bookmark to a point. A dry run unless `--yes`;
 * with it, each file is marked and enqueued as `bronze reprocess` does (bronze is replaced in
 * place), and the audit trail records who, why and from where.
 */
import type { Contract } from '../../lambdas/core/contract.js';
import { FileStatus, type LedgerItem } from '../../lambdas/core/ledger.js';
import { contractNamed } from '../datasets.js';
import { ExitCode, UsageError } from '../errors.js';
import { allLedgerFiles } from '../ledger-pages.js';
import { type Report, renderTable } from '../output.js';
import { type ReprocessData, type ReprocessDeps, reprocess } from './reprocess.js';

export interface RewindOptions {
  readonly dataset: string;
  readonly since?: Date;
  readonly run?: string;
  readonly reason?: string;
  readonly by: string;
  /** Really re-ingest; without it the files are only listed. */
  readonly yes: boolean;
}

export interface RewindData {
  readonly dataset: string;
  readonly dryRun: boolean;
  readonly since?: string;
  readonly run?: string;
  /** The completed files chosen, oldest completion first. */
  readonly files: { readonly filePath: string; readonly processedAt?: string; readonly runId?: string }[];
  /** What reprocess did, when not a dry run. */
  readonly reprocess?: ReprocessData;
}

const completedAt = (item: LedgerItem): string | undefined => item.processed_at_iso ?? item.updated_at;

/** The dataset's completed files since the time, or by the run. */
async function chosenFiles(
  deps: ReprocessDeps,
  dataset: string,
  options: RewindOptions,
): Promise<LedgerItem[]> {
  const completed = await allLedgerFiles(deps.ledger, dataset, FileStatus.Completed);
  const since = options.since?.toISOString();
  return completed
    .filter((item) =>
      options.run !== undefined ? item.run_id === options.run : (completedAt(item) ?? '') >= (since ?? ''),
    )
    .sort((a, b) => (completedAt(a) ?? '').localeCompare(completedAt(b) ?? ''));
}

/** Lists (dry run) or re-ingests the files a rewind chooses. */
export async function rewind(deps: ReprocessDeps, options: RewindOptions): Promise<Report<RewindData>> {
  if ((options.since === undefined) === (options.run === undefined))
    throw new UsageError('name where to rewind to: --since TIME or --run RUN_ID (one of them)');
  if (options.yes && !options.reason?.trim()) throw new UsageError('--reason must say why (it is audited)');
  const dataset = contractNamed(deps.contracts as Contract[], options.dataset).ingestion_key;
  const items = await chosenFiles(deps, dataset, options);
  const base = {
    dataset,
    ...(options.since ? { since: options.since.toISOString() } : {}),
    ...(options.run !== undefined ? { run: options.run } : {}),
    files: items.map((i) => ({
      filePath: i.file_path,
      ...(completedAt(i) ? { processedAt: completedAt(i) } : {}),
      ...(i.run_id ? { runId: i.run_id } : {}),
    })),
  };
  if (!options.yes || !items.length) {
    const data: RewindData = { ...base, dryRun: !options.yes };
    return { data, text: renderRewind(data), exitCode: ExitCode.Ok };
  }
  const done = await reprocess(deps, {
    uris: items.map((i) => i.file_path),
    dataset,
    reason: options.reason!,
    by: options.by,
    kind: 'rewind',
    note: base.since ? { since: base.since } : { run: base.run! },
  });
  const data: RewindData = { ...base, dryRun: false, reprocess: done.data };
  return { data, text: renderRewind(data), exitCode: done.exitCode };
}

/** The chosen files, then what happened or how to make it happen. */
export function renderRewind(data: RewindData): string {
  const from = data.since ? `completed since ${data.since}` : `completed by run ${data.run}`;
  if (!data.files.length) return `no files of ${data.dataset} ${from}`;
  const table = renderTable(data.files, [
    { header: 'FILE', value: (f) => f.filePath },
    { header: 'COMPLETED', value: (f) => f.processedAt },
    { header: 'RUN', value: (f) => f.runId },
  ]);
  const tail = data.dryRun
    ? `dry run: ${data.files.length} file(s) of ${data.dataset} ${from} would be re-ingested; pass --yes --reason TEXT to do it`
    : `${data.reprocess?.enqueued.length ?? 0} file(s) of ${data.dataset} ${from} enqueued again by ${data.reprocess?.by} (run ${data.reprocess?.runId}): "${data.reprocess?.reason}". Each bronze object is replaced in place.`;
  return `${table}\n${tail}`;
}

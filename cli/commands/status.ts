import {
  FILE_STATUSES,
  FileStatus,
  type Ledger,
  type LedgerItem,
  type PauseMark,
} from '../../lambdas/core/ledger.js';
import { SweepClass, type SweepReport } from '../../lambdas/core/sweep.js';
import { contractsFor } from '../datasets.js';
import { planSweep } from '../dry-run.js';
import { ExitCode } from '../errors.js';
import { ledgerPages } from '../ledger-pages.js';
import { formatAge, type Report, renderTable } from '../output.js';
import type { LandingDeps } from '../session.js';

export type StatusDeps = LandingDeps;

/** The landed files the ledger has not finished, by the sweep's classes. */
const BACKLOG_CLASSES = [
  SweepClass.New,
  SweepClass.Changed,
  SweepClass.Retry,
  SweepClass.Stuck,
  SweepClass.Busy,
] as const;
type BacklogClass = (typeof BACKLOG_CLASSES)[number];

export interface DatasetStatus {
  readonly dataset: string;
  /** Set while the dataset is paused (`bronze pause`): its files wait as `paused` in counts. */
  readonly paused?: PauseMark;
  readonly files: number;
  readonly counts: Record<FileStatus, number>;
  /** processed_at_iso of the newest completed file. */
  readonly lastSuccess?: string;
  /** Landed but not completed: NEW + CHANGED + RETRY + STUCK + BUSY. */
  readonly backlog: number;
  readonly backlogByClass: Record<BacklogClass, number>;
  /** Failed at the attempt limit: waits for `bronze reprocess`. */
  readonly exhausted: number;
  /** LastModified of the oldest file waiting to be enqueued. */
  readonly oldestPendingAt?: string;
  readonly oldestPendingAgeSeconds?: number;
  readonly highWaterMark?: string;
  /** Deliveries of files already done or busy, skipped and counted (ledger `duplicate_events`). */
  readonly duplicateEvents: number;
  /** Values kept in `_rescued_data` (the ledger's `values_rescued`, summed over columns). */
  readonly valuesRescued: number;
  /** Distinct `dt=` partitions of the dataset's bronze objects, and the first and last. */
  readonly partitions: number;
  readonly firstPartition?: string;
  readonly lastPartition?: string;
}

export interface StatusData {
  readonly at: string;
  readonly datasets: DatasetStatus[];
}

/** Counts a dataset's items by status (one GSI query per status) and finds the newest completion. */
async function countByStatus(ledger: Ledger, dataset: string): Promise<LedgerCounts> {
  const counts = Object.fromEntries(FILE_STATUSES.map((s) => [s, 0])) as Record<FileStatus, number>;
  let lastSuccess: string | undefined;
  const extras = { duplicateEvents: 0, valuesRescued: 0, partitions: new Set<string>() };
  for (const status of FILE_STATUSES) {
    for await (const page of ledgerPages(ledger, dataset, status)) {
      counts[status] += page.length;
      for (const item of page) addExtras(extras, item);
      if (status !== FileStatus.Completed) continue;
      for (const { processed_at_iso: at } of page)
        if (at && (!lastSuccess || at > lastSuccess)) lastSuccess = at;
    }
  }
  const dates = [...extras.partitions].sort();
  return {
    counts,
    ...(lastSuccess ? { lastSuccess } : {}),
    duplicateEvents: extras.duplicateEvents,
    valuesRescued: extras.valuesRescued,
    partitions: dates.length,
    ...(dates.length ? { firstPartition: dates[0], lastPartition: dates.at(-1) } : {}),
  };
}

type LedgerCounts = Pick<
  DatasetStatus,
  | 'counts'
  | 'lastSuccess'
  | 'duplicateEvents'
  | 'valuesRescued'
  | 'partitions'
  | 'firstPartition'
  | 'lastPartition'
>;

const PARTITION = /\/dt=(\d{4}-\d{2}-\d{2})\//;

/** Adds one item's duplicate events, rescued values and bronze partition to the running totals. */
function addExtras(
  extras: { duplicateEvents: number; valuesRescued: number; partitions: Set<string> },
  item: LedgerItem,
): void {
  extras.duplicateEvents += item.duplicate_events ?? 0;
  const rescued = (item as { values_rescued?: Record<string, number> }).values_rescued;
  for (const n of Object.values(rescued ?? {})) extras.valuesRescued += Number(n) || 0;
  const dt = item.bronze_path ? PARTITION.exec(item.bronze_path)?.[1] : undefined;
  if (dt) extras.partitions.add(dt);
}

/** The dry-run sweep over the datasets, with one running count of listed files for the progress bar. */
async function planWithProgress(deps: StatusDeps, datasets: string[]): Promise<SweepReport> {
  const progress = deps.progress('listing landed files');
  const listedBy = new Map<string, number>();
  try {
    return await planSweep(deps, datasets, 'status', ({ dataset, listed }) => {
      listedBy.set(dataset, listed);
      progress.update([...listedBy.values()].reduce((a, b) => a + b, 0));
    });
  } finally {
    progress.stop();
  }
}

/** Per dataset: counts by status, last success, backlog (a dry-run sweep), the oldest pending file's age. */
export async function status(deps: StatusDeps, options: { dataset?: string }): Promise<Report<StatusData>> {
  const contracts = contractsFor(deps.contracts, options.dataset);
  const now = deps.clock.now();
  const counted = new Map<string, Awaited<ReturnType<typeof countByStatus>>>();
  for (const c of contracts) counted.set(c.ingestion_key, await countByStatus(deps.ledger, c.ingestion_key));
  const plan = await planWithProgress(
    deps,
    contracts.map((c) => c.ingestion_key),
  );

  const datasets = plan.datasets.map((d): DatasetStatus => {
    const { counts, lastSuccess, ...extras } = counted.get(d.dataset)!;
    const backlogByClass = Object.fromEntries(BACKLOG_CLASSES.map((c) => [c, d.byClass[c]]));
    const oldest = plan.plan
      .flatMap((p) => (p.dataset === d.dataset && p.lastModified ? [p.lastModified] : []))
      .sort()[0];
    const age = oldest ? Math.max(0, Math.floor((now.getTime() - Date.parse(oldest)) / 1000)) : undefined;
    return {
      dataset: d.dataset,
      ...(d.paused ? { paused: d.paused } : {}),
      files: Object.values(counts).reduce((a, b) => a + b, 0),
      counts,
      ...(lastSuccess ? { lastSuccess } : {}),
      backlog: BACKLOG_CLASSES.reduce((sum, c) => sum + d.byClass[c], 0),
      backlogByClass: backlogByClass as Record<BacklogClass, number>,
      exhausted: d.byClass[SweepClass.Exhausted],
      ...(oldest ? { oldestPendingAt: oldest, oldestPendingAgeSeconds: age } : {}),
      ...(d.highWaterMarkBefore ? { highWaterMark: d.highWaterMarkBefore } : {}),
      ...extras,
    };
  });
  const data: StatusData = { at: now.toISOString(), datasets };
  return { data, text: renderStatus(data), exitCode: ExitCode.Ok };
}

function backlogDetail(d: DatasetStatus): string {
  const parts = BACKLOG_CLASSES.filter((c) => d.backlogByClass[c] > 0).map(
    (c) => `${c.toLowerCase()} ${d.backlogByClass[c]}`,
  );
  return parts.length ? `${d.backlog} (${parts.join(', ')})` : String(d.backlog);
}

/** The status table. */
export function renderStatus(data: StatusData): string {
  const table = renderTable(data.datasets, [
    { header: 'DATASET', value: (d) => d.dataset },
    { header: 'FILES', value: (d) => d.files, right: true },
    { header: 'COMPLETED', value: (d) => d.counts.completed, right: true },
    { header: 'REJECTED', value: (d) => d.counts.rejected, right: true },
    { header: 'FAILED', value: (d) => d.counts.failed, right: true },
    { header: 'PROCESSING', value: (d) => d.counts.processing, right: true },
    { header: 'PAUSED', value: (d) => (d.paused ? `yes, ${d.counts.paused}` : d.counts.paused), right: true },
    { header: 'LAST SUCCESS', value: (d) => d.lastSuccess },
    { header: 'BACKLOG', value: backlogDetail },
    { header: 'OLDEST PENDING', value: (d) => formatAge(d.oldestPendingAgeSeconds) },
    { header: 'HIGH-WATER MARK', value: (d) => d.highWaterMark },
    { header: 'DUPLICATES', value: (d) => d.duplicateEvents, right: true },
    { header: 'RESCUED', value: (d) => d.valuesRescued, right: true },
    {
      header: 'PARTITIONS',
      value: (d) => (d.partitions ? `${d.partitions} (${d.firstPartition}..${d.lastPartition})` : 0),
    },
  ]);
  const exhausted = data.datasets.filter((d) => d.exhausted > 0);
  const notes = exhausted.map(
    (d) =>
      `${d.dataset}: ${d.exhausted} file(s) failed too often and wait for an operator: ` +
      `\`bronze files ${d.dataset} --status failed\`, then \`bronze reprocess\``,
  );
  const paused = data.datasets.flatMap((d) =>
    d.paused
      ? [
          `${d.dataset}: paused by ${d.paused.by} since ${d.paused.at} ("${d.paused.reason}"), ` +
            `${d.counts.paused} file(s) waiting; the sweep skips it until \`bronze resume ${d.dataset}\``,
        ]
      : [],
  );
  return [table, ...notes, ...paused].join('\n');
}

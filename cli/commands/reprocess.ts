/**
 * `bronze reprocess`: asks for one forced re-ingest of files, recording who and why on each item,
 * and enqueues them. Bronze keys are a pure function of the source, so the new bronze object
 * replaces the old one: nothing is duplicated.
 */
import { randomUUID } from 'node:crypto';
import type { Contract } from '../../lambdas/core/contract.js';
import { FileStatus, type Ledger, parseS3Uri, sourcePathOf } from '../../lambdas/core/ledger.js';
import type { Clock, IngestQueue, IngestRequest } from '../../lambdas/core/ports.js';
import { forEachLimited } from '../concurrency.js';
import type { DriftCheck } from '../contract-drift.js';
import { contractNamed, type FileRef, fileRef } from '../datasets.js';
import { ExitCode, UsageError } from '../errors.js';
import { allLedgerFiles } from '../ledger-pages.js';
import { type Report, renderTable } from '../output.js';
import type { ProgressFactory } from '../progress.js';

export interface ReprocessDeps {
  readonly ledger: Ledger;
  readonly queue: IngestQueue;
  readonly contracts: readonly Contract[];
  readonly landingBucket?: string;
  readonly clock: Clock;
  readonly progress: ProgressFactory;
  /** Refuses datasets whose contracts differ from the deployed ones. */
  readonly checkDrift?: DriftCheck;
}

/** Reprocess marks written at once. */
const CONCURRENCY = 8;

/** Statuses an operator re-ingests by selection; single completed files go by URI. */
export const REPROCESS_STATUSES = [FileStatus.Failed, FileStatus.Rejected] as const;

export interface ReprocessOptions {
  readonly uris: readonly string[];
  readonly dataset?: string;
  readonly status?: FileStatus;
  readonly reason: string;
  readonly by: string;
  /** How the audit trail names the run: `rewind` re-ingests completed files by time or run. */
  readonly kind?: 'reprocess' | 'rewind';
  /** Added to the audit record's summary (a rewind's --since or --run). */
  readonly note?: Readonly<Record<string, string>>;
}

export interface ReprocessData {
  readonly runId: string;
  readonly by: string;
  readonly reason: string;
  /** Files marked and enqueued. */
  readonly enqueued: string[];
  /** Files the ledger has no item for: nothing was enqueued for them. */
  readonly notInLedger: string[];
}

async function selection(deps: ReprocessDeps, options: ReprocessOptions): Promise<FileRef[]> {
  if (options.uris.length) {
    if (options.status) throw new UsageError('give either file URIs or --dataset with --status, not both');
    return options.uris.map((uri) =>
      fileRef(deps.contracts, uri, {
        ...(options.dataset ? { dataset: options.dataset } : {}),
        ...(deps.landingBucket ? { landingBucket: deps.landingBucket } : {}),
      }),
    );
  }
  if (!options.dataset || !options.status) {
    throw new UsageError('name the files: s3:// URIs, or --dataset NAME --status failed|rejected');
  }
  if (!(REPROCESS_STATUSES as readonly FileStatus[]).includes(options.status)) {
    throw new UsageError(
      `--status must be ${REPROCESS_STATUSES.join(' or ')}; reprocess completed files by URI`,
    );
  }
  const dataset = contractNamed(deps.contracts, options.dataset).ingestion_key;
  const items = await allLedgerFiles(deps.ledger, dataset, options.status);
  return items.map((item) => {
    const sourcePath = sourcePathOf(item);
    return { dataset, ...parseS3Uri(sourcePath), filePath: item.file_path, sourcePath };
  });
}

/** Marks each file for reprocessing, enqueues the marked ones in order, records an audit run per dataset. */
export async function reprocess(
  deps: ReprocessDeps,
  options: ReprocessOptions,
): Promise<Report<ReprocessData>> {
  if (!options.reason.trim()) throw new UsageError('--reason must say why');
  // A file named twice is marked and enqueued once.
  const refs = [...new Map((await selection(deps, options)).map((r) => [r.filePath, r])).values()];
  deps.checkDrift?.([...new Set(refs.map((r) => r.dataset))]);
  const now = deps.clock.now();
  const kind = options.kind ?? 'reprocess';
  const runId = `${kind}-${now.toISOString()}-${randomUUID().slice(0, 8)}`;
  const marked: FileRef[] = [];
  const notInLedger: FileRef[] = [];
  const found = new Array<boolean>(refs.length);
  const progress = deps.progress('marking files');
  try {
    await forEachLimited(
      [...refs.keys()],
      CONCURRENCY,
      async (i) => {
        const ref = refs[i]!;
        const item = await deps.ledger.requestReprocess(
          { ingestionKey: ref.dataset, filePath: ref.filePath },
          { by: options.by, reason: options.reason, now },
        );
        found[i] = item !== undefined;
      },
      (done) => progress.update(done, refs.length),
    );
  } finally {
    progress.stop();
  }
  // Marked files are enqueued in the order they were named.
  for (const [i, ref] of refs.entries()) (found[i] ? marked : notInLedger).push(ref);
  await deps.queue.send(
    marked.map(
      (r): IngestRequest => ({ bucket: r.bucket, key: r.key, reason: 'reprocess', reprocess: true }),
    ),
  );
  for (const dataset of new Set(refs.map((r) => r.dataset))) {
    await deps.ledger.recordRun({
      ingestionKey: dataset,
      runId,
      kind,
      startedAt: now.toISOString(),
      by: options.by,
      reason: options.reason,
      summary: {
        enqueued: marked.filter((r) => r.dataset === dataset).length,
        not_in_ledger: notInLedger.filter((r) => r.dataset === dataset).length,
        ...(options.status
          ? { status: options.status }
          : { files: refs.filter((r) => r.dataset === dataset).length }),
        ...options.note,
      },
    });
  }
  const data: ReprocessData = {
    runId,
    by: options.by,
    reason: options.reason,
    enqueued: marked.map((r) => r.sourcePath),
    notInLedger: notInLedger.map((r) => r.sourcePath),
  };
  return {
    data,
    text: renderReprocess(data),
    exitCode: notInLedger.length ? ExitCode.Attention : ExitCode.Ok,
  };
}

/** What was enqueued, and what was not because the ledger does not know it. */
export function renderReprocess(data: ReprocessData): string {
  const rows = [
    ...data.enqueued.map((file) => ({ file, outcome: 'enqueued' })),
    ...data.notInLedger.map((file) => ({
      file,
      outcome: 'not in ledger: not enqueued (a sweep finds it NEW)',
    })),
  ];
  if (!rows.length) return 'nothing to reprocess';
  const table = renderTable(rows, [
    { header: 'FILE', value: (r) => r.file },
    { header: 'OUTCOME', value: (r) => r.outcome },
  ]);
  return [
    table,
    `${data.enqueued.length} file(s) enqueued by ${data.by} (run ${data.runId}): "${data.reason}".`,
    'Each bronze object is replaced in place when its file is ingested again; none is duplicated.',
  ].join('\n');
}

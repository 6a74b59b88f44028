import { randomUUID } from 'node:crypto';
import { type Contract, sourceBucketName } from './contract.js';
import { bronzeKeyFor, bronzePrefixFor, bronzeSlotOf, keyPartitionDate, partitionDateFor } from './layout.js';
import {
  FileStatus,
  filePathFor,
  type Ledger,
  type LedgerItem,
  listCheckpointMark,
  type PauseMark,
  parseS3Uri,
  sourcePathOf,
} from './ledger.js';
import type { Clock, IngestQueue, IngestRequest, ObjectHead, ObjectStore } from './ports.js';

/** What the sweep thinks of one landed file. */
export enum SweepClass {
  /** No ledger item: never ingested (a missed event, or a file older than the stack). */
  New = 'NEW',
  /** The ledger knows another ETag: the file was overwritten. */
  Changed = 'CHANGED',
  /** Failed, under the attempt limit. */
  Retry = 'RETRY',
  /** Processing, but the lease expired: the run died. */
  Stuck = 'STUCK',
  /** Completed or rejected for this ETag. */
  Done = 'DONE',
  /** Processing under a live lease. */
  Busy = 'BUSY',
  /** Failed at the attempt limit: waits for `bronze reprocess`. */
  Exhausted = 'EXHAUSTED',
  /** Recorded while its dataset was paused: enqueued once the dataset is resumed. */
  Paused = 'PAUSED',
}

/** Where a file stands against the dataset's high-water mark; enqueued in this order. */
export type SweepGroup = 'backfill' | 'new' | 'forward';
const GROUP_ORDER: Record<SweepGroup, number> = { backfill: 0, new: 1, forward: 2 };

/** Classifies a landed object against its ledger item. */
export function classifyFile(
  head: ObjectHead,
  item: LedgerItem | undefined,
  now: Date,
  maxAttempts: number,
): SweepClass {
  if (!item) return SweepClass.New;
  if (item.status === FileStatus.Processing && (item.lease_until ?? 0) > now.getTime())
    return SweepClass.Busy;
  if (item.file_etag !== head.etag) return SweepClass.Changed;
  switch (item.status) {
    case FileStatus.Processing:
      return item.attempts < maxAttempts ? SweepClass.Stuck : SweepClass.Exhausted;
    case FileStatus.Failed:
      return item.attempts < maxAttempts ? SweepClass.Retry : SweepClass.Exhausted;
    case FileStatus.Paused:
      return SweepClass.Paused;
    default:
      return SweepClass.Done;
  }
}

/**
 * The date a file's data belongs to (YYYY-MM-DD): from the key by the contract's pattern, or
 * else from LastModified. Undefined when neither is known.
 */
export function partitionDateOf(contract: Contract, head: ObjectHead): string | undefined {
  return (
    keyPartitionDate(contract.partition_date?.key_pattern, head.key) ??
    head.lastModified?.toISOString().slice(0, 10)
  );
}

/** backfill (older than the mark), new (the mark's own date, or no date), forward (newer, or no mark yet). */
export function groupOf(partitionDate: string | undefined, highWaterMark: string | undefined): SweepGroup {
  if (!highWaterMark) return 'forward';
  if (!partitionDate || partitionDate === highWaterMark) return 'new';
  return partitionDate < highWaterMark ? 'backfill' : 'forward';
}

export interface PlannedFile {
  readonly dataset: string;
  readonly bucket: string;
  readonly key: string;
  /** The ledger sort key (see filePathFor); `s3://bucket/key` unless the path is too long. */
  readonly filePath: string;
  readonly etag: string;
  readonly size: number;
  readonly class: SweepClass;
  readonly group: SweepGroup;
  readonly partitionDate?: string;
  /** The object's LastModified (ISO), when the listing gave one: how long the file has waited. */
  readonly lastModified?: string;
}

/** Backfill before new before forward; oldest first within a group; key order breaks ties. */
export function comparePlanned(a: PlannedFile, b: PlannedFile): number {
  return (
    GROUP_ORDER[a.group] - GROUP_ORDER[b.group] ||
    (a.partitionDate ?? '').localeCompare(b.partitionDate ?? '') ||
    (a.bucket === b.bucket ? 0 : a.bucket < b.bucket ? -1 : 1) ||
    (a.key === b.key ? 0 : a.key < b.key ? -1 : 1)
  );
}

/**
 * A resumed dataset's paused files in the sweep's order (backfill, new, forward), dated as the
 * sweep dates them: from the key, else from the LastModified the ledger kept.
 */
export function planPausedFiles(
  contract: Contract,
  items: readonly LedgerItem[],
  highWaterMark: string | undefined,
): PlannedFile[] {
  return items
    .filter((item) => item.status === FileStatus.Paused)
    .map((item): PlannedFile => {
      const { bucket, key } = parseS3Uri(sourcePathOf(item));
      const lastModified = item.source_last_modified ? new Date(item.source_last_modified) : undefined;
      const partitionDate = partitionDateOf(contract, {
        bucket,
        key,
        etag: item.file_etag,
        size: item.file_size,
        ...(lastModified ? { lastModified } : {}),
      });
      return {
        dataset: contract.ingestion_key,
        bucket,
        key,
        filePath: item.file_path,
        etag: item.file_etag,
        size: item.file_size,
        class: SweepClass.Paused,
        group: groupOf(partitionDate, highWaterMark),
        ...(partitionDate ? { partitionDate } : {}),
        ...(item.source_last_modified ? { lastModified: item.source_last_modified } : {}),
      };
    })
    .sort(comparePlanned);
}

export interface SweepDeps {
  readonly store: ObjectStore;
  readonly ledger: Ledger;
  readonly queue: IngestQueue;
  readonly contracts: readonly Contract[];
  readonly landingBucket: string;
  readonly clock: Clock;
  /**
   * The bronze bucket: given, a forced sweep removes bronze objects of the files it re-ingests that
   * sit in another partition and that no ledger item names (left by an earlier version before the
   * ledger was lost), so the re-ingest cannot leave two objects for one file.
   */
  readonly bronzeBucket?: string;
}

export interface SweepOptions {
  /** Only these datasets; all by default. */
  readonly datasets?: readonly string[];
  /** Print the plan, change nothing. */
  readonly dryRun?: boolean;
  /** Re-ingest every file, done or not (safe: bronze keys are deterministic). */
  readonly force?: boolean;
  /** Per-run caps; what does not fit waits for the next sweep. */
  readonly maxFiles?: number;
  readonly maxBytes?: number;
  /** Who ran it, for the audit trail. */
  readonly by: string;
  readonly reason?: string;
  /** Called after each listed page, for progress bars. */
  readonly onProgress?: (progress: { dataset: string; listed: number }) => void;
}

export interface DatasetSweep {
  readonly dataset: string;
  /** Set when the dataset is paused: the sweep lists and enqueues nothing of it. */
  readonly paused?: PauseMark;
  readonly listed: number;
  readonly listPages: number;
  readonly ledgerLookups: number;
  readonly byClass: Record<SweepClass, number>;
  readonly enqueued: number;
  readonly deferredByCap: number;
  /** Forced sweeps: bronze objects of re-ingested files in another partition, removed first. */
  readonly strayBronzeRemoved?: number;
  readonly highWaterMarkBefore?: string;
  /** Where the mark stands after the run; in a dry run, where it would move. */
  readonly highWaterMarkAfter?: string;
  /** Time-ordered sources only: where listing started and how far every file is now finished. */
  readonly checkpoints: ReadonlyArray<{ source: string; listedAfter?: string; finishedThrough?: string }>;
}

export interface SweepReport {
  readonly runId: string;
  readonly dryRun: boolean;
  readonly force: boolean;
  readonly datasets: DatasetSweep[];
  /** Files enqueued (or, in a dry run, that would be), in order. */
  readonly plan: PlannedFile[];
}

const ENQUEUE: ReadonlySet<SweepClass> = new Set([
  SweepClass.New,
  SweepClass.Changed,
  SweepClass.Retry,
  SweepClass.Stuck,
  // Left paused after a resume that did not finish: the sweep enqueues them once resumed.
  SweepClass.Paused,
]);

function emptyCounts(): Record<SweepClass, number> {
  return Object.fromEntries(Object.values(SweepClass).map((c) => [c, 0])) as Record<SweepClass, number>;
}

/**
 * Deletes, for each file about to be re-ingested, its bronze objects outside the partition the
 * re-ingest writes to, except the one its ledger item names (the engine removes that after
 * writing). Only a lost ledger leaves such objects. Returns how many were deleted.
 */
async function removeStrayBronze(
  store: ObjectStore,
  bronzeBucket: string,
  contract: Contract,
  chosen: readonly PlannedFile[],
  namedBronze: ReadonlyMap<string, string | undefined>,
): Promise<number> {
  const bySlot = new Map<string, string[]>();
  for await (const page of store.list(bronzeBucket, bronzePrefixFor(contract.ingestion_key))) {
    for (const o of page)
      bySlot.set(bronzeSlotOf(o.key), [...(bySlot.get(bronzeSlotOf(o.key)) ?? []), o.key]);
  }
  let removed = 0;
  for (const file of chosen) {
    const lastModified = file.lastModified ? new Date(file.lastModified) : undefined;
    let target: string;
    try {
      const dt = partitionDateFor(contract.partition_date?.key_pattern, {
        key: file.key,
        ...(lastModified ? { lastModified } : {}),
      });
      target = bronzeKeyFor(contract.ingestion_key, dt, file.bucket, file.key);
    } catch {
      continue;
    }
    const named = namedBronze.get(file.filePath);
    const keep = new Set([target, ...(named ? [parseS3Uri(named).key] : [])]);
    for (const key of bySlot.get(bronzeSlotOf(target)) ?? []) {
      if (keep.has(key)) continue;
      await store.delete(bronzeBucket, key);
      removed++;
    }
  }
  return removed;
}

/** The report of a dataset the sweep skipped because it is paused. */
function pausedReport(dataset: string, paused: PauseMark): DatasetSweep {
  return {
    dataset,
    paused,
    listed: 0,
    listPages: 0,
    ledgerLookups: 0,
    byClass: emptyCounts(),
    enqueued: 0,
    deferredByCap: 0,
    checkpoints: [],
  };
}

/** Lists one source prefix (after `startAfter`, when given), keeping only keys the source claims. */
async function* sourceObjects(
  store: ObjectStore,
  bucket: string,
  prefix: string,
  suffix: string,
  startAfter?: string,
) {
  for await (const page of store.list(bucket, prefix, startAfter ? { startAfter } : undefined)) {
    yield page.filter((o) => o.key.endsWith(suffix) && !o.key.endsWith('/'));
  }
}

/**
 * Finds landed files the ledger has not finished (missed events, files older than the stack,
 * failed retries, dead runs) and enqueues them: backfill first, then new, then forward.
 */
export async function sweep(deps: SweepDeps, options: SweepOptions): Promise<SweepReport> {
  const now = deps.clock.now();
  const runId = `sweep-${now.toISOString()}-${randomUUID().slice(0, 8)}`;
  const wanted = options.datasets?.length ? new Set(options.datasets) : undefined;
  const contracts = deps.contracts.filter((c) => !wanted || wanted.has(c.ingestion_key));
  const unknown = [...(wanted ?? [])].filter((d) => !deps.contracts.some((c) => c.ingestion_key === d));
  if (unknown.length) throw new Error(`no dataset contract named ${unknown.join(', ')}`);

  const reports: DatasetSweep[] = [];
  const plan: PlannedFile[] = [];
  let filesLeft = options.maxFiles ?? Number.POSITIVE_INFINITY;
  let bytesLeft = options.maxBytes ?? Number.POSITIVE_INFINITY;

  for (const contract of contracts) {
    const dataset = contract.ingestion_key;
    const byClass = emptyCounts();
    const paused = await deps.ledger.getPause(dataset);
    if (paused) {
      reports.push(pausedReport(dataset, paused));
      continue;
    }
    const mark = await deps.ledger.getHighWaterMark(dataset);
    const candidates: PlannedFile[] = [];
    const toReprocess: PlannedFile[] = [];
    let listed = 0;
    let listPages = 0;
    let ledgerLookups = 0;
    let newestDate: string | undefined;
    /** The bronze object each listed file's ledger item names: the engine replaces that one itself. */
    const namedBronze = new Map<string, string | undefined>();
    const checkpoints: DatasetSweep['checkpoints'][number][] = [];
    for (const source of contract.sources) {
      const bucket = sourceBucketName(source, deps.landingBucket);
      // A time-ordered source is listed only after the key up to which everything is finished,
      // so a sweep does not relist history. --force relists it all.
      const timeOrdered = contract.sweep.time_ordered_keys;
      const checkpointMark = listCheckpointMark(bucket, source.prefix);
      const listedAfter =
        timeOrdered && !options.force
          ? await deps.ledger.getHighWaterMark(dataset, checkpointMark)
          : undefined;
      let finishedThrough = listedAfter;
      let gap = false;
      for await (const page of sourceObjects(deps.store, bucket, source.prefix, source.suffix, listedAfter)) {
        listPages++;
        if (!page.length) continue;
        const paths = page.map((o) => filePathFor(bucket, o.key));
        const items = await deps.ledger.getFiles(dataset, paths);
        ledgerLookups++;
        page.forEach((head, i) => {
          const filePath = paths[i]!;
          const cls = classifyFile(head, items.get(filePath), now, contract.max_attempts);
          namedBronze.set(filePath, items.get(filePath)?.bronze_path);
          byClass[cls]++;
          if (cls !== SweepClass.Done) gap = true;
          else if (!gap) finishedThrough = head.key;
          const partitionDate = partitionDateOf(contract, head);
          if (partitionDate && (!newestDate || partitionDate > newestDate)) newestDate = partitionDate;
          const planned: PlannedFile = {
            dataset,
            bucket,
            key: head.key,
            filePath,
            etag: head.etag,
            size: head.size,
            class: cls,
            group: groupOf(partitionDate, mark),
            ...(partitionDate ? { partitionDate } : {}),
            ...(head.lastModified ? { lastModified: head.lastModified.toISOString() } : {}),
          };
          if (ENQUEUE.has(cls)) candidates.push(planned);
          else if (options.force && (cls === SweepClass.Done || cls === SweepClass.Exhausted))
            toReprocess.push(planned);
        });
        listed += page.length;
        options.onProgress?.({ dataset, listed });
      }
      if (timeOrdered) {
        const sourceUri = `s3://${bucket}/${source.prefix}`;
        checkpoints.push({
          source: sourceUri,
          ...(listedAfter ? { listedAfter } : {}),
          ...(finishedThrough ? { finishedThrough } : {}),
        });
        if (!options.dryRun && !options.force && finishedThrough && finishedThrough !== listedAfter) {
          await deps.ledger.raiseHighWaterMark(dataset, finishedThrough, checkpointMark);
        }
      }
    }
    const ordered = [...candidates, ...toReprocess].sort(comparePlanned);
    const chosen: PlannedFile[] = [];
    for (const file of ordered) {
      if (filesLeft < 1 || bytesLeft < file.size) break;
      chosen.push(file);
      filesLeft--;
      bytesLeft -= file.size;
    }
    const strayBronzeRemoved =
      options.force && !options.dryRun && deps.bronzeBucket && chosen.length
        ? await removeStrayBronze(deps.store, deps.bronzeBucket, contract, chosen, namedBronze)
        : undefined;
    if (!options.dryRun && chosen.length) {
      const reprocess = new Set(toReprocess);
      for (const file of chosen) {
        if (reprocess.has(file)) {
          await deps.ledger.requestReprocess(
            { ingestionKey: dataset, filePath: file.filePath },
            { by: options.by, reason: options.reason ?? 'sweep --force', now },
          );
        }
      }
      await deps.queue.send(
        chosen.map(
          (f): IngestRequest => ({
            bucket: f.bucket,
            key: f.key,
            reason: 'sweep',
            ...(reprocess.has(f) ? { reprocess: true } : {}),
          }),
        ),
      );
    }
    // The mark only moves forward, and only over dates the sweep has seen landed.
    if (!options.dryRun && newestDate) await deps.ledger.raiseHighWaterMark(dataset, newestDate);
    plan.push(...chosen);
    const report: DatasetSweep = {
      dataset,
      listed,
      listPages,
      ledgerLookups,
      byClass,
      enqueued: chosen.length,
      deferredByCap: ordered.length - chosen.length,
      ...(strayBronzeRemoved !== undefined ? { strayBronzeRemoved } : {}),
      checkpoints,
      ...(mark ? { highWaterMarkBefore: mark } : {}),
      // A dry run reports where the mark would move, without moving it.
      ...(newestDate && (!mark || newestDate > mark)
        ? { highWaterMarkAfter: newestDate }
        : mark
          ? { highWaterMarkAfter: mark }
          : {}),
    };
    reports.push(report);
    if (!options.dryRun) {
      await deps.ledger.recordRun({
        ingestionKey: dataset,
        runId,
        kind: 'sweep',
        startedAt: now.toISOString(),
        by: options.by,
        ...(options.reason ? { reason: options.reason } : {}),
        summary: {
          listed,
          enqueued: chosen.length,
          deferred_by_cap: report.deferredByCap,
          force: options.force ?? false,
          ...Object.fromEntries(Object.entries(byClass).map(([k, v]) => [k.toLowerCase(), v])),
        },
      });
    }
  }
  return { runId, dryRun: options.dryRun ?? false, force: options.force ?? false, datasets: reports, plan };
}

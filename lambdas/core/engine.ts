import { type AfterLoadResult, applyAfterLoad, type SourceNow } from './after-load.js';
import { type Contract, resolveDataset } from './contract.js';
import { type ConvertResult, convertToBronze, FileRejectedError } from './convert.js';
import { ClaimLostError, DataError, ObjectChangedError } from './errors.js';
import {
  bronzeKeyFor,
  bronzeSlotOf,
  keyPartitionDate,
  partitionDateFor,
  quarantineKeysFor,
} from './layout.js';
import {
  type ClaimOutcome,
  type FileErrorInfo,
  filePathFor,
  type Ledger,
  type LedgerItem,
  type PauseMark,
  parseS3Uri,
  sourcePathFor,
} from './ledger.js';
import { sourceFileMetadata } from './object-metadata.js';
import type {
  Clock,
  IngestRequest,
  MessageVisibility,
  ObjectHead,
  ObjectStore,
  ObjectWriter,
} from './ports.js';
import { hasDrift, type SchemaDrift } from './schema-evolution.js';

/** Added to the invocation's remaining time to form the lease, so a live run is never taken over. */
export const LEASE_MARGIN_MS = 60_000;
const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** Set-aside rows are written to quarantine in batches of this many. */
const BAD_ROWS_PER_WRITE = 1000;

export interface EngineLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Receives one call per file outcome; the Lambda publishes these as EMF metrics. */
export type OutcomeListener = (outcome: FileOutcome) => void;

/**
 * Receives the outcomes of one invocation at once, after its last file (outcome events, load
 * history): one request per batch, never on a file's own path. A sink that fails is logged by
 * the caller and never fails a file.
 */
export interface OutcomeSink {
  /** A short name for logs and metrics, for example "outcome-events". */
  readonly name: string;
  publish(outcomes: readonly FileOutcome[]): Promise<void>;
}

/**
 * Runs around the ingestion of each file (a trace subsegment, a log correlation id): the Lambda
 * entry provides it, the core knows nothing of tracing.
 */
export type FileScope = (
  request: IngestRequest,
  runId: string,
  ingest: () => Promise<FileOutcome>,
) => Promise<FileOutcome>;

export interface EngineDeps {
  readonly store: ObjectStore;
  readonly ledger: Ledger;
  readonly clock: Clock;
  readonly contracts: readonly Contract[];
  readonly buckets: { readonly landing: string; readonly bronze: string; readonly quarantine: string };
  readonly logger?: EngineLogger;
  readonly onOutcome?: OutcomeListener;
  /** Given every outcome of an invocation once its records are done. */
  readonly outcomeSinks?: readonly OutcomeSink[];
  /** Wraps each file's ingestion; none by default. */
  readonly fileScope?: FileScope;
  /** Lets the handler bring a returned message back sooner than the visibility timeout (retryAfterMs). */
  readonly messageVisibility?: MessageVisibility;
  readonly partSizeBytes?: number;
}

export interface Invocation {
  readonly runId: string;
  /** Milliseconds this invocation may still run (Lambda's getRemainingTimeInMillis). */
  readonly remainingMs: () => number;
}

export type OutcomeStatus =
  | 'completed'
  | 'rejected'
  | 'failed'
  | 'duplicate'
  | 'busy'
  | 'exhausted'
  | 'ignored'
  | 'changed'
  | 'claim_lost'
  /** The dataset is paused: the file waits in the ledger for `bronze resume`. */
  | 'paused';

export interface FileOutcome {
  readonly status: OutcomeStatus;
  /** True when the message must come back (infrastructure error, or a newer version waits). */
  readonly retry: boolean;
  /**
   * With `retry`: when the message should come back, if sooner than the queue's visibility
   * timeout (a newer version waiting for a lease to end, or one that landed during this run).
   */
  readonly retryAfterMs?: number;
  readonly bucket: string;
  readonly key: string;
  /** The run that produced this outcome (the claim's owner when it claimed). */
  readonly runId: string;
  readonly dataset?: string;
  readonly etag?: string;
  readonly rowsIngested?: number;
  readonly rowsRejected?: number;
  /** Rows kept with values set aside in `_rescued_data`, when the contract rescues. */
  readonly rowsRescued?: number;
  readonly bytes?: number;
  readonly bronzeKey?: string;
  readonly error?: FileErrorInfo;
  readonly reason?: string;
  readonly durationMs: number;
  /** Schema evolution of a completed file: columns missing or unexpected, values rescued. */
  readonly drift?: SchemaDrift;
  /** The source version read, when S3 gave one. */
  readonly versionId?: string;
  /** The bronze partition date (YYYY-MM-DD) of a claimed file. */
  readonly partitionDate?: string;
  /** ISO times the engine started and finished the file. */
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** When the source version landed (its LastModified): the start of landing-to-bronze latency. */
  readonly landedAt?: Date;
  /** Line of the first row set aside or of the error that rejected the file. */
  readonly firstBadLine?: number;
  /** What the contract's after_load did to the completed source version (none for `keep`). */
  readonly afterLoad?: AfterLoadResult;
}

/** An outcome before the engine stamps it with the file, the run and the duration. */
type OutcomeFields = Omit<
  FileOutcome,
  'durationMs' | 'bucket' | 'key' | 'runId' | 'startedAt' | 'finishedAt'
>;
/** Facts learnt along the way that every later outcome of the file carries. */
type OutcomeFacts = { versionId?: string; partitionDate?: string; landedAt?: Date };
type Finish = (outcome: OutcomeFields) => FileOutcome;

/** Whether a key is gzip-compressed under the contract's compression setting. */
export function isGzip(contract: Contract, key: string): boolean {
  return (
    contract.compression === 'gzip' || (contract.compression === 'auto' && key.toLowerCase().endsWith('.gz'))
  );
}

function errorInfo(e: unknown): FileErrorInfo {
  if (e instanceof DataError)
    return { code: e.code, message: e.message, ...(e.line ? { line: e.line } : {}) };
  const err = e as Error & { code?: string };
  return { code: err.code ?? err.name ?? 'ERROR', message: err.message ?? String(e) };
}

/** Everything the steps after a successful claim need to know about the file and the run. */
interface ClaimedFile {
  readonly contract: Contract;
  readonly dataset: string;
  readonly head: ObjectHead;
  /** The real `s3://bucket/key` (owned.filePath is the ledger's sort key, a digest for long paths). */
  readonly sourcePath: string;
  /** The ledger key and the claim this run holds on it. */
  readonly owned: { ingestionKey: string; filePath: string; runId: string; etag: string };
  readonly bronzeKey: string;
  /** Bronze objects of earlier versions of this file in other partitions: removed once this one is. */
  readonly staleBronzeKeys: readonly string[];
  readonly partitionDate: string;
  readonly qKeys: ReturnType<typeof quarantineKeysFor>;
  readonly startedAt: Date;
}

/**
 * Ingests one object exactly once: resolve its dataset, claim it in the ledger, stream it to
 * bronze, and record the outcome. Never throws for a single file: the outcome says whether
 * the message should be retried.
 */
export async function ingestObject(
  deps: EngineDeps,
  request: IngestRequest,
  invocation: Invocation,
): Promise<FileOutcome> {
  const startedAt = deps.clock.now();
  const facts: OutcomeFacts = {};
  const finish = outcomeReporter(deps, request, invocation, startedAt, facts);

  const match = resolveDataset(deps.contracts, deps.buckets.landing, request.bucket, request.key);
  if (!match)
    return finish({ status: 'ignored', retry: false, reason: 'no dataset contract matches this object' });
  const { contract } = match;
  const dataset = contract.ingestion_key;
  if (request.key.endsWith('/'))
    return finish({ status: 'ignored', retry: false, dataset, reason: 'folder marker' });

  let pause: PauseMark | undefined;
  try {
    pause = await pauseOf(deps, dataset, request.reason === 'resume');
  } catch (e) {
    return finish({ status: 'failed', retry: true, dataset, error: errorInfo(e) });
  }

  const announced = announcedHead(request);
  if (announced && canDatePartition(contract, announced)) {
    const outcome = await ingestVersion(
      deps,
      contract,
      announced,
      invocation,
      startedAt,
      unreported(request, invocation),
      facts,
      pause,
    );
    if (outcome) return finish(outcome);
    // The event is stale (the object or the ledger has another version): the object says which is current.
  }

  let head: ObjectHead | undefined;
  try {
    head = await deps.store.head(request.bucket, request.key);
  } catch (e) {
    return finish({ status: 'failed', retry: true, dataset, error: errorInfo(e) });
  }
  if (!head) return finish({ status: 'ignored', retry: false, dataset, reason: 'object no longer exists' });
  return (await ingestVersion(deps, contract, head, invocation, startedAt, finish, facts, pause))!;
}

/** How long a dataset's pause mark is trusted: one read per dataset per batch, not per file. */
export const PAUSE_CACHE_MS = 30_000;
const pauseCache = new WeakMap<Ledger, Map<string, { until: number; mark?: PauseMark }>>();

/**
 * The dataset's pause, read at most once per PAUSE_CACHE_MS per ledger (so a pause takes effect
 * within that time); `fresh` reads it anyway, for the messages `bronze resume` sends.
 */
async function pauseOf(deps: EngineDeps, dataset: string, fresh: boolean): Promise<PauseMark | undefined> {
  const now = deps.clock.now().getTime();
  const byDataset = pauseCache.get(deps.ledger) ?? new Map();
  pauseCache.set(deps.ledger, byDataset);
  const cached = byDataset.get(dataset);
  if (cached && !fresh && cached.until > now) return cached.mark;
  const mark = await deps.ledger.getPause(dataset);
  byDataset.set(dataset, { until: now + PAUSE_CACHE_MS, ...(mark ? { mark } : {}) });
  return mark;
}

/**
 * A version of a paused dataset is recorded as paused rather than claimed: no attempt counted,
 * nothing read, no retry. Undefined when an event's version turns out stale, as for a claim.
 */
async function pauseVersion(
  deps: EngineDeps,
  contract: Contract,
  head: ObjectHead & { fromEvent?: true },
  invocation: Invocation,
  startedAt: Date,
  pause: PauseMark,
): Promise<OutcomeFields | undefined> {
  const dataset = contract.ingestion_key;
  const paused = await deps.ledger.markPaused(versionOfRun(contract, head, invocation, startedAt));
  if (paused.kind === 'other_version') return undefined;
  if (paused.kind !== 'paused') return unclaimedOutcome(paused, dataset, head.etag, startedAt);
  return {
    status: 'paused',
    retry: false,
    dataset,
    etag: head.etag,
    reason: `${dataset} paused by ${pause.by} at ${pause.at} (${pause.reason}); "bronze resume" ingests it`,
  };
}

/**
 * The version an event announced, when it gave the ETag and size: claimed and read (pinned by
 * that ETag) without a HEAD. Size and ETag are all the claim and the read need.
 */
function announcedHead(request: IngestRequest): (ObjectHead & { fromEvent: true }) | undefined {
  if (request.etag === undefined || request.size === undefined || request.reprocess) return undefined;
  const { bucket, key, etag, size, versionId, eventTime } = request;
  return {
    bucket,
    key,
    etag,
    size,
    ...(versionId ? { versionId } : {}),
    ...(eventTime ? { lastModified: new Date(eventTime) } : {}),
    fromEvent: true,
  };
}

/**
 * Whether the bronze partition of an announced version is known without a HEAD: from the key by
 * the contract's pattern, or from the event's time, which S3 sets when it writes the version (a
 * request built by hand, with no time, is dated by the object's LastModified after a HEAD).
 */
function canDatePartition(contract: Contract, head: ObjectHead): boolean {
  return (
    head.lastModified !== undefined ||
    keyPartitionDate(contract.partition_date?.key_pattern, head.key) !== undefined
  );
}

/** Stamps an outcome without logging or announcing it: for an attempt whose outcome may be replaced. */
function unreported(request: IngestRequest, invocation: Invocation): Finish {
  return (outcome) => ({
    bucket: request.bucket,
    key: request.key,
    runId: invocation.runId,
    durationMs: 0,
    ...outcome,
  });
}

/**
 * Claims and ingests one version of the file. For a version an event announced (not read from
 * the object), undefined when the event turns out stale: the ledger holds another ETag, or the
 * object no longer has this one.
 */
async function ingestVersion(
  deps: EngineDeps,
  contract: Contract,
  head: ObjectHead & { fromEvent?: true },
  invocation: Invocation,
  startedAt: Date,
  finish: Finish,
  facts: OutcomeFacts,
  pause?: PauseMark,
): Promise<FileOutcome | undefined> {
  const dataset = contract.ingestion_key;
  if (head.versionId) facts.versionId = head.versionId;
  if (head.lastModified) facts.landedAt = head.lastModified;
  if (pause) {
    try {
      const outcome = await pauseVersion(deps, contract, head, invocation, startedAt, pause);
      return outcome && finish(outcome);
    } catch (e) {
      return finish({ status: 'failed', retry: true, dataset, etag: head.etag, error: errorInfo(e) });
    }
  }
  let partitionDate: string;
  try {
    partitionDate = partitionDateFor(contract.partition_date?.key_pattern, head);
  } catch (e) {
    return finish({ status: 'failed', retry: true, dataset, etag: head.etag, error: errorInfo(e) });
  }
  let claim: ClaimOutcome;
  try {
    claim = await claimFor(deps, contract, head, invocation, startedAt);
  } catch (e) {
    return finish({ status: 'failed', retry: true, dataset, etag: head.etag, error: errorInfo(e) });
  }
  if (claim.kind === 'other_version') return undefined;
  if (claim.kind !== 'claimed') {
    await countBusyDuplicate(deps, dataset, head, claim);
    const afterLoad = await afterLoadOfDuplicate(deps, contract, head, claim);
    return finish({ ...unclaimedOutcome(claim, dataset, head.etag, startedAt), ...afterLoad });
  }
  facts.partitionDate = partitionDate;
  const bronzeKey = bronzeKeyFor(dataset, partitionDate, head.bucket, head.key);

  const file: ClaimedFile = {
    contract,
    dataset,
    head,
    sourcePath: sourcePathFor(head.bucket, head.key),
    owned: {
      ingestionKey: dataset,
      filePath: filePathFor(head.bucket, head.key),
      runId: invocation.runId,
      etag: head.etag,
    },
    bronzeKey,
    staleBronzeKeys: staleBronzeKeys(claim.previous, deps.buckets.bronze, bronzeKey),
    partitionDate,
    qKeys: quarantineKeysFor(dataset, head.bucket, head.key),
    startedAt,
  };
  const outcome = await ingestClaimed(deps, file, finish);
  return head.fromEvent && outcome.status === 'changed' ? undefined : outcome;
}

/** Stamps, logs and announces an outcome: the one way every path of `ingestObject` ends. */
function outcomeReporter(
  deps: EngineDeps,
  request: IngestRequest,
  invocation: Invocation,
  startedAt: Date,
  facts: OutcomeFacts,
): Finish {
  const { bucket, key } = request;
  return (outcome) => {
    const finishedAt = deps.clock.now();
    const result: FileOutcome = {
      bucket,
      key,
      runId: invocation.runId,
      ...facts,
      ...outcome,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
    };
    const log =
      result.status === 'failed'
        ? deps.logger?.error
        : result.status === 'rejected'
          ? deps.logger?.warn
          : deps.logger?.info;
    log?.call(deps.logger, `file ${result.status}`, { ...result, file: sourcePathFor(bucket, key) });
    deps.onOutcome?.(result);
    return result;
  };
}

/** One conditional write decides whether this run owns the file for the lease. */
function claimFor(
  deps: EngineDeps,
  contract: Contract,
  head: ObjectHead,
  invocation: Invocation,
  now: Date,
): Promise<ClaimOutcome> {
  return deps.ledger.claimFile({
    ...versionOfRun(contract, head, invocation, now),
    leaseMs: invocation.remainingMs() + LEASE_MARGIN_MS,
  });
}

/** The file, the version and the run, as a claim or a pause records them. */
function versionOfRun(
  contract: Contract,
  head: ObjectHead & { fromEvent?: true },
  invocation: Invocation,
  now: Date,
) {
  return {
    ingestionKey: contract.ingestion_key,
    filePath: filePathFor(head.bucket, head.key),
    sourcePath: sourcePathFor(head.bucket, head.key),
    etag: head.etag,
    size: head.size,
    versionId: head.versionId,
    sourceLastModified: head.lastModified,
    runId: invocation.runId,
    now,
    maxAttempts: contract.max_attempts,
    ...(head.fromEvent ? { etagFromEvent: true as const } : {}),
  };
}

/**
 * A delivery of the version a live run holds is a duplicate event like any other and is counted
 * so; the count is advisory, so failing to record it changes nothing.
 */
async function countBusyDuplicate(
  deps: EngineDeps,
  dataset: string,
  head: ObjectHead,
  claim: Exclude<ClaimOutcome, { kind: 'claimed' }>,
): Promise<void> {
  if (claim.kind !== 'busy' || claim.item.file_etag !== head.etag) return;
  try {
    await deps.ledger.countDuplicateEvent(
      { ingestionKey: dataset, filePath: filePathFor(head.bucket, head.key) },
      head.etag,
    );
  } catch (e) {
    deps.logger?.warn('could not count a duplicate event', {
      file: sourcePathFor(head.bucket, head.key),
      error: errorInfo(e),
    });
  }
}

/** What a claim that did not give this run the file means for the message. */
function unclaimedOutcome(
  claim: Exclude<ClaimOutcome, { kind: 'claimed' | 'other_version' }>,
  dataset: string,
  etag: string,
  now: Date,
): OutcomeFields {
  switch (claim.kind) {
    case 'duplicate':
      return {
        status: 'duplicate',
        retry: false,
        dataset,
        etag,
        reason: `already ${claim.item.status} for this ETag`,
      };
    case 'exhausted':
      return {
        status: 'exhausted',
        retry: false,
        dataset,
        etag,
        reason: `failed ${claim.item.attempts} times; run "bronze reprocess" to try again`,
        ...(claim.item.error ? { error: claim.item.error } : {}),
      };
    case 'busy':
      // Same version: the holder finishes it or its own message returns after a crash. A newer
      // version must not be lost behind the old one's lease: its message comes back when the
      // lease ends, not a whole visibility timeout later.
      return {
        status: 'busy',
        retry: claim.item.file_etag !== etag,
        ...(claim.item.file_etag !== etag
          ? { retryAfterMs: Math.max(0, (claim.item.lease_until ?? 0) - now.getTime()) }
          : {}),
        dataset,
        etag,
        reason: `held by run ${claim.item.run_id}`,
      };
  }
}

/**
 * The earlier version's bronze object when it sits in another partition of the same source file
 * (or under the unpartitioned layout): the one copy this run must remove to keep invariant 1.
 */
function staleBronzeKeys(
  previous: LedgerItem | undefined,
  bronzeBucket: string,
  bronzeKey: string,
): string[] {
  if (!previous?.bronze_path) return [];
  const { bucket, key } = parseS3Uri(previous.bronze_path);
  if (bucket !== bronzeBucket || key === bronzeKey || bronzeSlotOf(key) !== bronzeSlotOf(bronzeKey))
    return [];
  return [key];
}

/** Removes this file's bronze objects in other partitions, before the ledger records the outcome. */
async function removeStaleBronze(deps: EngineDeps, file: ClaimedFile): Promise<void> {
  for (const key of file.staleBronzeKeys) await deps.store.delete(deps.buckets.bronze, key);
}

/** The footer metadata of the bronze object: enough for `bronze reconcile` to rebuild the item. */
function bronzeFooterMetadata(file: ClaimedFile): Record<string, string> {
  const { head, owned } = file;
  return {
    'ingestion-key': file.dataset,
    'source-file': file.sourcePath,
    'source-etag': owned.etag,
    'source-size': String(head.size),
    ...(head.versionId ? { 'source-version-id': head.versionId } : {}),
    'run-id': owned.runId,
    'ingested-at': file.startedAt.toISOString(),
  };
}

/** The footer's metadata as user metadata, where the source path must survive an HTTP header (object-metadata.ts). */
function bronzeObjectMetadata(footer: Record<string, string>, sourcePath: string): Record<string, string> {
  const { 'source-file': _raw, ...rest } = footer;
  return { ...rest, ...sourceFileMetadata(sourcePath) };
}

/** Streams a claimed file to bronze and records completion, rejection or failure. */
async function ingestClaimed(deps: EngineDeps, file: ClaimedFile, finish: Finish): Promise<FileOutcome> {
  const badRows = new QuarantinedRows(deps, file);
  try {
    const result = await writeBronze(deps, file, badRows);
    const quarantinePath = await badRows.close();
    const firstBadLine = badRows.firstLine;
    const finishRows: Finish = (o) => finish(firstBadLine ? { firstBadLine, ...o } : o);
    return await completeFile(deps, file, result, quarantinePath, finishRows);
  } catch (e) {
    if (e instanceof FileRejectedError) return rejectFile(deps, file, e, badRows, finish);
    await badRows.abort();
    return failFile(deps, file, e, finish);
  }
}

/** Reads the claimed version (pinned by ETag) and converts it to the bronze object. */
async function writeBronze(
  deps: EngineDeps,
  file: ClaimedFile,
  badRows: QuarantinedRows,
): Promise<ConvertResult> {
  const { head, owned } = file;
  const source = await deps.store.read(head.bucket, head.key, { ifMatch: owned.etag });
  const footer = bronzeFooterMetadata(file);
  return convertToBronze({
    contract: file.contract,
    source,
    gzip: isGzip(file.contract, head.key),
    lineage: {
      sourceFile: file.sourcePath,
      etag: owned.etag,
      runId: owned.runId,
      ingestedAt: file.startedAt,
    },
    metadata: footer,
    openBronze: () =>
      deps.store.openWriter(deps.buckets.bronze, file.bronzeKey, {
        contentType: 'application/vnd.apache.parquet',
        metadata: bronzeObjectMetadata(footer, file.sourcePath),
        partSizeBytes: deps.partSizeBytes ?? DEFAULT_PART_SIZE,
      }),
    onBadRow: (line, reason, fields) => badRows.add(line, reason, fields),
  });
}

/** Bronze is durable: record completion (only the claim's holder can). */
async function completeFile(
  deps: EngineDeps,
  file: ClaimedFile,
  result: ConvertResult,
  quarantinePath: string | undefined,
  finish: Finish,
): Promise<FileOutcome> {
  // No data rows: no bronze object, and none left from an earlier version.
  if (!result.bronzeEtag) await deps.store.delete(deps.buckets.bronze, file.bronzeKey);
  await removeStaleBronze(deps, file);
  await deps.ledger.markCompleted(
    { ...file.owned, now: deps.clock.now() },
    {
      rowsIngested: result.rowsIngested,
      rowsRejected: result.rowsRejected,
      partitionDate: file.partitionDate,
      ...(result.bronzeEtag ? { bronzePath: `s3://${deps.buckets.bronze}/${file.bronzeKey}` } : {}),
      ...(quarantinePath ? { quarantinePath } : {}),
      ...(hasDrift(result.drift) ? { drift: result.drift } : {}),
    },
  );
  const now = await sourceNow(deps, file);
  const afterLoad = await applyAfterLoad(afterLoadDeps(deps), file.contract, completedVersion(file), now);
  return finish({
    status: 'completed',
    ...newerVersionFields(file, now),
    ...(afterLoad ? { afterLoad } : {}),
    dataset: file.dataset,
    etag: file.owned.etag,
    rowsIngested: result.rowsIngested,
    rowsRejected: result.rowsRejected,
    bytes: result.sourceBytes,
    ...(result.bronzeEtag ? { bronzeKey: file.bronzeKey } : {}),
    ...(hasDrift(result.drift) ? { drift: result.drift } : {}),
  });
}

/**
 * An infrastructure error, a lost claim or a changed object: the message comes back (except for
 * a lost claim, whose new holder owns the file now).
 */
async function failFile(
  deps: EngineDeps,
  file: ClaimedFile,
  e: unknown,
  finish: Finish,
): Promise<FileOutcome> {
  const { dataset, owned } = file;
  if (e instanceof ClaimLostError)
    return finish({ status: 'claim_lost', retry: false, dataset, etag: owned.etag, reason: e.message });
  const status = e instanceof ObjectChangedError ? 'changed' : 'failed';
  // A changed object is a newer version waiting: its message comes back at once.
  try {
    await deps.ledger.markFailed({ ...owned, now: deps.clock.now() }, errorInfo(e));
  } catch (markError) {
    deps.logger?.error('could not record the failure; the lease will expire and the sweep retries', {
      file: file.sourcePath,
      error: errorInfo(markError),
    });
  }
  return finish({
    status,
    retry: true,
    ...(status === 'changed' ? { retryAfterMs: 0 } : {}),
    dataset,
    etag: owned.etag,
    error: errorInfo(e),
  });
}

/** Quarantines a bad file: copy, error report, set-aside rows; then marks it rejected. */
async function rejectFile(
  deps: EngineDeps,
  file: ClaimedFile,
  error: FileRejectedError,
  badRows: QuarantinedRows,
  finish: Finish,
): Promise<FileOutcome> {
  const { owned, head, qKeys, dataset } = file;
  const q = deps.buckets.quarantine;
  const info = errorInfo(error);
  try {
    const rejectedRowsPath = await badRows.close();
    // Every rejected file is copied, an empty one too: the quarantine holds what was rejected.
    await deps.store.copy(
      { bucket: head.bucket, key: head.key, ifMatch: owned.etag, size: head.size },
      { bucket: q, key: qKeys.copy },
    );
    const report = {
      dataset,
      file: file.sourcePath,
      etag: owned.etag,
      version_id: head.versionId ?? null,
      size: head.size,
      reason_code: info.code,
      message: info.message,
      first_bad_line: info.line ?? null,
      data_rows: error.dataRows,
      rows_ingested: 0,
      rows_rejected: error.dataRows,
      quarantined_copy: `s3://${q}/${qKeys.copy}`,
      rejected_rows: rejectedRowsPath ?? null,
      run_id: owned.runId,
      rejected_at: deps.clock.now().toISOString(),
    };
    await deps.store.put(q, qKeys.report, JSON.stringify(report, null, 2), {
      contentType: 'application/json',
    });
    // A rejected version leaves no bronze behind, not even an earlier version's.
    await deps.store.delete(deps.buckets.bronze, file.bronzeKey);
    await removeStaleBronze(deps, file);
    await deps.ledger.markRejected(
      { ...owned, now: deps.clock.now() },
      {
        error: info,
        rowsIngested: 0,
        rowsRejected: error.dataRows,
        quarantinePath: `s3://${q}/${qKeys.report}`,
      },
    );
  } catch (e) {
    return failFile(deps, file, e, finish);
  }
  return finish({
    status: 'rejected',
    ...(await newerVersionLanded(deps, file)),
    dataset,
    etag: owned.etag,
    rowsIngested: 0,
    rowsRejected: error.dataRows,
    bytes: head.size,
    error: info,
    ...(info.line ? { firstBadLine: info.line } : {}),
  });
}

/**
 * After a version is finished: a GET keeps streaming the version it started on, so an overwrite
 * during the run went unseen and its event was answered `busy`. When the object's ETag changed,
 * the message comes back at once and the newer version is ingested now, not a lease later.
 * A failed HEAD changes nothing: the newer version's own event and the sweep still come.
 */
async function newerVersionLanded(
  deps: EngineDeps,
  file: ClaimedFile,
): Promise<Pick<FileOutcome, 'retry' | 'retryAfterMs' | 'reason'>> {
  return newerVersionFields(file, await sourceNow(deps, file));
}

/** The source's HEAD once a version is finished; a failed HEAD is logged and reported as unknown. */
async function sourceNow(deps: EngineDeps, file: ClaimedFile): Promise<SourceNow> {
  try {
    const current = await deps.store.head(file.head.bucket, file.head.key);
    return current ? { known: true, current } : { known: true };
  } catch (e) {
    deps.logger?.warn('could not check for a newer version', {
      file: file.sourcePath,
      error: errorInfo(e),
    });
    return { known: false };
  }
}

/** Whether the message comes back at once because another version is current now. */
function newerVersionFields(
  file: ClaimedFile,
  now: SourceNow,
): Pick<FileOutcome, 'retry' | 'retryAfterMs' | 'reason'> {
  const current = now.known ? now.current : undefined;
  if (!current || current.etag === file.owned.etag) return { retry: false };
  return {
    retry: true,
    retryAfterMs: 0,
    reason: `a newer version (ETag ${current.etag}) landed during this run; it is ingested next`,
  };
}

/**
 * Rows set aside under `quarantine_rows`, streamed to `<file>.rejected-rows.jsonl` in the
 * quarantine bucket; the object is opened only when there is a first row.
 */
class QuarantinedRows {
  private writer: ObjectWriter | undefined;
  private pending: string[] = [];
  /** Line of the first row set aside, if any. */
  firstLine: number | undefined;

  constructor(
    private readonly deps: EngineDeps,
    private readonly file: ClaimedFile,
  ) {}

  async add(line: number, reason: string, fields: readonly string[]): Promise<void> {
    this.firstLine ??= line;
    this.pending.push(`${JSON.stringify({ line, reason, fields })}\n`);
    if (this.pending.length >= BAD_ROWS_PER_WRITE) await this.flush();
  }

  /** Completes the object; returns its `s3://` path, or undefined when no row was set aside. */
  async close(): Promise<string | undefined> {
    await this.flush();
    if (!this.writer) return undefined;
    await this.writer.complete();
    return `s3://${this.deps.buckets.quarantine}/${this.file.qKeys.rows}`;
  }

  async abort(): Promise<void> {
    await this.writer?.abort().catch(() => undefined);
  }

  private async flush(): Promise<void> {
    if (!this.pending.length) return;
    const { owned } = this.file;
    this.writer ??= await this.deps.store.openWriter(this.deps.buckets.quarantine, this.file.qKeys.rows, {
      contentType: 'application/x-ndjson',
      metadata: {
        ...sourceFileMetadata(this.file.sourcePath),
        'source-etag': owned.etag,
        'run-id': owned.runId,
      },
    });
    await this.writer.write(Buffer.from(this.pending.join('')));
    this.pending = [];
  }
}

function afterLoadDeps(deps: EngineDeps) {
  return {
    store: deps.store,
    landingBucket: deps.buckets.landing,
    ...(deps.logger ? { warn: deps.logger.warn.bind(deps.logger) } : {}),
  };
}

function completedVersion(file: ClaimedFile) {
  const { bucket, key, versionId } = file.head;
  return { bucket, key, etag: file.owned.etag, ...(versionId ? { versionId } : {}) };
}

/**
 * A delivery of a version the ledger already completed finishes its `after_load` when a crash
 * came between the completion and the clean-up: the step is idempotent, so running it again on
 * a redelivery is harmless. Datasets that keep their sources pay nothing.
 */
async function afterLoadOfDuplicate(
  deps: EngineDeps,
  contract: Contract,
  head: ObjectHead,
  claim: Exclude<ClaimOutcome, { kind: 'claimed' }>,
): Promise<{ afterLoad?: AfterLoadResult }> {
  if (contract.after_load.action === 'keep' || claim.kind !== 'duplicate') return {};
  const { item } = claim;
  if (item.status !== 'completed' || item.file_etag !== head.etag) return {};
  let now: SourceNow;
  try {
    const current = await deps.store.head(head.bucket, head.key);
    now = current ? { known: true, current } : { known: true };
  } catch {
    now = { known: false };
  }
  const version = {
    bucket: head.bucket,
    key: head.key,
    etag: item.file_etag,
    ...(item.version_id ? { versionId: item.version_id } : {}),
  };
  const afterLoad = await applyAfterLoad(afterLoadDeps(deps), contract, version, now);
  return afterLoad ? { afterLoad } : {};
}

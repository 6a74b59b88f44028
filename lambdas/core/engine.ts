import { type Contract, resolveDataset } from './contract.js';
import { type ConvertResult, convertToBronze, FileRejectedError } from './convert.js';
import { ClaimLostError, DataError, ObjectChangedError } from './errors.js';
import { bronzeKeyFor, bronzeSlotOf, partitionDateFor, quarantineKeysFor } from './layout.js';
import {
  type ClaimOutcome,
  type FileErrorInfo,
  filePathFor,
  type Ledger,
  type LedgerItem,
  parseS3Uri,
} from './ledger.js';
import type { Clock, IngestRequest, ObjectHead, ObjectStore, ObjectWriter } from './ports.js';

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
  | 'claim_lost';

export interface FileOutcome {
  readonly status: OutcomeStatus;
  /** True when the message must come back (infrastructure error, or a newer version waits). */
  readonly retry: boolean;
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
  /** The source version read, when S3 gave one. */
  readonly versionId?: string;
  /** The bronze partition date (YYYY-MM-DD) of a claimed file. */
  readonly partitionDate?: string;
  /** ISO times the engine started and finished the file. */
  readonly startedAt?: string;
  readonly finishedAt?: string;
}

/** An outcome before the engine stamps it with the file, the run and the duration. */
type OutcomeFields = Omit<
  FileOutcome,
  'durationMs' | 'bucket' | 'key' | 'runId' | 'startedAt' | 'finishedAt'
>;
/** Facts learnt along the way that every later outcome of the file carries. */
type OutcomeFacts = { versionId?: string; partitionDate?: string };
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

  let head: ObjectHead | undefined;
  try {
    head = await deps.store.head(request.bucket, request.key);
  } catch (e) {
    return finish({ status: 'failed', retry: true, dataset, error: errorInfo(e) });
  }
  if (!head) return finish({ status: 'ignored', retry: false, dataset, reason: 'object no longer exists' });
  if (head.versionId) facts.versionId = head.versionId;
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
  if (claim.kind !== 'claimed') return finish(unclaimedOutcome(claim, dataset, head.etag));
  facts.partitionDate = partitionDate;
  const bronzeKey = bronzeKeyFor(dataset, partitionDate, head.bucket, head.key);

  const file: ClaimedFile = {
    contract,
    dataset,
    head,
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
  return ingestClaimed(deps, file, finish);
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
    log?.call(deps.logger, `file ${result.status}`, { ...result, file: filePathFor(bucket, key) });
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
    ingestionKey: contract.ingestion_key,
    filePath: filePathFor(head.bucket, head.key),
    etag: head.etag,
    size: head.size,
    versionId: head.versionId,
    sourceLastModified: head.lastModified,
    runId: invocation.runId,
    now,
    leaseMs: invocation.remainingMs() + LEASE_MARGIN_MS,
    maxAttempts: contract.max_attempts,
  });
}

/** What a claim that did not give this run the file means for the message. */
function unclaimedOutcome(
  claim: Exclude<ClaimOutcome, { kind: 'claimed' }>,
  dataset: string,
  etag: string,
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
      // version must not be lost behind the old one's lease, so that message comes back.
      return {
        status: 'busy',
        retry: claim.item.file_etag !== etag,
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

/** The object metadata of the bronze object: enough for `bronze reconcile` to rebuild the item. */
function bronzeObjectMetadata(file: ClaimedFile): Record<string, string> {
  const { head, owned } = file;
  return {
    'ingestion-key': file.dataset,
    'source-file': owned.filePath,
    'source-etag': owned.etag,
    'source-size': String(head.size),
    ...(head.versionId ? { 'source-version-id': head.versionId } : {}),
    'run-id': owned.runId,
    'ingested-at': file.startedAt.toISOString(),
  };
}

/** Streams a claimed file to bronze and records completion, rejection or failure. */
async function ingestClaimed(deps: EngineDeps, file: ClaimedFile, finish: Finish): Promise<FileOutcome> {
  const badRows = new QuarantinedRows(deps, file);
  try {
    const result = await writeBronze(deps, file, badRows);
    const quarantinePath = await badRows.close();
    return await completeFile(deps, file, result, quarantinePath, finish);
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
  const metadata = bronzeObjectMetadata(file);
  return convertToBronze({
    contract: file.contract,
    source,
    gzip: isGzip(file.contract, head.key),
    lineage: { sourceFile: owned.filePath, etag: owned.etag, runId: owned.runId, ingestedAt: file.startedAt },
    metadata,
    openBronze: () =>
      deps.store.openWriter(deps.buckets.bronze, file.bronzeKey, {
        contentType: 'application/vnd.apache.parquet',
        metadata,
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
    },
  );
  return finish({
    status: 'completed',
    retry: false,
    dataset: file.dataset,
    etag: file.owned.etag,
    rowsIngested: result.rowsIngested,
    rowsRejected: result.rowsRejected,
    bytes: result.sourceBytes,
    ...(result.bronzeEtag ? { bronzeKey: file.bronzeKey } : {}),
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
  try {
    await deps.ledger.markFailed({ ...owned, now: deps.clock.now() }, errorInfo(e));
  } catch (markError) {
    deps.logger?.error('could not record the failure; the lease will expire and the sweep retries', {
      file: owned.filePath,
      error: errorInfo(markError),
    });
  }
  return finish({ status, retry: true, dataset, etag: owned.etag, error: errorInfo(e) });
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
    if (head.size > 0) {
      await deps.store.copy(
        { bucket: head.bucket, key: head.key, ifMatch: owned.etag, size: head.size },
        { bucket: q, key: qKeys.copy },
      );
    }
    const report = {
      dataset,
      file: owned.filePath,
      etag: owned.etag,
      version_id: head.versionId ?? null,
      size: head.size,
      reason_code: info.code,
      message: info.message,
      first_bad_line: info.line ?? null,
      data_rows: error.dataRows,
      rows_ingested: 0,
      rows_rejected: error.dataRows,
      quarantined_copy: head.size > 0 ? `s3://${q}/${qKeys.copy}` : null,
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
    retry: false,
    dataset,
    etag: owned.etag,
    rowsIngested: 0,
    rowsRejected: error.dataRows,
    bytes: head.size,
    error: info,
  });
}

/**
 * Rows set aside under `quarantine_rows`, streamed to `<file>.rejected-rows.jsonl` in the
 * quarantine bucket; the object is opened only when there is a first row.
 */
class QuarantinedRows {
  private writer: ObjectWriter | undefined;
  private pending: string[] = [];

  constructor(
    private readonly deps: EngineDeps,
    private readonly file: ClaimedFile,
  ) {}

  async add(line: number, reason: string, fields: readonly string[]): Promise<void> {
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
      metadata: { 'source-file': owned.filePath, 'source-etag': owned.etag, 'run-id': owned.runId },
    });
    await this.writer.write(Buffer.from(this.pending.join('')));
    this.pending = [];
  }
}

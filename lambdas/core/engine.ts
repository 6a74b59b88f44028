import { type Contract, resolveDataset } from './contract.js';
import { convertToBronze, FileRejectedError } from './convert.js';
import { ClaimLostError, DataError, ObjectChangedError } from './errors.js';
import { bronzeKeyFor, quarantineKeysFor } from './layout.js';
import { type FileErrorInfo, filePathFor, type Ledger } from './ledger.js';
import type { Clock, IngestRequest, ObjectHead, ObjectStore, ObjectWriter } from './ports.js';

/** Added to the invocation's remaining time to form the lease, so a live run is never taken over. */
export const LEASE_MARGIN_MS = 60_000;
const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

export interface EngineLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Receives one call per file outcome; the Lambda publishes these as EMF metrics. */
export type OutcomeListener = (outcome: FileOutcome) => void;

export interface EngineDeps {
  readonly store: ObjectStore;
  readonly ledger: Ledger;
  readonly clock: Clock;
  readonly contracts: readonly Contract[];
  readonly buckets: { readonly landing: string; readonly bronze: string; readonly quarantine: string };
  readonly logger?: EngineLogger;
  readonly onOutcome?: OutcomeListener;
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
  readonly bytes?: number;
  readonly bronzeKey?: string;
  readonly error?: FileErrorInfo;
  readonly reason?: string;
  readonly durationMs: number;
}

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
  const started = deps.clock.now();
  const { bucket, key } = request;
  const done = (outcome: Omit<FileOutcome, 'durationMs' | 'bucket' | 'key' | 'runId'>): FileOutcome => {
    const result: FileOutcome = {
      bucket,
      key,
      runId: invocation.runId,
      ...outcome,
      durationMs: deps.clock.now().getTime() - started.getTime(),
    };
    const log =
      result.status === 'failed'
        ? deps.logger?.error
        : result.status === 'rejected'
          ? deps.logger?.warn
          : deps.logger?.info;
    log?.call(deps.logger, `file ${result.status}`, {
      ...result,
      file: filePathFor(bucket, key),
    });
    deps.onOutcome?.(result);
    return result;
  };

  const match = resolveDataset(deps.contracts, deps.buckets.landing, bucket, key);
  if (!match)
    return done({ status: 'ignored', retry: false, reason: 'no dataset contract matches this object' });
  const { contract } = match;
  const dataset = contract.ingestion_key;
  if (key.endsWith('/')) return done({ status: 'ignored', retry: false, dataset, reason: 'folder marker' });

  let head: ObjectHead | undefined;
  try {
    head = await deps.store.head(bucket, key);
  } catch (e) {
    return done({ status: 'failed', retry: true, dataset, error: errorInfo(e) });
  }
  if (!head) return done({ status: 'ignored', retry: false, dataset, reason: 'object no longer exists' });

  const fileKey = { ingestionKey: dataset, filePath: filePathFor(bucket, key) };
  let claim: Awaited<ReturnType<Ledger['claimFile']>>;
  try {
    claim = await deps.ledger.claimFile({
      ...fileKey,
      etag: head.etag,
      size: head.size,
      versionId: head.versionId,
      sourceLastModified: head.lastModified,
      runId: invocation.runId,
      now: started,
      leaseMs: invocation.remainingMs() + LEASE_MARGIN_MS,
      maxAttempts: contract.max_attempts,
    });
  } catch (e) {
    return done({ status: 'failed', retry: true, dataset, etag: head.etag, error: errorInfo(e) });
  }
  const etag = head.etag;
  switch (claim.kind) {
    case 'duplicate':
      return done({
        status: 'duplicate',
        retry: false,
        dataset,
        etag,
        reason: `already ${claim.item.status} for this ETag`,
      });
    case 'exhausted':
      return done({
        status: 'exhausted',
        retry: false,
        dataset,
        etag,
        reason: `failed ${claim.item.attempts} times; run "bronze reprocess" to try again`,
      });
    case 'busy':
      // Same version: the holder finishes it or its own message returns after a crash. A newer
      // version must not be lost behind the old one's lease, so that message comes back.
      return done({
        status: 'busy',
        retry: claim.item.file_etag !== etag,
        dataset,
        etag,
        reason: `held by run ${claim.item.run_id}`,
      });
    case 'claimed':
      break;
  }

  const owned = { ...fileKey, runId: invocation.runId, etag };
  const bronzeKey = bronzeKeyFor(dataset, bucket, key);
  const qKeys = quarantineKeysFor(dataset, bucket, key);
  let badRowsWriter: ObjectWriter | undefined;
  let badRowsBuffer: string[] = [];
  const flushBadRows = async (): Promise<void> => {
    if (!badRowsBuffer.length) return;
    badRowsWriter ??= await deps.store.openWriter(deps.buckets.quarantine, qKeys.rows, {
      contentType: 'application/x-ndjson',
      metadata: { 'source-file': fileKey.filePath, 'source-etag': etag, 'run-id': invocation.runId },
    });
    await badRowsWriter.write(Buffer.from(badRowsBuffer.join('')));
    badRowsBuffer = [];
  };

  try {
    const source = await deps.store.read(bucket, key, { ifMatch: etag });
    const lineage = { sourceFile: fileKey.filePath, etag, runId: invocation.runId, ingestedAt: started };
    const objectMetadata = {
      'ingestion-key': dataset,
      'source-file': fileKey.filePath,
      'source-etag': etag,
      'source-size': String(head.size),
      ...(head.versionId ? { 'source-version-id': head.versionId } : {}),
      'run-id': invocation.runId,
      'ingested-at': started.toISOString(),
    };
    const result = await convertToBronze({
      contract,
      source,
      gzip: isGzip(contract, key),
      lineage,
      metadata: objectMetadata,
      openBronze: () =>
        deps.store.openWriter(deps.buckets.bronze, bronzeKey, {
          contentType: 'application/vnd.apache.parquet',
          metadata: objectMetadata,
          partSizeBytes: deps.partSizeBytes ?? DEFAULT_PART_SIZE,
        }),
      onBadRow: async (line, reason, fields) => {
        badRowsBuffer.push(`${JSON.stringify({ line, reason, fields })}\n`);
        if (badRowsBuffer.length >= 1000) await flushBadRows();
      },
    });
    await flushBadRows();
    const quarantinePath = badRowsWriter ? `s3://${deps.buckets.quarantine}/${qKeys.rows}` : undefined;
    if (badRowsWriter) await badRowsWriter.complete();
    // No data rows: no bronze object, and none left from an earlier version.
    if (!result.bronzeEtag) await deps.store.delete(deps.buckets.bronze, bronzeKey);
    await deps.ledger.markCompleted(
      { ...owned, now: deps.clock.now() },
      {
        rowsIngested: result.rowsIngested,
        rowsRejected: result.rowsRejected,
        ...(result.bronzeEtag ? { bronzePath: `s3://${deps.buckets.bronze}/${bronzeKey}` } : {}),
        ...(quarantinePath ? { quarantinePath } : {}),
      },
    );
    return done({
      status: 'completed',
      retry: false,
      dataset,
      etag,
      rowsIngested: result.rowsIngested,
      rowsRejected: result.rowsRejected,
      bytes: result.sourceBytes,
      ...(result.bronzeEtag ? { bronzeKey } : {}),
    });
  } catch (e) {
    if (e instanceof FileRejectedError) {
      return reject(
        deps,
        { owned, contract, head, qKeys, bronzeKey, error: e, badRowsWriter, flushBadRows },
        done,
      );
    }
    await badRowsWriter?.abort().catch(() => undefined);
    if (e instanceof ClaimLostError)
      return done({ status: 'claim_lost', retry: false, dataset, etag, reason: e.message });
    const status = e instanceof ObjectChangedError ? 'changed' : 'failed';
    try {
      await deps.ledger.markFailed({ ...owned, now: deps.clock.now() }, errorInfo(e));
    } catch (markError) {
      deps.logger?.error('could not record the failure; the lease will expire and the sweep retries', {
        file: fileKey.filePath,
        error: errorInfo(markError),
      });
    }
    return done({ status, retry: true, dataset, etag, error: errorInfo(e) });
  }
}

interface RejectContext {
  readonly owned: { ingestionKey: string; filePath: string; runId: string; etag: string };
  readonly contract: Contract;
  readonly head: ObjectHead;
  readonly qKeys: ReturnType<typeof quarantineKeysFor>;
  readonly bronzeKey: string;
  readonly error: FileRejectedError;
  readonly badRowsWriter: ObjectWriter | undefined;
  readonly flushBadRows: () => Promise<void>;
}

/** Quarantines a bad file: copy, error report, set-aside rows; then marks it rejected. */
async function reject(
  deps: EngineDeps,
  ctx: RejectContext,
  done: (o: Omit<FileOutcome, 'durationMs' | 'bucket' | 'key' | 'runId'>) => FileOutcome,
): Promise<FileOutcome> {
  const { owned, head, qKeys, error } = ctx;
  const dataset = owned.ingestionKey;
  const q = deps.buckets.quarantine;
  const info = errorInfo(error);
  try {
    await ctx.flushBadRows();
    if (ctx.badRowsWriter) await ctx.badRowsWriter.complete();
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
      rejected_rows: ctx.badRowsWriter ? `s3://${q}/${qKeys.rows}` : null,
      run_id: owned.runId,
      rejected_at: deps.clock.now().toISOString(),
    };
    await deps.store.put(q, qKeys.report, JSON.stringify(report, null, 2), {
      contentType: 'application/json',
    });
    // A rejected version leaves no bronze behind, not even an earlier version's.
    await deps.store.delete(deps.buckets.bronze, ctx.bronzeKey);
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
    if (e instanceof ClaimLostError)
      return done({ status: 'claim_lost', retry: false, dataset, etag: owned.etag, reason: e.message });
    const status = e instanceof ObjectChangedError ? 'changed' : 'failed';
    await deps.ledger.markFailed({ ...owned, now: deps.clock.now() }, errorInfo(e)).catch(() => undefined);
    return done({ status, retry: true, dataset, etag: owned.etag, error: errorInfo(e) });
  }
  return done({
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

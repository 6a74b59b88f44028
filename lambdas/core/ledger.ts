/**
 * The file-state ledger: one item per source file, keyed by (ingestion_key, file_path).
 * Every transition is a conditional write in the adapter (see DESIGN.md, "Ledger").
 */
import { createHash } from 'node:crypto';
import type { SchemaDrift } from './schema-evolution.js';

/** A file's state. Set before work starts and changed only by conditional writes. */
export enum FileStatus {
  Processing = 'processing',
  Completed = 'completed',
  Rejected = 'rejected',
  Failed = 'failed',
  /** Landed while its dataset was paused: waits for `bronze resume`; not an attempt, not retried. */
  Paused = 'paused',
}

export const FILE_STATUSES: readonly FileStatus[] = Object.values(FileStatus);

/** GSI that lists a dataset's files by status and time: pk ingestion_key, sk status_at. */
export const STATUS_INDEX_NAME = 'by_status';
/** TTL attribute (epoch seconds). Only audit records carry it, never a file's "was loaded" fact. */
export const TTL_ATTRIBUTE = 'expires_at';
/** file_path values that start with this are reserved items (high-water marks, run records). */
export const RESERVED_PREFIX = '#';
/** The dataset's newest partition date seen by the sweep. */
export const HIGH_WATER_MARK = 'high_water_mark';
export const HIGH_WATER_MARK_PATH = `${RESERVED_PREFIX}${HIGH_WATER_MARK}`;
export const RUN_PATH_PREFIX = '#run#';
/** The reserved item that pauses a dataset while it exists. */
export const PAUSE_PATH = `${RESERVED_PREFIX}paused`;
/** Earlier versions kept on an item. */
export const HISTORY_LIMIT = 20;

export interface FileKey {
  readonly ingestionKey: string;
  /** The sort key: `s3://bucket/key`, or its digest form for long paths (see filePathFor). */
  readonly filePath: string;
}

export interface FileErrorInfo {
  readonly code: string;
  readonly message: string;
  readonly line?: number;
}

/** A version of the file this item tracked before a newer ETag replaced it. */
export interface HistoryEntry {
  readonly file_etag: string;
  readonly file_size: number;
  /** The replaced version's S3 version id: where the landing bucket keeps it. */
  readonly version_id?: string;
  readonly status: FileStatus;
  readonly rows_ingested?: number;
  readonly rows_rejected?: number;
  readonly processed_at_iso?: string;
  readonly replaced_at_iso: string;
  readonly run_id?: string;
}

/** The stored item, attribute names as in DynamoDB. */
export interface LedgerItem {
  readonly ingestion_key: string;
  readonly file_path: string;
  /** The real `s3://bucket/key`, present only when file_path is a digest (see filePathFor). */
  readonly source_path?: string;
  readonly status: FileStatus;
  /** `${status}#${updated_at}`: the GSI sort key. */
  readonly status_at: string;
  readonly file_etag: string;
  readonly file_size: number;
  readonly version_id?: string;
  readonly source_last_modified?: string;
  readonly attempts: number;
  /** Epoch milliseconds until which the claiming run owns the file. */
  readonly lease_until?: number;
  readonly run_id: string;
  readonly rows_ingested?: number;
  readonly rows_rejected?: number;
  readonly bronze_path?: string;
  /** The bronze partition date (YYYY-MM-DD) of the completed version. */
  readonly partition_date?: string;
  readonly quarantine_path?: string;
  readonly error?: FileErrorInfo;
  /** Declared columns the completed file lacked (NULL in bronze). */
  readonly columns_missing?: string[];
  /** Columns of the completed file the contract does not declare (ignored or rescued). */
  readonly columns_unexpected?: string[];
  /** Values kept in `_rescued_data`, by column. */
  readonly values_rescued?: Record<string, number>;
  readonly first_seen_at: string;
  /** Epoch seconds of the last terminal outcome. */
  readonly processed_at?: number;
  readonly processed_at_iso?: string;
  readonly updated_at: string;
  readonly duplicate_events?: number;
  /** Set by `bronze reprocess`; the next claim of the same ETag is allowed once and clears it. */
  readonly reprocess_requested_at?: string;
  readonly reprocess_requested_by?: string;
  readonly reprocess_reason?: string;
  readonly history?: readonly HistoryEntry[];
}

export interface ClaimRequest extends FileKey {
  /** The real `s3://bucket/key`; stored as source_path when file_path is a digest. */
  readonly sourcePath?: string;
  readonly etag: string;
  readonly size: number;
  readonly versionId?: string;
  readonly sourceLastModified?: Date;
  readonly runId: string;
  readonly now: Date;
  /** How long the claim is held: the remaining invocation time plus a margin. */
  readonly leaseMs: number;
  /** A failed file is claimed again only while attempts < maxAttempts. */
  readonly maxAttempts: number;
  /**
   * The ETag is the one an event announced, not read from the object: an item holding another
   * ETag is left alone (answer `other_version`), since the event may be the stale one.
   */
  readonly etagFromEvent?: boolean;
}

export type ClaimOutcome =
  /** This run owns the file. `previous` is the item before the claim, if there was one. */
  | { readonly kind: 'claimed'; readonly item: LedgerItem; readonly previous?: LedgerItem }
  /** Same ETag already completed or rejected: nothing to do (counted on the item). */
  | { readonly kind: 'duplicate'; readonly item: LedgerItem }
  /** Another run holds an unexpired lease. */
  | { readonly kind: 'busy'; readonly item: LedgerItem }
  /** Failed too often for this ETag; an operator must reprocess it. */
  | { readonly kind: 'exhausted'; readonly item: LedgerItem }
  /** An event's ETag (etagFromEvent) met an item of another ETag: nothing written; ask the object. */
  | { readonly kind: 'other_version'; readonly item: LedgerItem };

export interface CompletionResult {
  readonly rowsIngested: number;
  readonly rowsRejected: number;
  /** `s3://bucket/key` of the bronze object, absent when the file had no data rows. */
  readonly bronzePath?: string;
  /** The bronze partition date (YYYY-MM-DD) the file was written under. */
  readonly partitionDate?: string;
  /** `s3://bucket/key` of quarantined rows, when some rows were set aside. */
  readonly quarantinePath?: string;
  /** Columns missing or unexpected and values rescued (schema evolution), when any. */
  readonly drift?: SchemaDrift;
}

export interface RejectionResult {
  readonly error: FileErrorInfo;
  readonly rowsIngested: number;
  readonly rowsRejected: number;
  readonly quarantinePath: string;
}

export interface OwnedTransition extends FileKey {
  readonly runId: string;
  readonly etag: string;
  readonly now: Date;
}

export interface ListFilesOptions {
  readonly status?: FileStatus;
  /** Only items updated at or after this time. */
  readonly since?: Date;
  readonly limit?: number;
  /** Opaque cursor from a previous page. */
  readonly cursor?: string;
}

/** An audit record of an operator or sweep action. */
export interface RunRecord {
  readonly ingestionKey: string;
  readonly runId: string;
  readonly kind: 'sweep' | 'reprocess' | 'reset' | 'reconcile' | 'rewind' | 'pause' | 'resume';
  readonly startedAt: string;
  readonly by: string;
  readonly reason?: string;
  readonly dryRun?: boolean;
  /** Counts and notes of what changed. */
  readonly summary: Readonly<Record<string, number | string | boolean>>;
}

/** Who paused a dataset, why and when (`bronze pause`). */
export interface PauseMark {
  readonly by: string;
  readonly reason: string;
  /** ISO time of the pause. */
  readonly at: string;
  readonly runId: string;
}

/** The version a run would have claimed, recorded as paused instead. */
export type PauseRequest = Omit<ClaimRequest, 'leaseMs'>;

export type PauseOutcome =
  /** The item now holds this version as paused (or already did). */
  | { readonly kind: 'paused'; readonly item: LedgerItem }
  /** Left as it was: the same answers a claim gives (busy, duplicate, exhausted, other_version). */
  | Exclude<ClaimOutcome, { kind: 'claimed' }>;

export interface Ledger {
  /** Tries to take the file for this run; one conditional write decides. */
  claimFile(request: ClaimRequest): Promise<ClaimOutcome>;
  /** processing -> completed, only by the run holding the claim. Throws ClaimLostError otherwise. */
  markCompleted(transition: OwnedTransition, result: CompletionResult): Promise<LedgerItem>;
  /** processing -> rejected (terminal for this ETag), only by the run holding the claim. */
  markRejected(transition: OwnedTransition, result: RejectionResult): Promise<LedgerItem>;
  /** processing -> failed (retried later), only by the run holding the claim. */
  markFailed(transition: OwnedTransition, error: FileErrorInfo): Promise<LedgerItem>;
  getFile(key: FileKey): Promise<LedgerItem | undefined>;
  /**
   * Counts a delivery of the version a live run holds (answered busy) in duplicate_events, like
   * any other duplicate; a no-op when the item holds another ETag by now.
   */
  countDuplicateEvent(key: FileKey, etag: string): Promise<void>;
  /** Batched lookups (BatchGetItem, 100 keys a call, unprocessed keys retried). Keyed by file_path. */
  getFiles(ingestionKey: string, filePaths: readonly string[]): Promise<Map<string, LedgerItem>>;
  /** A page of a dataset's files: by status through the GSI, otherwise by key. Never a scan. */
  listFiles(
    ingestionKey: string,
    options?: ListFilesOptions,
  ): Promise<{ items: LedgerItem[]; cursor?: string }>;
  /** Marks a file for one forced re-ingest and records who asked and why. */
  requestReprocess(
    key: FileKey,
    request: { by: string; reason: string; now: Date },
  ): Promise<LedgerItem | undefined>;
  deleteFile(key: FileKey): Promise<void>;
  /** Writes an item rebuilt from bronze metadata, only if none exists. Returns false when one did. */
  restoreFile(item: LedgerItem): Promise<boolean>;
  /** A raise-only mark of the dataset (reserved item `#<mark>`); the high-water mark by default. */
  getHighWaterMark(ingestionKey: string, mark?: string): Promise<string | undefined>;
  /** Raises the mark; never lowers it. */
  raiseHighWaterMark(ingestionKey: string, value: string, mark?: string): Promise<void>;
  recordRun(run: RunRecord): Promise<void>;
  /** The dataset's pause, if it is paused. */
  getPause(ingestionKey: string): Promise<PauseMark | undefined>;
  /** Pauses the dataset (replacing an earlier mark). */
  setPause(ingestionKey: string, mark: PauseMark): Promise<void>;
  /** Lifts the pause (no error when there is none). */
  clearPause(ingestionKey: string): Promise<void>;
  /**
   * Records a version as paused without claiming it: attempts untouched, and never over a live
   * run, a finished item of the same ETag, or a file failed to its attempt limit.
   */
  markPaused(request: PauseRequest): Promise<PauseOutcome>;
  listRuns(ingestionKey: string, options?: { limit?: number }): Promise<RunRecord[]>;
}

/** The mark holding the key up to which a time-ordered source is finished (the sweep's StartAfter). */
export function listCheckpointMark(bucket: string, prefix: string): string {
  return `list_after#s3://${bucket}/${prefix}`;
}

/** DynamoDB refuses a sort key longer than this many bytes of UTF-8. */
export const MAX_FILE_PATH_BYTES = 1024;
/** Starts the key part of a digest file_path: `s3://bucket/#sha256:<hex>`. */
export const DIGEST_MARK = '#sha256:';

/** `s3://bucket/key`: the file's real path (lineage, reports, what operators type). */
export function sourcePathFor(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** The ledger sort key of a source file: a pure function of (bucket, key) that fits any legal key. */
export function filePathFor(bucket: string, key: string): string {
  const path = sourcePathFor(bucket, key);
  // A real key that starts with the mark is digested too, so the two forms never collide.
  if (Buffer.byteLength(path) <= MAX_FILE_PATH_BYTES && !key.startsWith(DIGEST_MARK)) return path;
  return `s3://${bucket}/${DIGEST_MARK}${createHash('sha256').update(path).digest('hex')}`;
}

/** The sort key of a source path `s3://bucket/key`. */
export function filePathOf(sourcePath: string): string {
  const { bucket, key } = parseS3Uri(sourcePath);
  return filePathFor(bucket, key);
}

/** The real `s3://bucket/key` of an item, whichever form its sort key has. */
export function sourcePathOf(item: Pick<LedgerItem, 'file_path' | 'source_path'>): string {
  return item.source_path ?? item.file_path;
}

/** Splits `s3://bucket/key` (any key, control characters and line breaks included); throws on anything else. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/([\s\S]+)$/.exec(uri);
  if (!m) throw new Error(`not an s3://bucket/key URI: ${uri}`);
  return { bucket: m[1]!, key: m[2]! };
}

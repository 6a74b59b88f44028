/**
 * Rebuilds ledger items after state loss from what ingestion left behind: each bronze object's
 * Parquet footer (and user metadata) names its source file, ETag, size, run and row counts, and
 * each quarantine error report describes a rejected file. The ledger stays the source of truth
 * only if it can be rebuilt from durable output, which is what this module does.
 */
import { randomUUID } from 'node:crypto';
import { parquetMetadata } from 'hyparquet';
import { bronzePrefixFor, bronzeSlotFor, bronzeSlotOf, quarantineKeysFor } from './layout.js';
import { FileStatus, filePathOf, type Ledger, type LedgerItem, parseS3Uri, sourcePathOf } from './ledger.js';
import { LOAD_HISTORY_PREFIX, type LoadHistoryRecord, parseLoadHistory } from './load-history.js';
import { sourceFileFromMetadata } from './object-metadata.js';
import type { Clock, ObjectHead, ObjectStore } from './ports.js';
import type { SchemaDrift } from './schema-evolution.js';

/** Bytes read from the end of a bronze object first; bronze footers are a few KiB. */
export const FOOTER_TAIL_BYTES = 64 * 1024;
/** Footers and error reports read at once. */
const READ_CONCURRENCY = 8;
const PARQUET_MAGIC = 0x31524150; // "PAR1", little-endian
/** Keys the engine writes into both the footer and the object's user metadata. */
const LINEAGE_KEYS = ['source-file', 'source-etag', 'source-size', 'run-id'] as const;

/** The fields reconcile brings back exactly as they were (history and counters are lost with the item). */
export const RECONCILED_FIELDS = [
  'status',
  'file_etag',
  'file_size',
  'rows_ingested',
  'rows_rejected',
  'bronze_path',
  'run_id',
] as const satisfies readonly (keyof LedgerItem)[];

/** A ledger item rebuilt by reconcile: the extra fields say when and from what. */
export interface RestoredLedgerItem extends LedgerItem {
  readonly restored_at: string;
  /** `s3://` path of the bronze object or error report the item was rebuilt from. */
  readonly restored_from: string;
}

/** What one bronze object says about the source file it came from. */
export interface BronzeEvidence {
  readonly bronzePath: string;
  /** When the bronze upload completed (its LastModified), the nearest known completion time. */
  readonly lastModified?: string;
  readonly sourceFile?: string;
  readonly sourceEtag?: string;
  readonly sourceSize?: number;
  readonly sourceVersionId?: string;
  readonly runId?: string;
  readonly ingestedAt?: string;
  readonly rowsIngested?: number;
  readonly rowsRejected?: number;
  /** The ledger's drift attributes, from the footer's `schema_drift` (datasets whose columns drifted). */
  readonly drift?: Pick<LedgerItem, 'columns_missing' | 'columns_unexpected' | 'values_rescued'>;
  /** Why this object cannot rebuild an item, when it cannot. */
  readonly problem?: string;
}

/** What one quarantine error report says about a rejected file. */
export interface RejectionEvidence {
  readonly reportPath: string;
  readonly sourceFile?: string;
  readonly etag?: string;
  readonly size?: number;
  readonly versionId?: string;
  readonly reasonCode?: string;
  readonly message?: string;
  readonly firstBadLine?: number;
  readonly rowsIngested?: number;
  readonly rowsRejected?: number;
  readonly runId?: string;
  readonly rejectedAt?: string;
  readonly problem?: string;
}

export type OrphanKind =
  /** A bronze object with no ledger item that could not be rebuilt from it. */
  | 'bronze_without_ledger'
  /** A bronze object whose file has a finished ledger item that points elsewhere. */
  | 'bronze_not_referenced'
  /** A completed ledger item whose bronze object is gone. */
  | 'ledger_without_bronze';

export interface Orphan {
  readonly kind: OrphanKind;
  /** The bronze object, or the ledger item's file. */
  readonly path: string;
  readonly detail: string;
}

export interface ReconcileInput {
  readonly dataset: string;
  readonly bronze: readonly BronzeEvidence[];
  readonly rejections: readonly RejectionEvidence[];
  /** Current ledger items of the files the evidence names, by file_path (the sort key, see filePathOf). */
  readonly existing: ReadonlyMap<string, LedgerItem>;
  /** The dataset's completed items, to find those whose bronze object is gone. */
  readonly completed: readonly LedgerItem[];
  /** `s3://` paths of the bronze objects that exist. */
  readonly bronzeObjects: ReadonlySet<string>;
  /** `s3://` paths of the quarantine objects that exist (set-aside rows files among them). */
  readonly quarantineObjects: ReadonlySet<string>;
  /** The dataset's load history records (the second source: files that left no object). */
  readonly history?: readonly LoadHistoryRecord[];
  readonly quarantineBucket: string;
  readonly now: Date;
}

/** A second bronze object of one source file (another partition, or the unpartitioned layout). */
export interface DuplicateBronze {
  /** The object removed (or, in a dry run, that would be). */
  readonly path: string;
  readonly sourceFile: string;
  /** The object the file keeps, when it keeps one. */
  readonly kept?: string;
}

export interface ReconcilePlan {
  /** Items to write, one per file, from its newest evidence. */
  readonly restore: RestoredLedgerItem[];
  /** Copies of a file's bronze beside the one its item (restored or kept) stands for: removed. */
  readonly duplicates: DuplicateBronze[];
  /** Files that already have an item: left alone. */
  readonly alreadyInLedger: number;
  /** Older evidence of a file that has newer evidence (for example a report from before a fix). */
  readonly superseded: number;
  readonly orphans: Orphan[];
  /** Error reports that could not be read. */
  readonly unreadableReports: { readonly path: string; readonly problem: string }[];
}

const intOf = (value: string | undefined): number | undefined => {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
};

/** How many bytes at the end of `tail` the Parquet footer takes (metadata, length, magic). */
export function parquetFooterLength(tail: Uint8Array): number {
  if (tail.length < 8) throw new Error('too short to be Parquet');
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  if (view.getUint32(tail.length - 4, true) !== PARQUET_MAGIC)
    throw new Error('no Parquet footer (PAR1) at the end');
  return view.getUint32(tail.length - 8, true) + 8;
}

/** The footer's key-value metadata and row count, from bytes that end with the footer. */
export function parseParquetFooter(tail: Uint8Array): { keyValues: Record<string, string>; numRows: number } {
  const metadata = parquetMetadata(tail);
  const keyValues: Record<string, string> = {};
  for (const { key, value } of metadata.key_value_metadata ?? [])
    if (value !== undefined) keyValues[key] = value;
  return { keyValues, numRows: Number(metadata.num_rows) };
}

/**
 * Reads the evidence of one bronze object: the footer's key-value metadata (written by the engine),
 * with the object's user metadata filling gaps and the row count standing in for rows_ingested.
 */
export function bronzeEvidence(
  head: ObjectHead,
  footer: { keyValues: Record<string, string>; numRows: number } | { problem: string },
): BronzeEvidence {
  const bronzePath = `s3://${head.bucket}/${head.key}`;
  const lastModified = head.lastModified?.toISOString();
  const base = { bronzePath, ...(lastModified ? { lastModified } : {}) };
  if ('problem' in footer) return { ...base, problem: footer.problem };
  const meta = { ...(head.metadata ?? {}), ...footer.keyValues };
  const evidence: BronzeEvidence = compactEvidence({
    ...base,
    // The footer holds the path as it is; user metadata may hold it encoded (object-metadata.ts).
    sourceFile: sourceFileFromMetadata(footer.keyValues) ?? sourceFileFromMetadata(head.metadata ?? {}),
    sourceEtag: meta['source-etag'],
    sourceSize: intOf(meta['source-size']),
    sourceVersionId: meta['source-version-id'],
    runId: meta['run-id'],
    ingestedAt: meta['ingested-at'],
    // Bronze row count = rows_ingested (DESIGN.md invariant 2), for footers older than the key.
    rowsIngested: intOf(meta.rows_ingested) ?? footer.numRows,
    rowsRejected: intOf(meta.rows_rejected),
    drift: driftOf(meta.schema_drift),
  });
  const missing = (['sourceFile', 'sourceEtag', 'sourceSize', 'runId'] as const).filter(
    (k) => evidence[k] === undefined,
  );
  if (missing.length) {
    const names = {
      sourceFile: 'source-file',
      sourceEtag: 'source-etag',
      sourceSize: 'source-size',
      runId: 'run-id',
    };
    return { ...evidence, problem: `footer and metadata lack ${missing.map((k) => names[k]).join(', ')}` };
  }
  try {
    parseS3Uri(evidence.sourceFile!);
  } catch {
    return { ...evidence, problem: `source-file is not an s3:// URI: ${evidence.sourceFile}` };
  }
  return evidence;
}

/** The key fields of an item for a source path: the sort key, and the real path when that is a digest. */
function itemKeyFor(
  dataset: string,
  sourcePath: string,
): Pick<LedgerItem, 'ingestion_key' | 'file_path' | 'source_path'> {
  const filePath = filePathOf(sourcePath);
  return filePath === sourcePath
    ? { ingestion_key: dataset, file_path: filePath }
    : { ingestion_key: dataset, file_path: filePath, source_path: sourcePath };
}

/** Reads the evidence of one quarantine error report (the JSON the engine writes on rejection). */
export function rejectionEvidence(reportPath: string, dataset: string, text: string): RejectionEvidence {
  let report: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not a JSON object');
    report = parsed as Record<string, unknown>;
  } catch (e) {
    return { reportPath, problem: `not a readable error report: ${(e as Error).message}` };
  }
  const str = (k: string) => (typeof report[k] === 'string' ? (report[k] as string) : undefined);
  const num = (k: string) => (typeof report[k] === 'number' ? (report[k] as number) : undefined);
  const evidence = compactEvidence<RejectionEvidence>({
    reportPath,
    sourceFile: str('file'),
    etag: str('etag'),
    size: num('size'),
    versionId: str('version_id'),
    reasonCode: str('reason_code'),
    message: str('message'),
    firstBadLine: num('first_bad_line'),
    rowsIngested: num('rows_ingested'),
    rowsRejected: num('rows_rejected'),
    runId: str('run_id'),
    rejectedAt: str('rejected_at'),
  });
  if (report.dataset !== dataset)
    return { ...evidence, problem: `report is for dataset ${String(report.dataset)}` };
  const required = ['sourceFile', 'etag', 'size', 'reasonCode', 'runId', 'rejectedAt'] as const;
  const missing = required.filter((k) => evidence[k] === undefined);
  if (missing.length) return { ...evidence, problem: `report lacks ${missing.join(', ')}` };
  return evidence;
}

/** The drift attributes a footer's `schema_drift` JSON holds; undefined when absent or unreadable. */
function driftOf(json: string | undefined): BronzeEvidence['drift'] {
  if (!json) return undefined;
  try {
    const d = JSON.parse(json) as Partial<SchemaDrift>;
    return compactEvidence({
      columns_missing: d.columnsMissing?.length ? [...d.columnsMissing] : undefined,
      columns_unexpected: d.columnsUnexpected?.length ? [...d.columnsUnexpected] : undefined,
      values_rescued:
        d.valuesRescued && Object.keys(d.valuesRescued).length ? { ...d.valuesRescued } : undefined,
    });
  } catch {
    return undefined;
  }
}

function compactEvidence<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function epochSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

function itemFromBronze(dataset: string, e: BronzeEvidence, input: ReconcileInput): RestoredLedgerItem {
  const { bucket, key } = parseS3Uri(e.sourceFile!);
  const rowsPath = `s3://${input.quarantineBucket}/${quarantineKeysFor(dataset, bucket, key).rows}`;
  const setAside = (e.rowsRejected ?? 0) > 0 && input.quarantineObjects.has(rowsPath);
  // Completion came right after the upload; LastModified is the nearest durable trace of it.
  const processedAt = e.lastModified ?? e.ingestedAt ?? input.now.toISOString();
  return compactEvidence({
    ...itemKeyFor(dataset, e.sourceFile!),
    status: FileStatus.Completed,
    status_at: `${FileStatus.Completed}#${processedAt}`,
    file_etag: e.sourceEtag!,
    file_size: e.sourceSize!,
    version_id: e.sourceVersionId,
    attempts: 1,
    run_id: e.runId!,
    rows_ingested: e.rowsIngested,
    rows_rejected: e.rowsRejected,
    bronze_path: e.bronzePath,
    ...e.drift,
    quarantine_path: setAside ? rowsPath : undefined,
    first_seen_at: e.ingestedAt ?? processedAt,
    processed_at: epochSeconds(processedAt),
    processed_at_iso: processedAt,
    updated_at: processedAt,
    restored_at: input.now.toISOString(),
    restored_from: e.bronzePath,
  });
}

function itemFromReport(dataset: string, r: RejectionEvidence, now: Date): RestoredLedgerItem {
  const at = r.rejectedAt!;
  return compactEvidence({
    ...itemKeyFor(dataset, r.sourceFile!),
    status: FileStatus.Rejected,
    status_at: `${FileStatus.Rejected}#${at}`,
    file_etag: r.etag!,
    file_size: r.size!,
    version_id: r.versionId,
    attempts: 1,
    run_id: r.runId!,
    rows_ingested: r.rowsIngested ?? 0,
    rows_rejected: r.rowsRejected ?? 0,
    quarantine_path: r.reportPath,
    error: compactEvidence({ code: r.reasonCode!, message: r.message ?? '', line: r.firstBadLine }),
    first_seen_at: at,
    processed_at: epochSeconds(at),
    processed_at_iso: at,
    updated_at: at,
    restored_at: now.toISOString(),
    restored_from: r.reportPath,
  });
}

type Candidate =
  | { kind: 'bronze'; at: string; evidence: BronzeEvidence }
  | { kind: 'report'; at: string; evidence: RejectionEvidence };

/**
 * Decides what to restore and what is orphaned, from evidence and the ledger as it stands.
 * Each file gets at most one item, from its newest evidence: a file rejected and later fixed
 * keeps its old report, and the bronze written after it wins.
 */
export function planReconcile(input: ReconcileInput): ReconcilePlan {
  const { dataset } = input;
  const orphans: Orphan[] = [];
  const unreadableReports: { path: string; problem: string }[] = [];
  const byFile = new Map<string, Candidate[]>();
  const add = (file: string, candidate: Candidate) =>
    byFile.set(file, [...(byFile.get(file) ?? []), candidate]);

  for (const e of input.bronze) {
    if (e.problem) {
      orphans.push({ kind: 'bronze_without_ledger', path: e.bronzePath, detail: e.problem });
      continue;
    }
    add(e.sourceFile!, { kind: 'bronze', at: e.ingestedAt ?? e.lastModified ?? '', evidence: e });
  }
  for (const r of input.rejections) {
    if (r.problem) unreadableReports.push({ path: r.reportPath, problem: r.problem });
    else add(r.sourceFile!, { kind: 'report', at: r.rejectedAt!, evidence: r });
  }

  const restore: RestoredLedgerItem[] = [];
  const duplicates: DuplicateBronze[] = [];
  let alreadyInLedger = 0;
  let superseded = 0;
  for (const [file, candidates] of [...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const item = input.existing.get(filePathOf(file));
    const ownSlot = slotOfFile(dataset, file);
    if (item) {
      alreadyInLedger++;
      for (const c of candidates) {
        if (c.kind !== 'bronze') continue;
        const stale = staleBronzeReason(item, c.evidence.bronzePath);
        if (!stale) continue;
        if (slotOfPath(c.evidence.bronzePath) === ownSlot)
          duplicates.push(duplicate(c.evidence.bronzePath, file, item.bronze_path));
        else orphans.push({ kind: 'bronze_not_referenced', path: c.evidence.bronzePath, detail: stale });
      }
      continue;
    }
    // Newest first; on equal times bronze wins, since a rejection removes bronze.
    const [newest, ...older] = [...candidates].sort(
      (a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0) || (a.kind === 'bronze' ? -1 : 1),
    );
    superseded += older.length;
    const kept = newest!.kind === 'bronze' ? newest!.evidence.bronzePath : undefined;
    for (const c of older) {
      if (
        c.kind === 'bronze' &&
        c.evidence.bronzePath !== kept &&
        slotOfPath(c.evidence.bronzePath) === ownSlot
      )
        duplicates.push(duplicate(c.evidence.bronzePath, file, kept));
    }
    restore.push(
      newest!.kind === 'bronze'
        ? itemFromBronze(dataset, newest!.evidence, input)
        : itemFromReport(dataset, newest!.evidence, input.now),
    );
  }

  for (const item of input.completed) {
    if (item.bronze_path && !input.bronzeObjects.has(item.bronze_path)) {
      orphans.push({
        kind: 'ledger_without_bronze',
        path: sourcePathOf(item),
        detail: `completed, but its bronze object ${item.bronze_path} is missing`,
      });
    }
  }
  restore.push(...restoreFromHistory(input, byFile));
  return { restore, duplicates, alreadyInLedger, superseded, orphans, unreadableReports };
}

/**
 * Files that completed with no data rows leave no bronze object; their newest load history
 * record, when it says so and nothing else is known of the file, rebuilds the item.
 */
function restoreFromHistory(
  input: ReconcileInput,
  evidenced: ReadonlyMap<string, unknown>,
): RestoredLedgerItem[] {
  const newest = new Map<string, LoadHistoryRecord>();
  for (const r of input.history ?? []) {
    if (r.dataset !== input.dataset || typeof r.file !== 'string' || typeof r.finished_at !== 'string')
      continue;
    const seen = newest.get(r.file);
    if (!seen || String(seen.finished_at) < r.finished_at) newest.set(r.file, r);
  }
  const items: RestoredLedgerItem[] = [];
  for (const [file, r] of [...newest].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (evidenced.has(file) || input.existing.has(file)) continue;
    if (r.status !== FileStatus.Completed || r.bronze_path !== null || typeof r.etag !== 'string') continue;
    const at = String(r.finished_at);
    items.push(
      compactEvidence({
        ingestion_key: input.dataset,
        file_path: file,
        status: FileStatus.Completed,
        status_at: `${FileStatus.Completed}#${at}`,
        file_etag: r.etag,
        file_size: Number(r.file_size ?? 0),
        version_id: typeof r.version_id === 'string' ? r.version_id : undefined,
        attempts: 1,
        run_id: String(r.run_id),
        rows_ingested: Number(r.rows_ingested ?? 0),
        rows_rejected: Number(r.rows_rejected ?? 0),
        partition_date: typeof r.partition_date === 'string' ? r.partition_date : undefined,
        first_seen_at: typeof r.started_at === 'string' ? r.started_at : at,
        processed_at: epochSeconds(at),
        processed_at_iso: at,
        updated_at: at,
        restored_at: input.now.toISOString(),
        restored_from: `load_history:${r.run_id}`,
      }),
    );
  }
  return items;
}

/** The slot of the bronze keys the engine writes for a source file (`s3://bucket/key`). */
function slotOfFile(dataset: string, sourceFile: string): string {
  const { bucket, key } = parseS3Uri(sourceFile);
  return bronzeSlotFor(dataset, bucket, key);
}

/** The slot of a bronze object given as `s3://bucket/key`. */
function slotOfPath(bronzePath: string): string {
  return bronzeSlotOf(parseS3Uri(bronzePath).key);
}

function duplicate(path: string, sourceFile: string, kept: string | undefined): DuplicateBronze {
  return kept ? { path, sourceFile, kept } : { path, sourceFile };
}

/** Why a bronze object is stale next to its file's finished item; undefined while it is fine or in flight. */
function staleBronzeReason(item: LedgerItem, bronzePath: string): string | undefined {
  if (item.status === FileStatus.Completed && item.bronze_path !== bronzePath) {
    return item.bronze_path
      ? `the ledger item points to ${item.bronze_path}`
      : 'the ledger item is completed without bronze (no data rows)';
  }
  if (item.status === FileStatus.Rejected) return 'the ledger item is rejected, which leaves no bronze';
  return undefined;
}

export interface ReconcileDeps {
  readonly store: ObjectStore;
  readonly ledger: Ledger;
  readonly clock: Clock;
  readonly buckets: { readonly bronze: string; readonly quarantine: string };
}

export interface ReconcileOptions {
  readonly dataset: string;
  readonly dryRun?: boolean;
  /** Who ran it, for the audit trail. */
  readonly by: string;
  readonly reason?: string;
  /** Called as footers and reports are read, for progress bars. */
  readonly onProgress?: (progress: { done: number; total: number }) => void;
}

export interface ReconcileReport {
  readonly runId: string;
  readonly dataset: string;
  readonly dryRun: boolean;
  readonly bronzeObjects: number;
  readonly footersRead: number;
  readonly reportsRead: number;
  /** Load history objects read. */
  readonly historyObjectsRead: number;
  /** Items written (or, in a dry run, that would be). */
  readonly restored: { readonly filePath: string; readonly status: FileStatus; readonly from: string }[];
  /** Items another writer created between the plan and the write (restore never overwrites). */
  readonly raced: number;
  /** Second bronze objects of one source file, removed (in a dry run, to be removed). */
  readonly duplicatesRemoved: DuplicateBronze[];
  readonly alreadyInLedger: number;
  readonly superseded: number;
  readonly orphans: Orphan[];
  readonly unreadableReports: { readonly path: string; readonly problem: string }[];
}

async function readAll(
  store: ObjectStore,
  bucket: string,
  key: string,
  range?: { start: number },
): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of await store.read(bucket, key, range ? { range } : {})) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * Reads the footer with one ranged GET of the object's tail (a second one when the footer is
 * larger than the first guess). A store that ignores ranges returns the whole object, which
 * ends with the footer just the same.
 */
export async function readBronzeFooter(
  store: ObjectStore,
  head: ObjectHead,
): Promise<{ keyValues: Record<string, string>; numRows: number }> {
  let tail = await readAll(store, head.bucket, head.key, {
    start: Math.max(0, head.size - FOOTER_TAIL_BYTES),
  });
  const needed = parquetFooterLength(tail);
  if (needed > tail.length) {
    if (needed > head.size) throw new Error(`footer length ${needed} exceeds the object size ${head.size}`);
    tail = await readAll(store, head.bucket, head.key, { start: head.size - needed });
  }
  return parseParquetFooter(tail);
}

async function listAll(store: ObjectStore, bucket: string, prefix: string): Promise<ObjectHead[]> {
  const all: ObjectHead[] = [];
  for await (const page of store.list(bucket, prefix)) all.push(...page.filter((o) => !o.key.endsWith('/')));
  return all;
}

async function listStatus(ledger: Ledger, dataset: string, status: FileStatus): Promise<LedgerItem[]> {
  const items: LedgerItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await ledger.listFiles(dataset, { status, limit: 1000, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

/** Runs `fn` over `items` with at most `limit` calls in flight, keeping the input order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * The evidence of one listed bronze object. Listings carry no user metadata, so a HEAD fetches it
 * when the footer lacks the lineage keys; a footer from before rows_rejected was recorded gets
 * the count from the set-aside rows file (one line per bad row, none when there were none).
 */
async function readBronzeEvidence(
  deps: ReconcileDeps,
  dataset: string,
  listed: ObjectHead,
  quarantineObjects: ReadonlySet<string>,
): Promise<BronzeEvidence> {
  const footer = await readBronzeFooter(deps.store, listed).catch((e: Error) => ({
    problem: `unreadable Parquet footer: ${e.message}`,
  }));
  const complete = !('problem' in footer) && LINEAGE_KEYS.every((k) => footer.keyValues[k] !== undefined);
  const head =
    complete || listed.metadata ? listed : ((await deps.store.head(listed.bucket, listed.key)) ?? listed);
  const evidence = bronzeEvidence(head, footer);
  if (evidence.problem || evidence.rowsRejected !== undefined) return evidence;
  const source = parseS3Uri(evidence.sourceFile!);
  const rowsKey = quarantineKeysFor(dataset, source.bucket, source.key).rows;
  if (!quarantineObjects.has(`s3://${deps.buckets.quarantine}/${rowsKey}`))
    return { ...evidence, rowsRejected: 0 };
  const rows = (await readAll(deps.store, deps.buckets.quarantine, rowsKey)).toString('utf8');
  return { ...evidence, rowsRejected: rows.split('\n').filter((line) => line.trim()).length };
}

/**
 * Restores the dataset's missing ledger items from bronze footers and quarantine reports, and
 * reports orphans both ways. Objects an item already points to are not read again, so a run
 * after a partial loss costs what was lost. Writes are conditional: nothing is overwritten.
 */
export async function reconcile(deps: ReconcileDeps, options: ReconcileOptions): Promise<ReconcileReport> {
  const { dataset } = options;
  const now = deps.clock.now();
  const runId = `reconcile-${now.toISOString()}-${randomUUID().slice(0, 8)}`;
  const prefix = bronzePrefixFor(dataset);
  const completed = await listStatus(deps.ledger, dataset, FileStatus.Completed);
  const rejected = await listStatus(deps.ledger, dataset, FileStatus.Rejected);
  const referencedBronze = new Set(completed.flatMap((i) => (i.bronze_path ? [i.bronze_path] : [])));
  const referencedReports = new Set(rejected.flatMap((i) => (i.quarantine_path ? [i.quarantine_path] : [])));

  const bronzeHeads = await listAll(deps.store, deps.buckets.bronze, prefix);
  const quarantineHeads = await listAll(deps.store, deps.buckets.quarantine, prefix);
  const pathOf = (o: ObjectHead) => `s3://${o.bucket}/${o.key}`;
  const bronzeObjects = new Set(bronzeHeads.map(pathOf));
  const quarantineObjects = new Set(quarantineHeads.map(pathOf));
  // An item may point outside the listed prefix (a renamed bucket): look those up one by one.
  for (const path of referencedBronze) {
    if (bronzeObjects.has(path)) continue;
    const { bucket, key } = parseS3Uri(path);
    if (bucket === deps.buckets.bronze && key.startsWith(prefix)) continue;
    if (await deps.store.head(bucket, key)) bronzeObjects.add(path);
  }

  const unreferenced = bronzeHeads.filter((o) => !referencedBronze.has(pathOf(o)));
  const reports = quarantineHeads.filter(
    (o) => o.key.endsWith('.error.json') && !referencedReports.has(pathOf(o)),
  );
  const total = unreferenced.length + reports.length;
  let done = 0;
  const tick = () => options.onProgress?.({ done: ++done, total });
  options.onProgress?.({ done, total });

  const bronze = await mapLimited(unreferenced, READ_CONCURRENCY, async (listed) => {
    const evidence = await readBronzeEvidence(deps, dataset, listed, quarantineObjects);
    tick();
    return evidence;
  });
  const rejections = await mapLimited(reports, READ_CONCURRENCY, async (head) => {
    const text = (await readAll(deps.store, head.bucket, head.key)).toString('utf8');
    tick();
    return rejectionEvidence(pathOf(head), dataset, text);
  });

  const historyHeads = await listAll(deps.store, deps.buckets.bronze, LOAD_HISTORY_PREFIX);
  const history = (
    await mapLimited(historyHeads, READ_CONCURRENCY, async (head) =>
      parseLoadHistory((await readAll(deps.store, head.bucket, head.key)).toString('utf8')),
    )
  )
    .flat()
    .filter((r) => r.dataset === dataset && r.status === FileStatus.Completed && r.bronze_path === null);
  const files = [
    ...new Set([
      ...bronze.flatMap((e) => (e.sourceFile && !e.problem ? [e.sourceFile] : [])),
      ...rejections.flatMap((r) => (r.sourceFile && !r.problem ? [r.sourceFile] : [])),
      ...history.flatMap((r) => (typeof r.file === 'string' ? [r.file] : [])),
    ]),
  ];
  const existing = files.length
    ? await deps.ledger.getFiles(dataset, files.map(filePathOf))
    : new Map<string, LedgerItem>();
  const plan = planReconcile({
    dataset,
    bronze,
    rejections,
    existing,
    completed,
    bronzeObjects,
    quarantineObjects,
    history,
    quarantineBucket: deps.buckets.quarantine,
    now,
  });

  if (!options.dryRun) {
    for (const d of plan.duplicates) {
      const { bucket, key } = parseS3Uri(d.path);
      await deps.store.delete(bucket, key);
    }
  }
  const restored: ReconcileReport['restored'][number][] = [];
  let raced = 0;
  for (const item of plan.restore) {
    if (!options.dryRun && !(await deps.ledger.restoreFile(item))) {
      raced++;
      continue;
    }
    restored.push({ filePath: sourcePathOf(item), status: item.status, from: item.restored_from });
  }
  const report: ReconcileReport = {
    runId,
    dataset,
    dryRun: options.dryRun ?? false,
    bronzeObjects: bronzeHeads.length,
    footersRead: unreferenced.length,
    reportsRead: reports.length,
    historyObjectsRead: historyHeads.length,
    restored,
    raced,
    duplicatesRemoved: plan.duplicates,
    alreadyInLedger: plan.alreadyInLedger,
    superseded: plan.superseded,
    orphans: plan.orphans,
    unreadableReports: plan.unreadableReports,
  };
  if (!options.dryRun) {
    await deps.ledger.recordRun({
      ingestionKey: dataset,
      runId,
      kind: 'reconcile',
      startedAt: now.toISOString(),
      by: options.by,
      ...(options.reason ? { reason: options.reason } : {}),
      summary: {
        bronze_objects: report.bronzeObjects,
        restored_completed: restored.filter((r) => r.status === FileStatus.Completed).length,
        restored_rejected: restored.filter((r) => r.status === FileStatus.Rejected).length,
        raced,
        duplicates_removed: plan.duplicates.length,
        orphans: plan.orphans.length,
        unreadable_reports: plan.unreadableReports.length,
      },
    });
  }
  return report;
}

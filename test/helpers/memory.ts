import { planPause } from '../../lambdas/adapters/ledger-pause.js';
import { ClaimLostError, ObjectChangedError } from '../../lambdas/core/errors.js';
import {
  type ClaimOutcome,
  type ClaimRequest,
  type CompletionResult,
  type FileErrorInfo,
  type FileKey,
  FileStatus,
  type Ledger,
  type LedgerItem,
  type OwnedTransition,
  type PauseMark,
  type PauseOutcome,
  type PauseRequest,
  type RejectionResult,
  type RunRecord,
} from '../../lambdas/core/ledger.js';
import type { Clock, ObjectHead, ObjectStore, ObjectWriter, PutOptions } from '../../lambdas/core/ports.js';

interface StoredObject {
  body: Buffer;
  etag: string;
  metadata: Record<string, string>;
  lastModified: Date;
  versionId?: string;
  tags?: Record<string, string>;
}

let etagCounter = 0;

/** An in-memory object store for unit tests; ETags change on every write. */
export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, StoredObject>();
  /** Called before a read's bytes flow: lets a test change the object mid-flight. */
  beforeRead?: (bucket: string, key: string) => void;
  aborted = 0;
  /** Gives every object written a version id, as a versioned bucket does. */
  versioned = false;
  /** Reads hand the body over in pieces of this size; small by default, so tests cross chunk boundaries. */
  readChunkBytes = 1000;

  private id(bucket: string, key: string) {
    return `${bucket}/${key}`;
  }

  putSync(
    bucket: string,
    key: string,
    body: string | Uint8Array,
    metadata: Record<string, string> = {},
  ): string {
    const etag = `etag-${++etagCounter}`;
    this.objects.set(this.id(bucket, key), {
      body: Buffer.from(body),
      etag,
      metadata,
      lastModified: new Date(),
      ...(this.versioned ? { versionId: `v-${etagCounter}` } : {}),
    });
    return etag;
  }

  get(bucket: string, key: string): StoredObject | undefined {
    return this.objects.get(this.id(bucket, key));
  }

  keys(bucket: string): string[] {
    return [...this.objects.keys()]
      .filter((k) => k.startsWith(`${bucket}/`))
      .map((k) => k.slice(bucket.length + 1));
  }

  async head(bucket: string, key: string): Promise<ObjectHead | undefined> {
    const o = this.get(bucket, key);
    return (
      o && {
        bucket,
        key,
        etag: o.etag,
        size: o.body.length,
        lastModified: o.lastModified,
        metadata: o.metadata,
        ...(o.versionId ? { versionId: o.versionId } : {}),
      }
    );
  }

  async read(
    bucket: string,
    key: string,
    options?: { ifMatch?: string },
  ): Promise<AsyncIterable<Uint8Array>> {
    this.beforeRead?.(bucket, key);
    const o = this.get(bucket, key);
    if (!o || (options?.ifMatch && options.ifMatch !== o.etag)) {
      throw new ObjectChangedError(`s3://${bucket}/${key} changed or vanished`);
    }
    const body = o.body;
    const step = this.readChunkBytes;
    return (async function* () {
      for (let i = 0; i < body.length; i += step) yield body.subarray(i, i + step);
    })();
  }

  async openWriter(bucket: string, key: string, options?: PutOptions): Promise<ObjectWriter> {
    const parts: Buffer[] = [];
    let open = true;
    return {
      write: async (chunk) => {
        parts.push(Buffer.from(chunk));
      },
      complete: async () => {
        if (!open) throw new Error('writer closed');
        open = false;
        return { etag: this.putSync(bucket, key, Buffer.concat(parts), options?.metadata) };
      },
      abort: async () => {
        open = false;
        this.aborted++;
      },
    };
  }

  async put(bucket: string, key: string, body: Uint8Array | string, options?: PutOptions) {
    return { etag: this.putSync(bucket, key, body, options?.metadata) };
  }

  async copy(
    source: { bucket: string; key: string; ifMatch?: string; versionId?: string },
    target: { bucket: string; key: string },
  ) {
    if (source.versionId)
      this.versionedCalls.push({ op: 'copy', key: source.key, versionId: source.versionId });
    const o = this.get(source.bucket, source.key);
    if (!o || (source.ifMatch && source.ifMatch !== o.etag))
      throw new ObjectChangedError('copy source changed');
    this.putSync(target.bucket, target.key, o.body, o.metadata);
  }

  async *list(
    bucket: string,
    prefix: string,
    options?: { startAfter?: string },
  ): AsyncIterable<ObjectHead[]> {
    const keys = this.keys(bucket)
      .filter((k) => k.startsWith(prefix) && (!options?.startAfter || k > options.startAfter))
      .sort();
    yield (await Promise.all(keys.map((k) => this.head(bucket, k)))) as ObjectHead[];
  }

  /** Every versioned call the store received, for tests that check the version was named. */
  readonly versionedCalls: Array<{ op: 'delete' | 'tag' | 'copy'; key: string; versionId: string }> = [];

  async delete(bucket: string, key: string, options?: { versionId?: string }) {
    if (options?.versionId) this.versionedCalls.push({ op: 'delete', key, versionId: options.versionId });
    this.objects.delete(this.id(bucket, key));
  }

  async tag(
    bucket: string,
    key: string,
    tags: Readonly<Record<string, string>>,
    options?: { versionId?: string },
  ) {
    if (options?.versionId) this.versionedCalls.push({ op: 'tag', key, versionId: options.versionId });
    const o = this.get(bucket, key);
    if (!o) throw new ObjectChangedError(`s3://${bucket}/${key} no longer exists`);
    o.tags = { ...tags };
  }
}

/** An in-memory ledger with the transition rules of DESIGN.md, for engine unit tests. */
export class MemoryLedger implements Ledger {
  readonly items = new Map<string, LedgerItem>();
  readonly runs: RunRecord[] = [];
  private readonly marks = new Map<string, string>();
  readonly pauses = new Map<string, PauseMark>();

  private id(k: FileKey) {
    return `${k.ingestionKey}|${k.filePath}`;
  }

  async claimFile(r: ClaimRequest): Promise<ClaimOutcome> {
    const current = this.items.get(this.id(r));
    const now = r.now.toISOString();
    const fresh = (attempts: number, previous?: LedgerItem): LedgerItem => ({
      ingestion_key: r.ingestionKey,
      file_path: r.filePath,
      ...(r.sourcePath && r.sourcePath !== r.filePath ? { source_path: r.sourcePath } : {}),
      status: FileStatus.Processing,
      status_at: `processing#${now}`,
      file_etag: r.etag,
      file_size: r.size,
      attempts,
      lease_until: r.now.getTime() + r.leaseMs,
      run_id: r.runId,
      first_seen_at: previous?.first_seen_at ?? now,
      updated_at: now,
      history: previous?.history ?? [],
    });
    if (!current) return this.claimed(fresh(1));
    if (r.etagFromEvent && current.file_etag !== r.etag) return { kind: 'other_version', item: current };
    if (current.status === FileStatus.Processing && (current.lease_until ?? 0) > r.now.getTime()) {
      return { kind: 'busy', item: current };
    }
    if (current.file_etag !== r.etag) {
      const item = {
        ...fresh(1, current),
        history: [
          {
            file_etag: current.file_etag,
            file_size: current.file_size,
            ...(current.version_id ? { version_id: current.version_id } : {}),
            status: current.status,
            rows_ingested: current.rows_ingested,
            replaced_at_iso: now,
          },
          ...(current.history ?? []),
        ],
      };
      return this.claimed(item, current);
    }
    if (current.status === FileStatus.Processing) {
      if (current.attempts >= r.maxAttempts && !current.reprocess_requested_at)
        return { kind: 'exhausted', item: current };
      return this.claimed(fresh(current.attempts + 1, current), current);
    }
    if (current.status === FileStatus.Failed) {
      if (current.attempts >= r.maxAttempts && !current.reprocess_requested_at)
        return { kind: 'exhausted', item: current };
      return this.claimed(fresh(current.reprocess_requested_at ? 1 : current.attempts + 1, current), current);
    }
    if (current.status === FileStatus.Paused)
      return this.claimed(fresh(current.reprocess_requested_at ? 1 : current.attempts + 1, current), current);
    if (current.reprocess_requested_at) return this.claimed(fresh(1, current), current);
    const item = { ...current, duplicate_events: (current.duplicate_events ?? 0) + 1 };
    this.items.set(this.id(r), item);
    return { kind: 'duplicate', item };
  }

  async countDuplicateEvent(key: FileKey, etag: string): Promise<void> {
    const current = this.items.get(this.id(key));
    if (current?.file_etag !== etag) return;
    this.items.set(this.id(key), { ...current, duplicate_events: (current.duplicate_events ?? 0) + 1 });
  }

  private claimed(item: LedgerItem, previous?: LedgerItem): ClaimOutcome {
    this.items.set(this.id({ ingestionKey: item.ingestion_key, filePath: item.file_path }), item);
    return previous ? { kind: 'claimed', item, previous } : { kind: 'claimed', item };
  }

  private finish(t: OwnedTransition, status: FileStatus, fields: Partial<LedgerItem>): LedgerItem {
    const current = this.items.get(this.id(t));
    if (
      !current ||
      current.status !== FileStatus.Processing ||
      current.run_id !== t.runId ||
      current.file_etag !== t.etag
    ) {
      throw new ClaimLostError(`${t.filePath}: run ${t.runId} does not hold the claim`);
    }
    const now = t.now.toISOString();
    const terminal = status !== FileStatus.Failed;
    const { lease_until: _lease, ...rest } = current;
    const item: LedgerItem = {
      ...rest,
      ...fields,
      status,
      status_at: `${status}#${now}`,
      updated_at: now,
      ...(terminal ? { processed_at: Math.floor(t.now.getTime() / 1000), processed_at_iso: now } : {}),
    };
    this.items.set(this.id(t), item);
    return item;
  }

  async markCompleted(t: OwnedTransition, r: CompletionResult) {
    return this.finish(t, FileStatus.Completed, {
      rows_ingested: r.rowsIngested,
      rows_rejected: r.rowsRejected,
      bronze_path: r.bronzePath,
      partition_date: r.partitionDate,
      quarantine_path: r.quarantinePath,
      error: undefined,
      columns_missing: r.drift?.columnsMissing.length ? [...r.drift.columnsMissing] : undefined,
      columns_unexpected: r.drift?.columnsUnexpected.length ? [...r.drift.columnsUnexpected] : undefined,
      values_rescued:
        r.drift && Object.keys(r.drift.valuesRescued).length ? { ...r.drift.valuesRescued } : undefined,
    });
  }

  async markRejected(t: OwnedTransition, r: RejectionResult) {
    return this.finish(t, FileStatus.Rejected, {
      rows_ingested: r.rowsIngested,
      rows_rejected: r.rowsRejected,
      quarantine_path: r.quarantinePath,
      error: r.error,
      columns_missing: undefined,
      columns_unexpected: undefined,
      values_rescued: undefined,
    });
  }

  async markFailed(t: OwnedTransition, error: FileErrorInfo) {
    return this.finish(t, FileStatus.Failed, { error });
  }

  async getFile(k: FileKey) {
    return this.items.get(this.id(k));
  }

  async getFiles(ingestionKey: string, filePaths: readonly string[]) {
    const out = new Map<string, LedgerItem>();
    for (const filePath of filePaths) {
      const item = this.items.get(this.id({ ingestionKey, filePath }));
      if (item) out.set(filePath, item);
    }
    return out;
  }

  async listFiles(ingestionKey: string, options: { status?: FileStatus } = {}) {
    return {
      items: [...this.items.values()].filter(
        (i) => i.ingestion_key === ingestionKey && (!options.status || i.status === options.status),
      ),
    };
  }

  async requestReprocess(k: FileKey, r: { by: string; reason: string; now: Date }) {
    const current = this.items.get(this.id(k));
    if (!current) return undefined;
    const item = {
      ...current,
      reprocess_requested_at: r.now.toISOString(),
      reprocess_requested_by: r.by,
      reprocess_reason: r.reason,
    };
    this.items.set(this.id(k), item);
    return item;
  }

  async deleteFile(k: FileKey) {
    this.items.delete(this.id(k));
  }

  async restoreFile(item: LedgerItem) {
    const id = this.id({ ingestionKey: item.ingestion_key, filePath: item.file_path });
    if (this.items.has(id)) return false;
    this.items.set(id, item);
    return true;
  }

  async getHighWaterMark(ingestionKey: string, mark = 'high_water_mark') {
    return this.marks.get(`${ingestionKey}|${mark}`);
  }

  async raiseHighWaterMark(ingestionKey: string, value: string, mark = 'high_water_mark') {
    const current = this.marks.get(`${ingestionKey}|${mark}`);
    if (!current || current < value) this.marks.set(`${ingestionKey}|${mark}`, value);
  }

  async recordRun(run: RunRecord) {
    this.runs.push(run);
  }

  async getPause(ingestionKey: string) {
    return this.pauses.get(ingestionKey);
  }

  async setPause(ingestionKey: string, mark: PauseMark) {
    this.pauses.set(ingestionKey, mark);
  }

  async clearPause(ingestionKey: string) {
    this.pauses.delete(ingestionKey);
  }

  /** The same decision as the DynamoDB ledger (planPause), applied to the map. */
  async markPaused(r: PauseRequest): Promise<PauseOutcome> {
    const observed = this.items.get(this.id(r));
    const plan = planPause(observed, r);
    if (plan.kind === 'answer') return plan.outcome;
    let item: LedgerItem = plan.kind === 'put' ? plan.item : (observed as LedgerItem);
    if (plan.kind === 'update') {
      const { lease_until: _lease, ...rest } = plan.observed;
      const now = r.now.toISOString();
      item = {
        ...rest,
        status: FileStatus.Paused,
        status_at: `paused#${now}`,
        updated_at: now,
        run_id: r.runId,
      };
    }
    this.items.set(this.id(r), item);
    return { kind: 'paused', item };
  }

  async listRuns(ingestionKey: string) {
    return this.runs.filter((r) => r.ingestionKey === ingestionKey).reverse();
  }
}

/** A fixed clock that tests move by hand. */
export class TestClock implements Clock {
  constructor(public current = new Date('2024-03-01T12:00:00Z')) {}
  now() {
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

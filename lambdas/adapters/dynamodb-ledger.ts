import { type AttributeValue, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ClaimLostError, InfrastructureError } from '../core/errors.js';
import {
  type ClaimOutcome,
  type ClaimRequest,
  type CompletionResult,
  type FileErrorInfo,
  type FileKey,
  FileStatus,
  HIGH_WATER_MARK,
  type Ledger,
  type LedgerItem,
  type ListFilesOptions,
  type OwnedTransition,
  PAUSE_PATH,
  type PauseMark,
  type PauseOutcome,
  type PauseRequest,
  RESERVED_PREFIX,
  type RejectionResult,
  RUN_PATH_PREFIX,
  type RunRecord,
  STATUS_INDEX_NAME,
  TTL_ATTRIBUTE,
} from '../core/ledger.js';
import { type Clock, systemClock } from '../core/ports.js';
import type { SchemaDrift } from '../core/schema-evolution.js';
import { backoffDelay, describeError, errorName, sleep } from './aws-errors.js';
import {
  type ClaimPlan,
  type ClaimUpdate,
  compact,
  planClaim,
  statusAt,
  updateExpression,
} from './ledger-claims.js';
import { planPause } from './ledger-pause.js';

/** Rounds of read-decide-write before a claim gives up to contention (each lost round means progress). */
const MAX_CLAIM_ROUNDS = 5;
const BATCH_GET_MAX_KEYS = 100;
const RUN_RECORD_RETENTION_DAYS = 400;
const DAY_MS = 86_400_000;
/** Source files only: reserved items (`#...`) sort before `s3://` and are never listed. */
const FILE_PATH_PREFIX = 's3://';
const CONDITION_FAILED = Symbol('condition failed');

type Attributes = Record<string, unknown>;

export interface DynamoDbLedgerOptions {
  readonly tableName: string;
  /** A ready client; by default one is built from `clientConfig` with maxAttempts 5. */
  readonly client?: DynamoDBClient;
  /** Used only when no client is given. */
  readonly clientConfig?: DynamoDBClientConfig;
  /** Takes precedence over `client`; must drop undefined values when marshalling. */
  readonly documentClient?: DynamoDBDocumentClient;
  /** Dates audit records for their expiry. Default: the system clock. */
  readonly clock?: Clock;
  /** Retries of BatchGetItem's unprocessed keys. Default: 8 tries from 50 ms. */
  readonly batchRetry?: { readonly maxTries?: number; readonly baseDelayMs?: number };
}

interface StoredRunRecord {
  readonly run_id: string;
  readonly kind: RunRecord['kind'];
  readonly started_at: string;
  readonly by: string;
  readonly reason?: string;
  readonly dry_run?: boolean;
  readonly summary: RunRecord['summary'];
}

function isConditionFailed(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

/** Opaque paging cursor: the LastEvaluatedKey as base64url JSON. */
export function encodeCursor(lastEvaluatedKey: Attributes | undefined): string | undefined {
  return lastEvaluatedKey ? Buffer.from(JSON.stringify(lastEvaluatedKey)).toString('base64url') : undefined;
}

/** Reads a cursor made by encodeCursor; throws on anything else. */
export function decodeCursor(cursor: string | undefined): Attributes | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof key === 'object' && key !== null && !Array.isArray(key)) return key as Attributes;
  } catch {
    // Reported below with the same message as a well-formed non-object.
  }
  throw new Error(`not a ledger paging cursor: ${cursor}`);
}

function chunk<T>(values: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < values.length; i += size) chunks.push(values.slice(i, i + size));
  return chunks;
}

function toRunRecord(ingestionKey: string, stored: StoredRunRecord): RunRecord {
  return compact({
    ingestionKey,
    runId: stored.run_id,
    kind: stored.kind,
    startedAt: stored.started_at,
    by: stored.by,
    reason: stored.reason,
    dryRun: stored.dry_run,
    summary: stored.summary,
  });
}

function defaultDocumentClient(options: DynamoDbLedgerOptions): DynamoDBDocumentClient {
  // The SDK retries throttling and 5xx itself; five attempts ride out a short burst.
  const client = options.client ?? new DynamoDBClient({ maxAttempts: 5, ...options.clientConfig });
  // Optional item fields are left undefined rather than deleted one by one.
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** Ledger on one DynamoDB table; every transition is one conditional write. */
export class DynamoDbLedger implements Ledger {
  private readonly tableName: string;
  private readonly documentClient: DynamoDBDocumentClient;
  private readonly clock: Clock;
  private readonly batchMaxTries: number;
  private readonly batchBaseDelayMs: number;

  constructor(options: DynamoDbLedgerOptions) {
    this.tableName = options.tableName;
    this.documentClient = options.documentClient ?? defaultDocumentClient(options);
    this.clock = options.clock ?? systemClock;
    this.batchMaxTries = options.batchRetry?.maxTries ?? 8;
    this.batchBaseDelayMs = options.batchRetry?.baseDelayMs ?? 50;
  }

  /** Reads the item, decides, and writes conditionally; a lost race re-reads and decides again. */
  async claimFile(request: ClaimRequest): Promise<ClaimOutcome> {
    for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
      // An event mostly announces a new file: try that write first; the item comes back if it exists.
      const first = round === 0 && request.etagFromEvent ? await this.claimIfAbsent(request) : undefined;
      if (first?.kind === 'claimed') return first.outcome;
      const observed = first?.observed ?? (await this.getFile(request));
      const outcome = await this.applyClaim(planClaim(observed, request));
      if (outcome) return outcome;
    }
    throw new InfrastructureError(
      `claim of ${request.filePath} lost ${MAX_CLAIM_ROUNDS} races in a row; retry later`,
      { code: 'CLAIM_CONTENTION' },
    );
  }

  /** processing -> completed by the claiming run; a stale bronze or quarantine path is removed. */
  async markCompleted(transition: OwnedTransition, result: CompletionResult): Promise<LedgerItem> {
    const set = this.terminalSet();
    const remove = ['lease_until', '#error'];
    if (result.bronzePath === undefined) remove.push('bronze_path');
    else set.push('bronze_path = :bronze');
    if (result.quarantinePath === undefined) remove.push('quarantine_path');
    else set.push('quarantine_path = :quarantine');
    const drift = driftUpdate(result.drift);
    if (result.partitionDate !== undefined) set.push('partition_date = :dt');
    return this.finishClaim(transition, {
      UpdateExpression: updateExpression({
        set: [...set, ...drift.set],
        remove: [...remove, ...drift.remove],
      }),
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: compact({
        ...this.terminalValues(FileStatus.Completed, transition.now),
        ...drift.values,
        ':ingested': result.rowsIngested,
        ':rejected': result.rowsRejected,
        ':bronze': result.bronzePath,
        ':quarantine': result.quarantinePath,
        ':dt': result.partitionDate,
      }),
    });
  }

  /** processing -> rejected (terminal for this ETag) by the claiming run. */
  async markRejected(transition: OwnedTransition, result: RejectionResult): Promise<LedgerItem> {
    const set = [...this.terminalSet(), 'quarantine_path = :quarantine', '#error = :error'];
    return this.finishClaim(transition, {
      UpdateExpression: updateExpression({ set, remove: ['lease_until', ...DRIFT_ATTRIBUTES] }),
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: {
        ...this.terminalValues(FileStatus.Rejected, transition.now),
        ':ingested': result.rowsIngested,
        ':rejected': result.rowsRejected,
        ':quarantine': result.quarantinePath,
        ':error': compact(result.error),
      },
    });
  }

  /** processing -> failed (retried later) by the claiming run. */
  async markFailed(transition: OwnedTransition, error: FileErrorInfo): Promise<LedgerItem> {
    const now = transition.now.toISOString();
    return this.finishClaim(transition, {
      UpdateExpression: updateExpression({
        set: ['#status = :status', 'status_at = :statusAt', 'updated_at = :now', '#error = :error'],
        remove: ['lease_until'],
      }),
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: {
        ':status': FileStatus.Failed,
        ':statusAt': statusAt(FileStatus.Failed, now),
        ':now': now,
        ':error': compact(error),
      },
    });
  }

  /** One item, strongly consistent. */
  async getFile(key: FileKey): Promise<LedgerItem | undefined> {
    const out = await this.call('GetItem', key.filePath, () =>
      this.documentClient.send(
        new GetCommand({ TableName: this.tableName, Key: this.keyOf(key), ConsistentRead: true }),
      ),
    );
    return out.Item as LedgerItem | undefined;
  }

  /** ADD duplicate_events 1, only while the item holds this ETag (the counter is advisory). */
  async countDuplicateEvent(key: FileKey, etag: string): Promise<void> {
    await this.conditional('UpdateItem', key.filePath, () =>
      this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.keyOf(key),
          UpdateExpression: 'ADD duplicate_events :one',
          ConditionExpression: 'file_etag = :etag',
          ExpressionAttributeValues: { ':one': 1, ':etag': etag },
        }),
      ),
    );
  }

  /** BatchGetItem, 100 keys a call, strongly consistent, unprocessed keys retried with backoff. */
  async getFiles(ingestionKey: string, filePaths: readonly string[]): Promise<Map<string, LedgerItem>> {
    const found = new Map<string, LedgerItem>();
    // BatchGetItem rejects a request that names the same key twice.
    for (const paths of chunk([...new Set(filePaths)], BATCH_GET_MAX_KEYS)) {
      for (const item of await this.batchGet(ingestionKey, paths)) found.set(item.file_path, item);
    }
    return found;
  }

  /** A page of files: by status through the GSI (newest first), otherwise in key order. */
  async listFiles(
    ingestionKey: string,
    options: ListFilesOptions = {},
  ): Promise<{ items: LedgerItem[]; cursor?: string }> {
    const input = options.status
      ? this.statusQuery(ingestionKey, options.status, options.since)
      : this.fileQuery(ingestionKey, options.since);
    const out = await this.call('Query', ingestionKey, () =>
      this.documentClient.send(
        new QueryCommand({
          ...input,
          TableName: this.tableName,
          Limit: options.limit,
          ExclusiveStartKey: decodeCursor(options.cursor),
        }),
      ),
    );
    return compact({ items: (out.Items ?? []) as LedgerItem[], cursor: encodeCursor(out.LastEvaluatedKey) });
  }

  /** Records a request for one forced re-ingest; undefined when the file has no item. */
  async requestReprocess(
    key: FileKey,
    request: { by: string; reason: string; now: Date },
  ): Promise<LedgerItem | undefined> {
    const out = await this.conditional('UpdateItem', key.filePath, () =>
      this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.keyOf(key),
          UpdateExpression: updateExpression({
            set: [
              'reprocess_requested_at = :at',
              'reprocess_requested_by = :by',
              'reprocess_reason = :reason',
            ],
          }),
          ConditionExpression: 'attribute_exists(file_path)',
          ExpressionAttributeValues: {
            ':at': request.now.toISOString(),
            ':by': request.by,
            ':reason': request.reason,
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return out === CONDITION_FAILED ? undefined : (out.Attributes as LedgerItem);
  }

  /** Removes a file's item (no error when there is none). */
  async deleteFile(key: FileKey): Promise<void> {
    await this.call('DeleteItem', key.filePath, () =>
      this.documentClient.send(new DeleteCommand({ TableName: this.tableName, Key: this.keyOf(key) })),
    );
  }

  /** Writes a rebuilt item only if none exists; status_at is recomputed so the GSI stays right. */
  async restoreFile(item: LedgerItem): Promise<boolean> {
    const out = await this.conditional('PutItem', item.file_path, () =>
      this.documentClient.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...item, status_at: statusAt(item.status, item.updated_at) },
          ConditionExpression: 'attribute_not_exists(file_path)',
        }),
      ),
    );
    return out !== CONDITION_FAILED;
  }

  /** The dataset's high-water mark, if one was ever set. */
  async getHighWaterMark(ingestionKey: string, mark = HIGH_WATER_MARK): Promise<string | undefined> {
    const key = { ingestionKey, filePath: `${RESERVED_PREFIX}${mark}` };
    const item = await this.getFile(key);
    const value = (item as Attributes | undefined)?.value;
    return typeof value === 'string' ? value : undefined;
  }

  /** Raises the mark; a lower or equal value is a silent no-op. */
  async raiseHighWaterMark(ingestionKey: string, value: string, mark = HIGH_WATER_MARK): Promise<void> {
    const path = `${RESERVED_PREFIX}${mark}`;
    await this.conditional('UpdateItem', path, () =>
      this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { ingestion_key: ingestionKey, file_path: path },
          UpdateExpression: 'SET #v = :v',
          ConditionExpression: 'attribute_not_exists(#v) OR #v < :v',
          ExpressionAttributeNames: { '#v': 'value' },
          ExpressionAttributeValues: { ':v': value },
        }),
      ),
    );
  }

  /** Stores an audit record that expires after 400 days (the only items with a TTL). */
  async recordRun(run: RunRecord): Promise<void> {
    const stored: StoredRunRecord = {
      run_id: run.runId,
      kind: run.kind,
      started_at: run.startedAt,
      by: run.by,
      reason: run.reason,
      dry_run: run.dryRun,
      summary: run.summary,
    };
    const expiresAt = Math.floor((this.clock.now().getTime() + RUN_RECORD_RETENTION_DAYS * DAY_MS) / 1000);
    await this.call('PutItem', run.runId, () =>
      this.documentClient.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ingestion_key: run.ingestionKey,
            file_path: `${RUN_PATH_PREFIX}${run.startedAt}#${run.runId}`,
            ...stored,
            [TTL_ATTRIBUTE]: expiresAt,
          },
        }),
      ),
    );
  }

  /** The dataset's pause mark, strongly consistent. */
  async getPause(ingestionKey: string): Promise<PauseMark | undefined> {
    const item = (await this.getFile({ ingestionKey, filePath: PAUSE_PATH })) as Attributes | undefined;
    if (!item) return undefined;
    return {
      by: String(item.by),
      reason: String(item.reason),
      at: String(item.at),
      runId: String(item.run_id),
    };
  }

  /** Writes the pause mark (a reserved item, never listed with the files). */
  async setPause(ingestionKey: string, mark: PauseMark): Promise<void> {
    await this.call('PutItem', PAUSE_PATH, () =>
      this.documentClient.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ingestion_key: ingestionKey,
            file_path: PAUSE_PATH,
            by: mark.by,
            reason: mark.reason,
            at: mark.at,
            run_id: mark.runId,
          },
        }),
      ),
    );
  }

  /** Deletes the pause mark. */
  async clearPause(ingestionKey: string): Promise<void> {
    await this.deleteFile({ ingestionKey, filePath: PAUSE_PATH });
  }

  /** Reads the item, decides (planPause), writes conditionally; a lost race decides again. */
  async markPaused(request: PauseRequest): Promise<PauseOutcome> {
    for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
      const observed = await this.getFile(request);
      const plan = planPause(observed, request);
      if (plan.kind === 'answer') return plan.outcome;
      if (plan.kind === 'put') {
        const out = await this.conditional('PutItem', request.filePath, () =>
          this.documentClient.send(new PutCommand({ TableName: this.tableName, ...plan.input })),
        );
        if (out !== CONDITION_FAILED) return { kind: 'paused', item: plan.item };
      } else {
        const out = await this.updateObserved(plan.observed, plan.input);
        if (out !== CONDITION_FAILED) return { kind: 'paused', item: out };
      }
    }
    throw new InfrastructureError(
      `pause of ${request.filePath} lost ${MAX_CLAIM_ROUNDS} races in a row; retry later`,
      { code: 'CLAIM_CONTENTION' },
    );
  }

  /** Audit records, newest first. */
  async listRuns(ingestionKey: string, options: { limit?: number } = {}): Promise<RunRecord[]> {
    const runs: RunRecord[] = [];
    let startKey: Attributes | undefined;
    do {
      const wanted = options.limit === undefined ? undefined : options.limit - runs.length;
      const out = await this.call('Query', ingestionKey, () =>
        this.documentClient.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'ingestion_key = :k AND begins_with(file_path, :prefix)',
            ExpressionAttributeValues: { ':k': ingestionKey, ':prefix': RUN_PATH_PREFIX },
            ScanIndexForward: false,
            Limit: wanted,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of out.Items ?? []) runs.push(toRunRecord(ingestionKey, item as StoredRunRecord));
      startKey = out.LastEvaluatedKey;
    } while (startKey && (options.limit === undefined || runs.length < options.limit));
    return runs;
  }

  /**
   * The claim of a file the ledger has never seen, in one conditional write; when an item exists
   * the failed condition returns it (ReturnValuesOnConditionCheckFailure), in place of a GetItem.
   */
  private async claimIfAbsent(
    request: ClaimRequest,
  ): Promise<
    { kind: 'claimed'; outcome: ClaimOutcome } | { kind: 'exists'; observed: LedgerItem | undefined }
  > {
    const plan = planClaim(undefined, request);
    if (plan.kind !== 'put') throw new InfrastructureError('a first claim is always a put');
    try {
      await this.documentClient.send(
        new PutCommand({
          TableName: this.tableName,
          ...plan.input,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'claimed', outcome: { kind: 'claimed', item: plan.item } };
    } catch (error) {
      if (!isConditionFailed(error)) {
        throw new InfrastructureError(`PutItem failed for ${request.filePath}: ${describeError(error)}`, {
          cause: error,
        });
      }
      const old = (error as { Item?: Record<string, AttributeValue> }).Item;
      return { kind: 'exists', observed: old ? (unmarshall(old) as LedgerItem) : undefined };
    }
  }

  private async applyClaim(plan: ClaimPlan): Promise<ClaimOutcome | undefined> {
    switch (plan.kind) {
      case 'answer':
        return plan.outcome;
      case 'put':
        return this.claimByPut(plan);
      case 'update':
        return this.claimByUpdate(plan);
      case 'duplicate':
        return this.countDuplicate(plan);
    }
  }

  private async claimByPut(plan: Extract<ClaimPlan, { kind: 'put' }>): Promise<ClaimOutcome | undefined> {
    const out = await this.conditional('PutItem', plan.item.file_path, () =>
      this.documentClient.send(new PutCommand({ TableName: this.tableName, ...plan.input })),
    );
    if (out === CONDITION_FAILED) return undefined;
    return compact({ kind: 'claimed' as const, item: plan.item, previous: plan.previous });
  }

  private async claimByUpdate(
    plan: Extract<ClaimPlan, { kind: 'update' }>,
  ): Promise<ClaimOutcome | undefined> {
    const out = await this.updateObserved(plan.previous, plan.input);
    if (out === CONDITION_FAILED) return undefined;
    return { kind: 'claimed', item: out, previous: plan.previous };
  }

  private async countDuplicate(plan: Extract<ClaimPlan, { kind: 'duplicate' }>): Promise<ClaimOutcome> {
    const out = await this.updateObserved(plan.observed, plan.input);
    // The counter is advisory: losing it to a concurrent change does not change the answer.
    return { kind: 'duplicate', item: out === CONDITION_FAILED ? plan.observed : out };
  }

  private async updateObserved(
    observed: LedgerItem,
    input: ClaimUpdate,
  ): Promise<LedgerItem | typeof CONDITION_FAILED> {
    const out = await this.conditional('UpdateItem', observed.file_path, () =>
      this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { ingestion_key: observed.ingestion_key, file_path: observed.file_path },
          ...input,
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return out === CONDITION_FAILED ? out : (out.Attributes as LedgerItem);
  }

  private terminalSet(): string[] {
    return [
      '#status = :status',
      'status_at = :statusAt',
      'updated_at = :now',
      'processed_at = :processedAt',
      'processed_at_iso = :now',
      'rows_ingested = :ingested',
      'rows_rejected = :rejected',
    ];
  }

  private terminalValues(status: FileStatus, when: Date): Attributes {
    const now = when.toISOString();
    return {
      ':status': status,
      ':statusAt': statusAt(status, now),
      ':now': now,
      ':processedAt': Math.floor(when.getTime() / 1000),
    };
  }

  /** The one condition every outcome write carries: still processing, same run, same ETag. */
  private async finishClaim(
    transition: OwnedTransition,
    update: {
      UpdateExpression: string;
      ExpressionAttributeNames: Record<string, string>;
      ExpressionAttributeValues: Attributes;
    },
  ): Promise<LedgerItem> {
    const out = await this.conditional('UpdateItem', transition.filePath, () =>
      this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.keyOf(transition),
          ...update,
          ConditionExpression: '#status = :processing AND run_id = :run AND file_etag = :etag',
          ExpressionAttributeValues: {
            ...update.ExpressionAttributeValues,
            ':processing': FileStatus.Processing,
            ':run': transition.runId,
            ':etag': transition.etag,
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    if (out === CONDITION_FAILED) {
      throw new ClaimLostError(
        `run ${transition.runId} no longer holds the claim on ${transition.filePath} ` +
          `(ETag ${transition.etag})`,
      );
    }
    return out.Attributes as LedgerItem;
  }

  private async batchGet(ingestionKey: string, filePaths: string[]): Promise<LedgerItem[]> {
    const items: LedgerItem[] = [];
    let keys: Attributes[] = filePaths.map((filePath) => ({
      ingestion_key: ingestionKey,
      file_path: filePath,
    }));
    for (let attempt = 1; ; attempt++) {
      const out = await this.call('BatchGetItem', ingestionKey, () =>
        this.documentClient.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
        ),
      );
      items.push(...((out.Responses?.[this.tableName] ?? []) as LedgerItem[]));
      keys = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      if (keys.length === 0) return items;
      if (attempt >= this.batchMaxTries) {
        throw new InfrastructureError(
          `BatchGetItem left ${keys.length} keys of ${ingestionKey} unprocessed after ${attempt} tries`,
          { code: 'THROTTLED' },
        );
      }
      await sleep(backoffDelay(attempt - 1, this.batchBaseDelayMs));
    }
  }

  private statusQuery(ingestionKey: string, status: FileStatus, since?: Date): Partial<QueryCommandInput> {
    return {
      IndexName: STATUS_INDEX_NAME,
      KeyConditionExpression: 'ingestion_key = :k AND status_at BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':k': ingestionKey,
        ':from': `${status}#${since?.toISOString() ?? ''}`,
        ':to': `${status}#\uffff`,
      },
      ScanIndexForward: false,
    };
  }

  private fileQuery(ingestionKey: string, since?: Date): Partial<QueryCommandInput> {
    return {
      KeyConditionExpression: 'ingestion_key = :k AND begins_with(file_path, :files)',
      // A filter still reads (and bills) the skipped items; pages may come back short.
      FilterExpression: since ? 'updated_at >= :since' : undefined,
      ExpressionAttributeValues: compact({
        ':k': ingestionKey,
        ':files': FILE_PATH_PREFIX,
        ':since': since?.toISOString(),
      }),
    };
  }

  private keyOf(key: FileKey): Attributes {
    return { ingestion_key: key.ingestionKey, file_path: key.filePath };
  }

  /** Runs a read or unconditional write; every SDK error becomes an InfrastructureError. */
  private async call<T>(operation: string, subject: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new InfrastructureError(`${operation} failed for ${subject}: ${describeError(error)}`, {
        cause: error,
      });
    }
  }

  /** Runs a conditional write; a failed condition is an answer, anything else an InfrastructureError. */
  private async conditional<T>(
    operation: string,
    subject: string,
    send: () => Promise<T>,
  ): Promise<T | typeof CONDITION_FAILED> {
    try {
      return await send();
    } catch (error) {
      if (isConditionFailed(error)) return CONDITION_FAILED;
      throw new InfrastructureError(`${operation} failed for ${subject}: ${describeError(error)}`, {
        cause: error,
      });
    }
  }
}

/** Ledger attributes of a completed file's schema drift; a new version's outcome replaces them. */
const DRIFT_ATTRIBUTES = ['columns_missing', 'columns_unexpected', 'values_rescued'] as const;

/** SET clauses for the drift a file showed, REMOVE for what it did not (left from a version before). */
function driftUpdate(drift: SchemaDrift | undefined): {
  set: string[];
  remove: string[];
  values: Record<string, unknown>;
} {
  const values: Record<string, unknown> = {
    ':columns_missing': drift?.columnsMissing.length ? [...drift.columnsMissing] : undefined,
    ':columns_unexpected': drift?.columnsUnexpected.length ? [...drift.columnsUnexpected] : undefined,
    ':values_rescued':
      drift && Object.keys(drift.valuesRescued).length ? { ...drift.valuesRescued } : undefined,
  };
  const set: string[] = [];
  const remove: string[] = [];
  for (const name of DRIFT_ATTRIBUTES) {
    if (values[`:${name}`] === undefined) remove.push(name);
    else set.push(`${name} = :${name}`);
  }
  return { set, remove, values };
}

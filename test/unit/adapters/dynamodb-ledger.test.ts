import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoDbLedger, decodeCursor, encodeCursor } from '../../../lambdas/adapters/dynamodb-ledger.js';
import { ClaimLostError, InfrastructureError } from '../../../lambdas/core/errors.js';
import {
  type ClaimRequest,
  FileStatus,
  HISTORY_LIMIT,
  type HistoryEntry,
  type LedgerItem,
  type OwnedTransition,
  STATUS_INDEX_NAME,
} from '../../../lambdas/core/ledger.js';

const TABLE = 'ledger';
const PATH = 's3://landing/sales/2026/01.csv';
const T0 = new Date('2026-03-01T10:00:00.000Z');
const LATER = new Date('2026-03-01T11:00:00.000Z');

const ddb = mockClient(DynamoDBDocumentClient);

function ledger(options: { batchRetry?: { maxTries?: number; baseDelayMs?: number } } = {}): DynamoDbLedger {
  const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  return new DynamoDbLedger({
    tableName: TABLE,
    documentClient,
    clock: { now: () => T0 },
    batchRetry: { baseDelayMs: 1, ...options.batchRetry },
  });
}

function claimRequest(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    ingestionKey: 'sales',
    filePath: PATH,
    etag: 'etag-1',
    size: 120,
    runId: 'run-new',
    now: LATER,
    leaseMs: 300_000,
    maxAttempts: 3,
    ...overrides,
  };
}

function storedItem(overrides: Partial<LedgerItem> = {}): LedgerItem {
  const status = overrides.status ?? FileStatus.Completed;
  return {
    ingestion_key: 'sales',
    file_path: PATH,
    status,
    status_at: `${status}#${T0.toISOString()}`,
    file_etag: 'etag-1',
    file_size: 120,
    attempts: 1,
    run_id: 'run-old',
    first_seen_at: '2026-02-01T00:00:00.000Z',
    updated_at: T0.toISOString(),
    history: [],
    ...overrides,
  };
}

function conditionFailed(): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
}

function transition(overrides: Partial<OwnedTransition> = {}): OwnedTransition {
  return {
    ingestionKey: 'sales',
    filePath: PATH,
    runId: 'run-new',
    etag: 'etag-1',
    now: LATER,
    ...overrides,
  };
}

function onlyUpdateInput() {
  const calls = ddb.commandCalls(UpdateCommand);
  expect(calls).toHaveLength(1);
  return calls[0]!.args[0].input;
}

function onlyPutInput() {
  const calls = ddb.commandCalls(PutCommand);
  expect(calls).toHaveLength(1);
  return calls[0]!.args[0].input;
}

afterEach(() => {
  ddb.reset();
});

describe('claimFile', () => {
  it('creates the item with one conditional put when the file was never seen', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).resolves({});

    const outcome = await ledger().claimFile(claimRequest({ versionId: 'v1', sourceLastModified: T0 }));

    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { ingestion_key: 'sales', file_path: PATH },
      ConsistentRead: true,
    });
    const put = onlyPutInput();
    expect(put.ConditionExpression).toBe('attribute_not_exists(file_path)');
    const expected = {
      ingestion_key: 'sales',
      file_path: PATH,
      status: 'processing',
      status_at: `processing#${LATER.toISOString()}`,
      file_etag: 'etag-1',
      file_size: 120,
      version_id: 'v1',
      source_last_modified: T0.toISOString(),
      attempts: 1,
      lease_until: LATER.getTime() + 300_000,
      run_id: 'run-new',
      first_seen_at: LATER.toISOString(),
      updated_at: LATER.toISOString(),
      history: [],
    };
    expect(put.Item).toEqual(expected);
    expect(outcome).toEqual({ kind: 'claimed', item: expected });
    expect(ddb.calls()).toHaveLength(2);
  });

  it('claims a file an event announces with one put and no read when the ledger has never seen it', async () => {
    ddb.on(PutCommand).resolves({});

    const outcome = await ledger().claimFile(claimRequest({ etagFromEvent: true }));

    expect(outcome.kind).toBe('claimed');
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    const put = onlyPutInput();
    expect(put.ConditionExpression).toBe('attribute_not_exists(file_path)');
    expect(put.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
  });

  it('decides an event claim from the item its failed put returns, without a read', async () => {
    const done = storedItem({ status: FileStatus.Completed, file_etag: 'etag-1' });
    ddb.on(PutCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: marshall(done, { removeUndefinedValues: true }),
      }),
    );
    const counted = { ...done, duplicate_events: 1 };
    ddb.on(UpdateCommand).resolves({ Attributes: counted });

    const outcome = await ledger().claimFile(claimRequest({ etagFromEvent: true }));

    expect(outcome).toEqual({ kind: 'duplicate', item: counted });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    expect(ddb.calls()).toHaveLength(2);
  });

  it("leaves an item of another ETag alone on an event's word", async () => {
    const other = storedItem({ status: FileStatus.Completed, file_etag: 'etag-2' });
    ddb.on(PutCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: marshall(other, { removeUndefinedValues: true }),
      }),
    );

    const outcome = await ledger().claimFile(claimRequest({ etagFromEvent: true }));

    expect(outcome).toEqual({ kind: 'other_version', item: other });
    expect(ddb.calls()).toHaveLength(1);
  });

  it('answers busy when another run wins the first put and now holds a live lease', async () => {
    const winner = storedItem({
      status: FileStatus.Processing,
      run_id: 'run-other',
      lease_until: LATER.getTime() + 1,
    });
    ddb.on(GetCommand).resolvesOnce({}).resolves({ Item: winner });
    ddb.on(PutCommand).rejects(conditionFailed());

    const outcome = await ledger().claimFile(claimRequest());

    expect(outcome).toEqual({ kind: 'busy', item: winner });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(2);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(1);
  });

  it('never takes over a live lease, even one held for another ETag', async () => {
    const live = storedItem({
      status: FileStatus.Processing,
      file_etag: 'etag-0',
      lease_until: LATER.getTime() + 1,
    });
    ddb.on(GetCommand).resolves({ Item: live });

    const outcome = await ledger().claimFile(claimRequest());

    expect(outcome).toEqual({ kind: 'busy', item: live });
    expect(ddb.calls()).toHaveLength(1);
  });

  it('replaces an older ETag on condition of the observed ETag, run and status, with history', async () => {
    const old = storedItem({
      status: FileStatus.Rejected,
      file_etag: 'etag-0',
      file_size: 99,
      rows_ingested: 3,
      rows_rejected: 7,
      processed_at: 1,
      processed_at_iso: T0.toISOString(),
      quarantine_path: 's3://q/sales/x',
      error: { code: 'TOO_MANY_BAD_ROWS', message: 'too many' },
      reprocess_requested_by: 'ops',
      duplicate_events: 2,
      history: [
        {
          file_etag: 'etag-a',
          file_size: 1,
          status: FileStatus.Completed,
          replaced_at_iso: '2026-02-02T00:00:00Z',
        },
      ],
    });
    ddb.on(GetCommand).resolves({ Item: old });
    ddb.on(PutCommand).resolves({});

    const outcome = await ledger().claimFile(claimRequest());

    const put = onlyPutInput();
    expect(put.ConditionExpression).toBe(
      'file_etag = :observedEtag AND run_id = :observedRun AND #status = :observedStatus',
    );
    expect(put.ExpressionAttributeNames).toEqual({ '#status': 'status' });
    expect(put.ExpressionAttributeValues).toEqual({
      ':observedEtag': 'etag-0',
      ':observedRun': 'run-old',
      ':observedStatus': 'rejected',
    });
    const item = put.Item as LedgerItem;
    expect(item).toEqual({
      ingestion_key: 'sales',
      file_path: PATH,
      status: 'processing',
      status_at: `processing#${LATER.toISOString()}`,
      file_etag: 'etag-1',
      file_size: 120,
      attempts: 1,
      lease_until: LATER.getTime() + 300_000,
      run_id: 'run-new',
      first_seen_at: '2026-02-01T00:00:00.000Z',
      updated_at: LATER.toISOString(),
      history: [
        {
          file_etag: 'etag-0',
          file_size: 99,
          status: 'rejected',
          rows_ingested: 3,
          rows_rejected: 7,
          processed_at_iso: T0.toISOString(),
          run_id: 'run-old',
          replaced_at_iso: LATER.toISOString(),
        },
        { file_etag: 'etag-a', file_size: 1, status: 'completed', replaced_at_iso: '2026-02-02T00:00:00Z' },
      ],
    });
    expect(outcome).toEqual({ kind: 'claimed', item, previous: old });
  });

  it('caps the history at HISTORY_LIMIT entries, dropping the oldest', async () => {
    const history: HistoryEntry[] = Array.from({ length: HISTORY_LIMIT }, (_, i) => ({
      file_etag: `etag-old-${i}`,
      file_size: i,
      status: FileStatus.Completed,
      replaced_at_iso: T0.toISOString(),
    }));
    ddb.on(GetCommand).resolves({ Item: storedItem({ file_etag: 'etag-0', history }) });
    ddb.on(PutCommand).resolves({});

    await ledger().claimFile(claimRequest());

    const written = (onlyPutInput().Item as LedgerItem).history ?? [];
    expect(written).toHaveLength(HISTORY_LIMIT);
    expect(written[0]?.file_etag).toBe('etag-0');
    expect(written.at(-1)?.file_etag).toBe(`etag-old-${HISTORY_LIMIT - 2}`);
  });

  it('takes over an expired lease on the same ETag, conditioned on the observed run and lease', async () => {
    const stale = storedItem({
      status: FileStatus.Processing,
      attempts: 2,
      lease_until: LATER.getTime() - 1,
    });
    const after = storedItem({ status: FileStatus.Processing, attempts: 3, run_id: 'run-new' });
    ddb.on(GetCommand).resolves({ Item: stale });
    ddb.on(UpdateCommand).resolves({ Attributes: after });

    const outcome = await ledger().claimFile(claimRequest());

    expect(onlyUpdateInput()).toEqual({
      TableName: TABLE,
      Key: { ingestion_key: 'sales', file_path: PATH },
      UpdateExpression:
        'SET #status = :processing, status_at = :statusAt, updated_at = :now, run_id = :run, ' +
        'lease_until = :lease, attempts = :attempts',
      ConditionExpression: 'run_id = :observedRun AND lease_until = :observedLease',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':processing': 'processing',
        ':statusAt': `processing#${LATER.toISOString()}`,
        ':now': LATER.toISOString(),
        ':run': 'run-new',
        ':lease': LATER.getTime() + 300_000,
        ':attempts': 3,
        ':observedRun': 'run-old',
        ':observedLease': LATER.getTime() - 1,
      },
      ReturnValues: 'ALL_NEW',
    });
    expect(outcome).toEqual({ kind: 'claimed', item: after, previous: stale });
  });

  it('counts a duplicate event for a completed ETag and claims nothing', async () => {
    const done = storedItem();
    const counted = { ...done, duplicate_events: 1 };
    ddb.on(GetCommand).resolves({ Item: done });
    ddb.on(UpdateCommand).resolves({ Attributes: counted });

    const outcome = await ledger().claimFile(claimRequest());

    const update = onlyUpdateInput();
    expect(update.UpdateExpression).toBe('ADD duplicate_events :one');
    expect(update.ConditionExpression).toBe('file_etag = :etag');
    expect(update.ExpressionAttributeValues).toEqual({ ':one': 1, ':etag': 'etag-1' });
    expect(outcome).toEqual({ kind: 'duplicate', item: counted });
    expect(ddb.calls()).toHaveLength(2);
  });

  it('still answers duplicate for a rejected ETag when the counter loses a race', async () => {
    const rejected = storedItem({ status: FileStatus.Rejected });
    ddb.on(GetCommand).resolves({ Item: rejected });
    ddb.on(UpdateCommand).rejects(conditionFailed());

    await expect(ledger().claimFile(claimRequest())).resolves.toEqual({ kind: 'duplicate', item: rejected });
  });

  it('claims a finished ETag once when a reprocess was requested, keeping who asked', async () => {
    const done = storedItem({
      attempts: 4,
      reprocess_requested_at: T0.toISOString(),
      reprocess_requested_by: 'ops',
      reprocess_reason: 'contract fixed',
    });
    ddb.on(GetCommand).resolves({ Item: done });
    ddb.on(UpdateCommand).resolves({ Attributes: storedItem({ status: FileStatus.Processing }) });

    const outcome = await ledger().claimFile(claimRequest());

    const update = onlyUpdateInput();
    expect(update.UpdateExpression).toMatch(/ REMOVE reprocess_requested_at$/);
    expect(update.UpdateExpression).not.toContain('reprocess_requested_by');
    expect(update.ConditionExpression).toBe(
      'reprocess_requested_at = :observedRequest AND run_id = :observedRun',
    );
    expect(update.ExpressionAttributeValues).toMatchObject({
      ':attempts': 1,
      ':observedRequest': T0.toISOString(),
      ':observedRun': 'run-old',
    });
    expect(outcome.kind).toBe('claimed');
  });

  it('retries a failed file while attempts stay below the limit', async () => {
    ddb.on(GetCommand).resolves({ Item: storedItem({ status: FileStatus.Failed, attempts: 2 }) });
    ddb
      .on(UpdateCommand)
      .resolves({ Attributes: storedItem({ status: FileStatus.Processing, attempts: 3 }) });

    const outcome = await ledger().claimFile(claimRequest({ maxAttempts: 3 }));

    const update = onlyUpdateInput();
    expect(update.ConditionExpression).toBe('#status = :failed AND run_id = :observedRun');
    expect(update.ExpressionAttributeValues).toMatchObject({ ':attempts': 3, ':failed': 'failed' });
    expect(update.UpdateExpression).not.toContain('REMOVE');
    expect(outcome.kind).toBe('claimed');
  });

  it('answers exhausted for a failed file at the attempt limit, without writing', async () => {
    const failed = storedItem({ status: FileStatus.Failed, attempts: 3 });
    ddb.on(GetCommand).resolves({ Item: failed });

    await expect(ledger().claimFile(claimRequest({ maxAttempts: 3 }))).resolves.toEqual({
      kind: 'exhausted',
      item: failed,
    });
    expect(ddb.calls()).toHaveLength(1);
  });

  it('lets a reprocess request through an exhausted file and restarts its count', async () => {
    const requestedAt = T0.toISOString();
    ddb.on(GetCommand).resolves({
      Item: storedItem({ status: FileStatus.Failed, attempts: 9, reprocess_requested_at: requestedAt }),
    });
    ddb.on(UpdateCommand).resolves({ Attributes: storedItem({ status: FileStatus.Processing }) });

    await ledger().claimFile(claimRequest({ maxAttempts: 3 }));

    const update = onlyUpdateInput();
    expect(update.ConditionExpression).toBe(
      '#status = :failed AND run_id = :observedRun AND reprocess_requested_at = :observedRequest',
    );
    expect(update.UpdateExpression).toMatch(/ REMOVE reprocess_requested_at$/);
    expect(update.ExpressionAttributeValues).toMatchObject({
      ':attempts': 1,
      ':observedRequest': requestedAt,
    });
  });

  it('gives up with an infrastructure error after losing five rounds in a row', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).rejects(conditionFailed());

    const claim = ledger().claimFile(claimRequest());

    await expect(claim).rejects.toBeInstanceOf(InfrastructureError);
    await expect(claim).rejects.toMatchObject({ code: 'CLAIM_CONTENTION' });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(5);
  });

  it('turns any other SDK error into an infrastructure error that keeps the cause', async () => {
    const throttled = Object.assign(new Error('slow down'), {
      name: 'ProvisionedThroughputExceededException',
    });
    ddb.on(GetCommand).rejects(throttled);

    const claim = ledger().claimFile(claimRequest());

    await expect(claim).rejects.toBeInstanceOf(InfrastructureError);
    await expect(claim).rejects.toMatchObject({ cause: throttled });
  });
});

describe('outcome transitions', () => {
  const ownerCondition = '#status = :processing AND run_id = :run AND file_etag = :etag';
  const ownerValues = { ':processing': 'processing', ':run': 'run-new', ':etag': 'etag-1' };

  it('marks completed only from the claiming run and returns the new item', async () => {
    const completed = storedItem({ run_id: 'run-new', rows_ingested: 10 });
    ddb.on(UpdateCommand).resolves({ Attributes: completed });

    const item = await ledger().markCompleted(transition(), {
      rowsIngested: 10,
      rowsRejected: 2,
      bronzePath: 's3://bronze/sales/x.parquet',
    });

    expect(item).toBe(completed);
    expect(onlyUpdateInput()).toEqual({
      TableName: TABLE,
      Key: { ingestion_key: 'sales', file_path: PATH },
      UpdateExpression:
        'SET #status = :status, status_at = :statusAt, updated_at = :now, processed_at = :processedAt, ' +
        'processed_at_iso = :now, rows_ingested = :ingested, rows_rejected = :rejected, ' +
        'bronze_path = :bronze ' +
        'REMOVE lease_until, #error, quarantine_path, columns_missing, columns_unexpected, values_rescued',
      ConditionExpression: ownerCondition,
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: {
        ':status': 'completed',
        ':statusAt': `completed#${LATER.toISOString()}`,
        ':now': LATER.toISOString(),
        ':processedAt': Math.floor(LATER.getTime() / 1000),
        ':ingested': 10,
        ':rejected': 2,
        ':bronze': 's3://bronze/sales/x.parquet',
        ...ownerValues,
      },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('turns a failed ownership condition into ClaimLostError naming the file and the run', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    const completion = ledger().markCompleted(transition(), { rowsIngested: 1, rowsRejected: 0 });

    await expect(completion).rejects.toBeInstanceOf(ClaimLostError);
    await expect(completion).rejects.toThrow(/run-new.*s3:\/\/landing\/sales\/2026\/01\.csv/);
  });

  it('records the columns missing and unexpected and the values rescued of a completed file', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: storedItem({ run_id: 'run-new' }) });
    await ledger().markCompleted(transition(), {
      rowsIngested: 1,
      rowsRejected: 0,
      drift: { columnsMissing: ['region'], columnsUnexpected: [], valuesRescued: { amount: 3 } },
    });
    const input = onlyUpdateInput();
    expect(input.UpdateExpression).toContain('columns_missing = :columns_missing');
    expect(input.UpdateExpression).toContain('values_rescued = :values_rescued');
    expect(input.UpdateExpression).toMatch(/REMOVE .*columns_unexpected/);
    expect(input.ExpressionAttributeValues).toMatchObject({
      ':columns_missing': ['region'],
      ':values_rescued': { amount: 3 },
    });
  });

  it('marks rejected with the error, the quarantine path and the row counts', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: storedItem({ status: FileStatus.Rejected }) });

    await ledger().markRejected(transition(), {
      error: { code: 'HEADER_MISMATCH', message: 'missing: amount', line: 1 },
      rowsIngested: 0,
      rowsRejected: 0,
      quarantinePath: 's3://q/sales/x',
    });

    const update = onlyUpdateInput();
    expect(update.UpdateExpression).toBe(
      'SET #status = :status, status_at = :statusAt, updated_at = :now, processed_at = :processedAt, ' +
        'processed_at_iso = :now, rows_ingested = :ingested, rows_rejected = :rejected, ' +
        'quarantine_path = :quarantine, #error = :error ' +
        'REMOVE lease_until, columns_missing, columns_unexpected, values_rescued',
    );
    expect(update.ConditionExpression).toBe(ownerCondition);
    expect(update.ExpressionAttributeValues).toMatchObject({
      ':status': 'rejected',
      ':statusAt': `rejected#${LATER.toISOString()}`,
      ':error': { code: 'HEADER_MISMATCH', message: 'missing: amount', line: 1 },
      ':quarantine': 's3://q/sales/x',
      ...ownerValues,
    });
  });

  it('marks failed with the error and without a processed time', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: storedItem({ status: FileStatus.Failed }) });

    await ledger().markFailed(transition(), { code: 'INFRASTRUCTURE', message: 'S3 timed out' });

    const update = onlyUpdateInput();
    expect(update.UpdateExpression).toBe(
      'SET #status = :status, status_at = :statusAt, updated_at = :now, #error = :error REMOVE lease_until',
    );
    expect(update.ConditionExpression).toBe(ownerCondition);
    expect(update.ExpressionAttributeValues).toEqual({
      ':status': 'failed',
      ':statusAt': `failed#${LATER.toISOString()}`,
      ':now': LATER.toISOString(),
      ':error': { code: 'INFRASTRUCTURE', message: 'S3 timed out' },
      ...ownerValues,
    });
  });

  it('reports ClaimLostError from markRejected and markFailed too', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    const subject = ledger();

    await expect(subject.markFailed(transition(), { code: 'X', message: 'x' })).rejects.toBeInstanceOf(
      ClaimLostError,
    );
    await expect(
      subject.markRejected(transition(), {
        error: { code: 'X', message: 'x' },
        rowsIngested: 0,
        rowsRejected: 1,
        quarantinePath: 's3://q/x',
      }),
    ).rejects.toBeInstanceOf(ClaimLostError);
  });
});

describe('getFiles', () => {
  it('reads 100 keys per consistent BatchGetItem and skips repeated paths', async () => {
    const paths = Array.from({ length: 250 }, (_, i) => `s3://landing/f${i}.csv`);
    ddb.on(BatchGetCommand).callsFake((input) => ({
      Responses: {
        [TABLE]: input.RequestItems[TABLE].Keys.map((key: { file_path: string }) =>
          storedItem({ file_path: key.file_path }),
        ),
      },
    }));

    const found = await ledger().getFiles('sales', [...paths, paths[0]!]);

    const calls = ddb.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems?.[TABLE]);
    expect(calls.map((request) => request?.Keys?.length)).toEqual([100, 100, 50]);
    expect(calls.every((request) => request?.ConsistentRead === true)).toBe(true);
    expect(found.size).toBe(250);
    expect(found.get('s3://landing/f249.csv')?.file_path).toBe('s3://landing/f249.csv');
  });

  it('retries unprocessed keys until every key is read', async () => {
    const a = storedItem({ file_path: 's3://l/a' });
    const b = storedItem({ file_path: 's3://l/b' });
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { [TABLE]: [a] },
        UnprocessedKeys: { [TABLE]: { Keys: [{ ingestion_key: 'sales', file_path: 's3://l/b' }] } },
      })
      .resolves({ Responses: { [TABLE]: [b] } });

    const found = await ledger().getFiles('sales', ['s3://l/a', 's3://l/b']);

    expect([...found.keys()].sort()).toEqual(['s3://l/a', 's3://l/b']);
    const retried = ddb.commandCalls(BatchGetCommand)[1]!.args[0].input.RequestItems?.[TABLE];
    expect(retried?.Keys).toEqual([{ ingestion_key: 'sales', file_path: 's3://l/b' }]);
  });

  it('fails with an infrastructure error when keys stay unprocessed', async () => {
    ddb.on(BatchGetCommand).resolves({
      UnprocessedKeys: { [TABLE]: { Keys: [{ ingestion_key: 'sales', file_path: 's3://l/a' }] } },
    });

    await expect(
      ledger({ batchRetry: { maxTries: 3 } }).getFiles('sales', ['s3://l/a']),
    ).rejects.toMatchObject({
      name: 'InfrastructureError',
      code: 'THROTTLED',
    });
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(3);
  });

  it('sends nothing for an empty list', async () => {
    await expect(ledger().getFiles('sales', [])).resolves.toEqual(new Map());
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('listFiles', () => {
  it('queries the status index newest first, from the given time, and returns a cursor', async () => {
    const lastKey = { ingestion_key: 'sales', file_path: PATH, status_at: 'failed#2026' };
    ddb.on(QueryCommand).resolves({ Items: [storedItem()], LastEvaluatedKey: lastKey });

    const page = await ledger().listFiles('sales', { status: FileStatus.Failed, since: T0, limit: 25 });

    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      IndexName: STATUS_INDEX_NAME,
      KeyConditionExpression: 'ingestion_key = :k AND status_at BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':k': 'sales',
        ':from': `failed#${T0.toISOString()}`,
        ':to': 'failed#\uffff',
      },
      ScanIndexForward: false,
      Limit: 25,
    });
    expect(page.items).toHaveLength(1);
    expect(decodeCursor(page.cursor)).toEqual(lastKey);
  });

  it('queries source files by key, filtered by time, resumed from a cursor, without a status', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const cursor = encodeCursor({ ingestion_key: 'sales', file_path: PATH });

    const page = await ledger().listFiles('sales', { since: T0, cursor });

    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      KeyConditionExpression: 'ingestion_key = :k AND begins_with(file_path, :files)',
      FilterExpression: 'updated_at >= :since',
      ExpressionAttributeValues: { ':k': 'sales', ':files': 's3://', ':since': T0.toISOString() },
      ExclusiveStartKey: { ingestion_key: 'sales', file_path: PATH },
    });
    expect(page).toEqual({ items: [] });
  });

  it('rejects a cursor it did not make', async () => {
    await expect(ledger().listFiles('sales', { cursor: 'not-a-cursor' })).rejects.toThrow(/cursor/);
  });
});

describe('operator actions and reserved items', () => {
  it('records a reprocess request on an existing item only', async () => {
    const requested = storedItem({ reprocess_requested_at: T0.toISOString() });
    ddb.on(UpdateCommand).resolvesOnce({ Attributes: requested }).rejects(conditionFailed());
    const subject = ledger();
    const request = { by: 'ops@example.com', reason: 'contract fixed', now: T0 };

    await expect(subject.requestReprocess({ ingestionKey: 'sales', filePath: PATH }, request)).resolves.toBe(
      requested,
    );
    await expect(
      subject.requestReprocess({ ingestionKey: 'sales', filePath: 's3://l/none' }, request),
    ).resolves.toBeUndefined();
    const update = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.UpdateExpression).toBe(
      'SET reprocess_requested_at = :at, reprocess_requested_by = :by, reprocess_reason = :reason',
    );
    expect(update.ConditionExpression).toBe('attribute_exists(file_path)');
  });

  it('restores an item only when none exists, with its status key recomputed', async () => {
    ddb.on(PutCommand).resolvesOnce({}).rejects(conditionFailed());
    const subject = ledger();
    const rebuilt = storedItem({ status_at: 'stale' });

    await expect(subject.restoreFile(rebuilt)).resolves.toBe(true);
    await expect(subject.restoreFile(rebuilt)).resolves.toBe(false);
    const put = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.ConditionExpression).toBe('attribute_not_exists(file_path)');
    expect(put.Item?.status_at).toBe(`completed#${T0.toISOString()}`);
  });

  it('deletes an item by its key', async () => {
    ddb.on(DeleteCommand).resolves({});

    await ledger().deleteFile({ ingestionKey: 'sales', filePath: PATH });

    expect(ddb.commandCalls(DeleteCommand)[0]!.args[0].input.Key).toEqual({
      ingestion_key: 'sales',
      file_path: PATH,
    });
  });

  it('raises the high-water mark with a condition and ignores a lower value', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    await expect(ledger().raiseHighWaterMark('sales', '2026-01-01')).resolves.toBeUndefined();

    expect(onlyUpdateInput()).toMatchObject({
      Key: { ingestion_key: 'sales', file_path: '#high_water_mark' },
      UpdateExpression: 'SET #v = :v',
      ConditionExpression: 'attribute_not_exists(#v) OR #v < :v',
      ExpressionAttributeNames: { '#v': 'value' },
    });
  });

  it('reads the high-water mark from its reserved item', async () => {
    ddb
      .on(GetCommand)
      .resolves({ Item: { ingestion_key: 'sales', file_path: '#high_water_mark', value: 'k/9' } });

    await expect(ledger().getHighWaterMark('sales')).resolves.toBe('k/9');
  });

  it('stores a run record that expires after 400 days and reads it back newest first', async () => {
    ddb.on(PutCommand).resolves({});
    const run = {
      ingestionKey: 'sales',
      runId: 'sweep-1',
      kind: 'sweep' as const,
      startedAt: T0.toISOString(),
      by: 'scheduler',
      dryRun: false,
      summary: { enqueued: 3 },
    };
    const subject = ledger();

    await subject.recordRun(run);
    const stored = onlyPutInput().Item ?? {};
    ddb.on(QueryCommand).resolves({ Items: [stored] });
    const runs = await subject.listRuns('sales', { limit: 5 });

    expect(stored.file_path).toBe(`#run#${T0.toISOString()}#sweep-1`);
    expect(stored.expires_at).toBe(Math.floor(T0.getTime() / 1000) + 400 * 86_400);
    expect(runs).toEqual([run]);
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
      KeyConditionExpression: 'ingestion_key = :k AND begins_with(file_path, :prefix)',
      ExpressionAttributeValues: { ':k': 'sales', ':prefix': '#run#' },
      ScanIndexForward: false,
      Limit: 5,
    });
  });
});

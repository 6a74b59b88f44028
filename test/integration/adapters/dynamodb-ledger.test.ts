import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedger } from '../../../lambdas/adapters/dynamodb-ledger.js';
import { type ClaimPlan, planClaim } from '../../../lambdas/adapters/ledger-claims.js';
import { ClaimLostError } from '../../../lambdas/core/errors.js';
import {
  type ClaimRequest,
  FileStatus,
  HIGH_WATER_MARK_PATH,
  type LedgerItem,
  type OwnedTransition,
} from '../../../lambdas/core/ledger.js';
import { createLedgerTable } from '../../helpers/aws.js';
import { ledgerTransitionContract } from '../../helpers/ledger-contract.js';
import { useMotoServer } from '../../helpers/moto-server.js';

const TABLE = 'bronze-ledger';
const T0 = Date.parse('2026-04-01T08:00:00.000Z');
const LEASE_MS = 60_000;

const moto = useMotoServer();
let client: DynamoDBClient;
let documentClient: DynamoDBDocumentClient;
let ledger: DynamoDbLedger;

beforeAll(async () => {
  client = new DynamoDBClient(moto.clientConfig());
  documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  await createLedgerTable(client, TABLE);
  ledger = new DynamoDbLedger({ tableName: TABLE, client });
});

/** Each test works in its own dataset, so tests share the table without seeing each other. */
function claimRequest(ingestionKey: string, overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    ingestionKey,
    filePath: 's3://landing/in/file.csv',
    etag: 'etag-1',
    size: 100,
    runId: 'run-1',
    now: new Date(T0),
    leaseMs: LEASE_MS,
    maxAttempts: 2,
    ...overrides,
  };
}

function owned(request: ClaimRequest, minutesLater: number): OwnedTransition {
  return { ...request, now: new Date(request.now.getTime() + minutesLater * 60_000) };
}

function at(minutes: number): Date {
  return new Date(T0 + minutes * 60_000);
}

async function claimed(request: ClaimRequest): Promise<LedgerItem> {
  const outcome = await ledger.claimFile(request);
  expect(outcome.kind).toBe('claimed');
  return outcome.item;
}

/** Sends a claim plan's write exactly as the adapter would. */
async function sendPlan(plan: ClaimPlan): Promise<void> {
  if (plan.kind === 'answer') throw new Error('the plan has no write');
  if (plan.kind === 'put') {
    await documentClient.send(new PutCommand({ TableName: TABLE, ...plan.input }));
    return;
  }
  const observed = plan.kind === 'update' ? plan.previous : plan.observed;
  await documentClient.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: { ingestion_key: observed.ingestion_key, file_path: observed.file_path },
      ...plan.input,
    }),
  );
}

async function overwrite(item: LedgerItem): Promise<void> {
  await documentClient.send(new PutCommand({ TableName: TABLE, Item: item }));
}

describe('DynamoDbLedger against moto', () => {
  it('walks a file through claim, completion, duplicate, new version, failures and reprocess', async () => {
    const first = claimRequest('lifecycle');
    expect((await claimed(first)).attempts).toBe(1);

    const completed = await ledger.markCompleted(owned(first, 1), {
      rowsIngested: 10,
      rowsRejected: 1,
      bronzePath: 's3://bronze/lifecycle/file.parquet',
    });
    expect(completed).toMatchObject({
      status: 'completed',
      rows_ingested: 10,
      bronze_path: expect.any(String),
    });
    expect(completed.lease_until).toBeUndefined();
    expect(completed.status_at).toBe(`completed#${at(1).toISOString()}`);

    const duplicate = await ledger.claimFile(claimRequest('lifecycle', { runId: 'run-2', now: at(2) }));
    expect(duplicate).toMatchObject({ kind: 'duplicate', item: { duplicate_events: 1 } });

    const v2 = claimRequest('lifecycle', { etag: 'etag-2', size: 200, runId: 'run-3', now: at(3) });
    const replaced = await ledger.claimFile(v2);
    expect(replaced.kind).toBe('claimed');
    expect(replaced.kind === 'claimed' && replaced.previous?.file_etag).toBe('etag-1');
    expect(replaced.item.history).toEqual([
      {
        file_etag: 'etag-1',
        file_size: 100,
        status: 'completed',
        rows_ingested: 10,
        rows_rejected: 1,
        processed_at_iso: at(1).toISOString(),
        run_id: 'run-1',
        replaced_at_iso: at(3).toISOString(),
      },
    ]);
    const stored = await ledger.getFile(v2);
    expect(stored).toEqual(replaced.item);
    expect(stored?.bronze_path).toBeUndefined();
    expect(stored?.first_seen_at).toBe(at(0).toISOString());

    await ledger.markFailed(owned(v2, 1), { code: 'INFRASTRUCTURE', message: 'timeout' });
    const retry = claimRequest('lifecycle', { etag: 'etag-2', runId: 'run-4', now: at(5) });
    expect((await claimed(retry)).attempts).toBe(2);
    await ledger.markFailed(owned(retry, 1), { code: 'INFRASTRUCTURE', message: 'timeout again' });

    const exhausted = await ledger.claimFile(
      claimRequest('lifecycle', { etag: 'etag-2', runId: 'run-5', now: at(7) }),
    );
    expect(exhausted).toMatchObject({
      kind: 'exhausted',
      item: { attempts: 2, error: { message: 'timeout again' } },
    });

    const key = { ingestionKey: 'lifecycle', filePath: v2.filePath };
    await ledger.requestReprocess(key, { by: 'ops', reason: 'S3 is back', now: at(8) });
    const forced = claimRequest('lifecycle', { etag: 'etag-2', runId: 'run-6', now: at(9) });
    const reclaimed = await claimed(forced);
    expect(reclaimed).toMatchObject({
      attempts: 1,
      reprocess_requested_by: 'ops',
      reprocess_reason: 'S3 is back',
    });
    expect(reclaimed.reprocess_requested_at).toBeUndefined();

    const done = await ledger.markCompleted(owned(forced, 1), { rowsIngested: 20, rowsRejected: 0 });
    expect(done).toMatchObject({
      status: 'completed',
      rows_ingested: 20,
      processed_at: Math.floor(at(10).getTime() / 1000),
    });
    expect(done.error).toBeUndefined();
    const again = await ledger.claimFile(
      claimRequest('lifecycle', { etag: 'etag-2', runId: 'run-7', now: at(11) }),
    );
    expect(again.kind).toBe('duplicate');
  });

  it('answers busy during a live lease, takes over after it expires, and refuses the stale run', async () => {
    const first = claimRequest('takeover');
    await claimed(first);

    const early = await ledger.claimFile(claimRequest('takeover', { runId: 'run-2', now: at(0.5) }));
    expect(early.kind).toBe('busy');

    const late = claimRequest('takeover', { runId: 'run-2', now: new Date(T0 + LEASE_MS + 1) });
    expect(await claimed(late)).toMatchObject({ attempts: 2, run_id: 'run-2' });

    await expect(
      ledger.markCompleted(owned(first, 2), { rowsIngested: 1, rowsRejected: 0 }),
    ).rejects.toBeInstanceOf(ClaimLostError);
    await expect(
      ledger.markCompleted(owned(late, 2), { rowsIngested: 1, rowsRejected: 0 }),
    ).resolves.toMatchObject({
      status: 'completed',
      run_id: 'run-2',
    });
  });

  it('lets exactly one of three concurrent claims of the same file through', async () => {
    const outcomes = await Promise.all(
      ['run-a', 'run-b', 'run-c'].map((runId) => ledger.claimFile(claimRequest('race', { runId }))),
    );

    expect(outcomes.filter((outcome) => outcome.kind === 'claimed')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.kind === 'busy')).toHaveLength(2);
    const winner = outcomes.find((outcome) => outcome.kind === 'claimed');
    expect((await ledger.getFile(claimRequest('race')))?.run_id).toBe(winner?.item.run_id);
  });

  describe('moto enforces every condition a claim relies on', () => {
    it('refuses a first claim when the item exists', async () => {
      const request = claimRequest('cond-first');
      const plan = planClaim(undefined, request);
      await claimed(request);

      await expect(sendPlan(plan)).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    });

    it('refuses a new-version claim when another run replaced the observed item', async () => {
      const request = claimRequest('cond-version');
      const observed = await claimed(request);
      await ledger.markCompleted(owned(request, 1), { rowsIngested: 1, rowsRejected: 0 });
      const plan = planClaim(
        await ledger.getFile(request),
        claimRequest('cond-version', { etag: 'etag-2', runId: 'run-2', now: at(2) }),
      );
      await overwrite({ ...observed, status: FileStatus.Completed, run_id: 'run-x' });

      await expect(sendPlan(plan)).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    });

    it('refuses a takeover when the lease was renewed by someone else', async () => {
      const request = claimRequest('cond-takeover');
      const observed = await claimed(request);
      const plan = planClaim(observed, claimRequest('cond-takeover', { runId: 'run-2', now: at(5) }));
      await overwrite({ ...observed, lease_until: at(10).getTime() });

      await expect(sendPlan(plan)).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    });

    it('refuses a reprocess claim once the request was consumed', async () => {
      const request = claimRequest('cond-reprocess');
      await claimed(request);
      await ledger.markCompleted(owned(request, 1), { rowsIngested: 1, rowsRejected: 0 });
      const observed = await ledger.requestReprocess(request, { by: 'ops', reason: 'r', now: at(2) });
      const plan = planClaim(observed, claimRequest('cond-reprocess', { runId: 'run-2', now: at(3) }));
      await claimed(claimRequest('cond-reprocess', { runId: 'run-3', now: at(3) }));

      await expect(sendPlan(plan)).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    });

    it('refuses a retry claim once another run retried', async () => {
      const request = claimRequest('cond-retry');
      await claimed(request);
      const observed = await ledger.markFailed(owned(request, 1), { code: 'X', message: 'x' });
      const plan = planClaim(observed, claimRequest('cond-retry', { runId: 'run-2', now: at(2) }));
      await claimed(claimRequest('cond-retry', { runId: 'run-3', now: at(2) }));

      await expect(sendPlan(plan)).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    });

    it('refuses a duplicate count once the ETag changed', async () => {
      const request = claimRequest('cond-duplicate');
      await claimed(request);
      const observed = await ledger.markCompleted(owned(request, 1), { rowsIngested: 1, rowsRejected: 0 });
      const plan = planClaim(observed, claimRequest('cond-duplicate', { runId: 'run-2', now: at(2) }));
      await overwrite({ ...observed, file_etag: 'etag-9' });

      await expect(sendPlan(plan)).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    });

    it('refuses an outcome from a run that holds no claim, or for another ETag', async () => {
      const request = claimRequest('cond-owner');
      await claimed(request);
      const outcome = { rowsIngested: 1, rowsRejected: 0 };

      await expect(
        ledger.markCompleted({ ...owned(request, 1), runId: 'run-x' }, outcome),
      ).rejects.toBeInstanceOf(ClaimLostError);
      await expect(
        ledger.markFailed({ ...owned(request, 1), etag: 'etag-x' }, { code: 'X', message: 'x' }),
      ).rejects.toBeInstanceOf(ClaimLostError);
      await ledger.markCompleted(owned(request, 1), outcome);
      await expect(ledger.markCompleted(owned(request, 2), outcome)).rejects.toBeInstanceOf(ClaimLostError);
    });

    it('restores an item only where none exists', async () => {
      const item = await claimed(claimRequest('cond-restore'));

      await expect(ledger.restoreFile(item)).resolves.toBe(false);
      await expect(ledger.restoreFile({ ...item, file_path: 's3://landing/in/other.csv' })).resolves.toBe(
        true,
      );
    });

    it('only ever raises the high-water mark', async () => {
      await ledger.raiseHighWaterMark('cond-mark', 'in/2026/03');
      await ledger.raiseHighWaterMark('cond-mark', 'in/2026/01');
      await expect(ledger.getHighWaterMark('cond-mark')).resolves.toBe('in/2026/03');
      await ledger.raiseHighWaterMark('cond-mark', 'in/2026/04');
      await expect(ledger.getHighWaterMark('cond-mark')).resolves.toBe('in/2026/04');
    });

    it('records a reprocess request only for an existing item', async () => {
      await expect(
        ledger.requestReprocess(
          { ingestionKey: 'cond-none', filePath: 's3://l/x' },
          { by: 'o', reason: 'r', now: at(0) },
        ),
      ).resolves.toBeUndefined();
      await expect(
        ledger.getFile({ ingestionKey: 'cond-none', filePath: 's3://l/x' }),
      ).resolves.toBeUndefined();
    });
  });

  it('lists files by status through the index, newest first, page by page', async () => {
    for (let i = 0; i < 7; i++) {
      const request = claimRequest('listing', { filePath: `s3://landing/in/${i}.csv`, now: at(i) });
      await claimed(request);
      if (i % 3 === 2) await ledger.markFailed(owned(request, 0), { code: 'X', message: 'x' });
      else await ledger.markCompleted(owned(request, 0), { rowsIngested: i, rowsRejected: 0 });
    }
    await ledger.raiseHighWaterMark('listing', 'in/6.csv');

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await ledger.listFiles('listing', { status: FileStatus.Completed, limit: 2, cursor });
      pages.push(page.items.map((item) => item.file_path.slice('s3://landing/in/'.length)));
      cursor = page.cursor;
    } while (cursor);

    expect(pages.flat()).toEqual(['6.csv', '4.csv', '3.csv', '1.csv', '0.csv']);
    expect(pages[0]).toHaveLength(2);
    const failed = await ledger.listFiles('listing', { status: FileStatus.Failed });
    expect(failed.items.map((item) => item.file_path)).toEqual([
      's3://landing/in/5.csv',
      's3://landing/in/2.csv',
    ]);
    const recent = await ledger.listFiles('listing', { status: FileStatus.Completed, since: at(4) });
    expect(recent.items.map((item) => item.file_path)).toEqual([
      's3://landing/in/6.csv',
      's3://landing/in/4.csv',
    ]);
    const all = await ledger.listFiles('listing');
    expect(all.items.map((item) => item.file_path)).not.toContain(HIGH_WATER_MARK_PATH);
    expect(all.items).toHaveLength(7);
    const updatedSince = await ledger.listFiles('listing', { since: at(5) });
    expect(updatedSince.items.map((item) => item.file_path)).toEqual([
      's3://landing/in/5.csv',
      's3://landing/in/6.csv',
    ]);
  });

  it('reads 250 items with batched gets, missing ones left out', async () => {
    const paths = Array.from(
      { length: 250 },
      (_, i) => `s3://landing/batch/${String(i).padStart(3, '0')}.csv`,
    );
    const template = await claimed(claimRequest('batch', { filePath: paths[0]! }));
    await Promise.all(
      paths.slice(1).map((filePath) => ledger.restoreFile({ ...template, file_path: filePath })),
    );

    const found = await ledger.getFiles('batch', [...paths, 's3://landing/batch/missing.csv']);

    expect(found.size).toBe(250);
    expect(found.get(paths[249]!)?.file_path).toBe(paths[249]);
    expect(found.has('s3://landing/batch/missing.csv')).toBe(false);
  });

  it('keeps run records apart from files and lists them newest first', async () => {
    const run = (runId: string, minutes: number) => ({
      ingestionKey: 'runs',
      runId,
      kind: 'sweep' as const,
      startedAt: at(minutes).toISOString(),
      by: 'scheduler',
      summary: { enqueued: minutes, dryRun: false },
    });
    await ledger.recordRun(run('sweep-1', 1));
    await ledger.recordRun(run('sweep-2', 2));
    await ledger.recordRun(run('sweep-3', 3));

    await expect(ledger.listRuns('runs', { limit: 2 })).resolves.toEqual([
      run('sweep-3', 3),
      run('sweep-2', 2),
    ]);
    await expect(ledger.listRuns('runs')).resolves.toHaveLength(3);
    await expect(ledger.listFiles('runs')).resolves.toEqual({ items: [] });
  });
});

describe('the ledger transitions shared with the in-memory ledger', () => {
  ledgerTransitionContract(() => ledger, 'contract');
});

/**
 * Requests per file against real AWS APIs (moto), counted by an SDK middleware on the clients:
 * an S3 event that announces the ETag and size costs at most 5 requests for a new file and 2 for
 * a duplicate, and a stale event still ingests the current version.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedger } from '../../../lambdas/adapters/dynamodb-ledger.js';
import { S3ObjectStore } from '../../../lambdas/adapters/s3-object-store.js';
import { type EngineDeps, ingestObject } from '../../../lambdas/core/engine.js';
import { parseMessage } from '../../../lambdas/core/events.js';
import { FileStatus } from '../../../lambdas/core/ledger.js';
import { createLedgerTable } from '../../helpers/aws.js';
import { testContract } from '../../helpers/csv.js';
import { useMotoServer } from '../../helpers/moto-server.js';

const moto = useMotoServer();
const BUCKETS = { landing: 'landing', bronze: 'bronze', quarantine: 'quarantine' };

/** Requests sent through the clients since the last take(), by "Service Operation". */
class Requests {
  private seen: string[] = [];
  attach(client: { middlewareStack: { add: (...args: never[]) => void } }, service: string): void {
    const add = client.middlewareStack.add as unknown as (
      mw: (
        next: (a: unknown) => Promise<unknown>,
        context: { commandName?: string },
      ) => (a: unknown) => Promise<unknown>,
      options: { step: 'deserialize'; name: string },
    ) => void;
    add.call(
      client.middlewareStack,
      (next, context) => async (args) => {
        this.seen.push(`${service} ${(context.commandName ?? '').replace(/Command$/, '')}`);
        return next(args);
      },
      { step: 'deserialize', name: `requestCount${service}` },
    );
  }
  take(): string[] {
    const seen = this.seen.sort();
    this.seen = [];
    return seen;
  }
}

let s3: S3Client;
let deps: EngineDeps;
const requests = new Requests();

beforeAll(async () => {
  s3 = new S3Client(moto.clientConfig());
  for (const bucket of Object.values(BUCKETS)) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const dynamo = new DynamoDBClient(moto.clientConfig());
  await createLedgerTable(dynamo, 'ledger');
  requests.attach(s3, 'S3');
  requests.attach(dynamo, 'DynamoDB');
  deps = {
    store: new S3ObjectStore({ client: s3 }),
    ledger: new DynamoDbLedger({ tableName: 'ledger', client: dynamo }),
    clock: { now: () => new Date() },
    contracts: [testContract()],
    buckets: BUCKETS,
  };
});

async function land(key: string, body: string): Promise<string> {
  const out = await s3.send(new PutObjectCommand({ Bucket: BUCKETS.landing, Key: key, Body: body }));
  return out.ETag!.replaceAll('"', '');
}

/** The engine on an EventBridge Object Created event, as the handler reads it from the queue. */
async function onEvent(key: string, etag: string, size: number, runId: string) {
  const parsed = parseMessage(
    JSON.stringify({
      'detail-type': 'Object Created',
      time: new Date().toISOString(),
      detail: { bucket: { name: BUCKETS.landing }, object: { key, etag, size } },
    }),
  );
  if (parsed.kind !== 'files') throw new Error('not an event');
  requests.take();
  const outcome = await ingestObject(deps, parsed.requests[0]!, { runId, remainingMs: () => 60_000 });
  return { outcome, requests: requests.take() };
}

describe('requests per file on an S3 event', () => {
  const csv = 'id,name\n1,one\n2,two\n';

  it("reads the dataset's pause mark once for the files of the next 30 s, not once per file", async () => {
    const etag = await land('things/warm.csv', csv);
    const first = await onEvent('things/warm.csv', etag, csv.length, 'run-0');
    expect(first.outcome.status).toBe('completed');
    expect(first.requests.filter((r) => r === 'DynamoDB GetItem')).toHaveLength(1);
  });

  // A new file: claim, read, write bronze, complete, and one HEAD after completion that checks
  // whether a newer version landed while this one was read (an S3 GET keeps streaming the old one).
  it('ingests a new file in 5 requests and answers its duplicate event in 2', async () => {
    const etag = await land('things/new.csv', csv);

    const first = await onEvent('things/new.csv', etag, csv.length, 'run-1');
    expect(first.outcome).toMatchObject({ status: 'completed', rowsIngested: 2 });
    // The HEAD after completion looks for a version that landed during the run.
    expect(first.requests).toEqual([
      'DynamoDB PutItem',
      'DynamoDB UpdateItem',
      'S3 GetObject',
      'S3 HeadObject',
      'S3 PutObject',
    ]);

    const again = await onEvent('things/new.csv', etag, csv.length, 'run-2');
    expect(again.outcome.status).toBe('duplicate');
    expect(again.requests).toEqual(['DynamoDB PutItem', 'DynamoDB UpdateItem']);
  });

  it('ingests the current version on a stale event, through a HEAD after the 412', async () => {
    const stale = await land('things/stale.csv', csv);
    const current = await land('things/stale.csv', `${csv}3,three\n`);

    const late = await onEvent('things/stale.csv', stale, csv.length, 'run-3');

    expect(late.outcome).toMatchObject({ status: 'completed', etag: current, rowsIngested: 3 });
    expect(late.requests).toContain('S3 HeadObject');
    const item = await deps.ledger.getFile({
      ingestionKey: 'things',
      filePath: 's3://landing/things/stale.csv',
    });
    expect(item).toMatchObject({ status: FileStatus.Completed, file_etag: current, rows_ingested: 3 });
  });

  it("leaves a newer version's completed item alone on a stale event", async () => {
    const stale = await land('things/late.csv', csv);
    const current = await land('things/late.csv', `${csv}3,three\n`);
    await onEvent('things/late.csv', current, csv.length + 8, 'run-4');

    const late = await onEvent('things/late.csv', stale, csv.length, 'run-5');

    expect(late.outcome).toMatchObject({ status: 'duplicate', etag: current });
    const item = await deps.ledger.getFile({
      ingestionKey: 'things',
      filePath: 's3://landing/things/late.csv',
    });
    expect(item).toMatchObject({ status: FileStatus.Completed, file_etag: current, run_id: 'run-4' });
  });
});

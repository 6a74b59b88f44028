/**
 * The engine's exactly-once guarantees against real AWS APIs (moto): real S3 conditional reads,
 * real DynamoDB conditional writes, the Parquet read back with DuckDB.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedger } from '../../../lambdas/adapters/dynamodb-ledger.js';
import { S3ObjectStore } from '../../../lambdas/adapters/s3-object-store.js';
import { type EngineDeps, type FileOutcome, ingestObject } from '../../../lambdas/core/engine.js';
import { FileStatus } from '../../../lambdas/core/ledger.js';
import { bronzeKeysOfSource } from '../../../local/bronze-read.js';
import { createLedgerTable } from '../../helpers/aws.js';
import { testContract } from '../../helpers/csv.js';
import { TestClock } from '../../helpers/memory.js';
import { useMotoServer } from '../../helpers/moto-server.js';
import { queryParquetWithDuckDb } from '../../helpers/parquet-read.js';

const moto = useMotoServer();
const BUCKETS = { landing: 'landing', bronze: 'bronze', quarantine: 'quarantine' };
const contract = testContract();

let s3: S3Client;
let deps: EngineDeps;
let clock: TestClock;
let table = 0;

beforeAll(async () => {
  s3 = new S3Client(moto.clientConfig());
  for (const bucket of Object.values(BUCKETS)) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});

/** A fresh ledger table per test, so tests do not see each other's items. */
async function engine(): Promise<EngineDeps> {
  const tableName = `ledger-${++table}`;
  const dynamo = new DynamoDBClient(moto.clientConfig());
  await createLedgerTable(dynamo, tableName);
  clock = new TestClock(new Date());
  deps = {
    store: new S3ObjectStore({ client: s3 }),
    ledger: new DynamoDbLedger({ tableName, client: dynamo }),
    clock,
    contracts: [contract],
    buckets: BUCKETS,
  };
  return deps;
}

const land = (key: string, body: string) =>
  s3.send(new PutObjectCommand({ Bucket: BUCKETS.landing, Key: key, Body: body }));

const ingest = (key: string, runId: string, remainingMs = 60_000): Promise<FileOutcome> =>
  ingestObject(deps, { bucket: BUCKETS.landing, key }, { runId, remainingMs: () => remainingMs });

async function bronzeObjects(key: string): Promise<string[]> {
  return bronzeKeysOfSource(s3, BUCKETS.bronze, 'things', { bucket: BUCKETS.landing, key });
}

async function bronzeRows(key: string): Promise<Record<string, unknown>[]> {
  const [bronzeKey] = await bronzeObjects(key);
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKETS.bronze, Key: bronzeKey }));
  const bytes = await object.Body!.transformToByteArray();
  return queryParquetWithDuckDb(
    bytes,
    'SELECT id, name, _source_row, _run_id FROM parquet ORDER BY _source_row',
  );
}

describe('exactly once against real S3 and DynamoDB', () => {
  it('gives one completion and one bronze object when the same event is handled three times at once', async () => {
    await engine();
    await land('things/same.csv', 'id,name\n1,a\n2,b\n');
    const outcomes = await Promise.all(['r1', 'r2', 'r3'].map((run) => ingest('things/same.csv', run)));
    const completed = outcomes.filter((o) => o.status === 'completed');
    expect(completed).toHaveLength(1);
    expect(
      outcomes.filter((o) => o.status !== 'completed').every((o) => ['busy', 'duplicate'].includes(o.status)),
    ).toBe(true);
    expect(outcomes.every((o) => !o.retry)).toBe(true);
    expect(await bronzeObjects('things/same.csv')).toHaveLength(1);
    const rows = await bronzeRows('things/same.csv');
    expect(rows.map((r) => [r.id, r.name, r._source_row])).toEqual([
      ['1', 'a', 2n],
      ['2', 'b', 3n],
    ]);
    expect(rows.every((r) => r._run_id === completed[0]!.runId)).toBe(true);
  });

  it('takes the 412 path when the file is overwritten between claim and read, and the newer version wins', async () => {
    const engineDeps = await engine();
    await land('things/moving.csv', 'id,name\n1,old\n');
    const store = engineDeps.store;
    let overwritten = false;
    deps = {
      ...engineDeps,
      store: {
        ...store,
        head: store.head.bind(store),
        openWriter: store.openWriter.bind(store),
        put: store.put.bind(store),
        copy: store.copy.bind(store),
        list: store.list.bind(store),
        delete: store.delete.bind(store),
        read: async (bucket, key, options) => {
          if (!overwritten) {
            overwritten = true;
            await land('things/moving.csv', 'id,name\n1,new\n2,new\n');
          }
          return store.read(bucket, key, options);
        },
      },
    };
    const first = await ingest('things/moving.csv', 'r1');
    expect(first).toMatchObject({ status: 'changed', retry: true, error: { code: 'OBJECT_CHANGED' } });
    expect(await bronzeObjects('things/moving.csv')).toEqual([]);
    const second = await ingest('things/moving.csv', 'r2');
    expect(second).toMatchObject({ status: 'completed', rowsIngested: 2 });
    const item = await deps.ledger.getFile({
      ingestionKey: 'things',
      filePath: 's3://landing/things/moving.csv',
    });
    expect(item).toMatchObject({
      status: FileStatus.Completed,
      file_etag: second.etag,
      run_id: 'r2',
      attempts: 1,
    });
    expect((await bronzeRows('things/moving.csv')).map((r) => r.name)).toEqual(['new', 'new']);
  });

  it('leaves exactly one bronze object with the right rows after a crash between bronze write and completion', async () => {
    const engineDeps = await engine();
    await land('things/crash.csv', 'id,name\n1,a\n2,b\n3,c\n');
    const ledger = engineDeps.ledger;
    // The first run dies right after its bronze object is durable, before it can complete.
    deps = {
      ...engineDeps,
      ledger: Object.assign(Object.create(ledger), {
        markCompleted: async () => {
          throw new Error('process killed');
        },
        markFailed: async () => {
          throw new Error('process killed');
        },
      }),
    };
    const crashed = await ingest('things/crash.csv', 'dead-run', 30_000);
    expect(crashed.status).toBe('failed');
    expect(await bronzeObjects('things/crash.csv')).toHaveLength(1);
    deps = engineDeps;

    const tooEarly = await ingest('things/crash.csv', 'second-run');
    expect(tooEarly).toMatchObject({ status: 'busy', retry: false });

    clock.advance(30_000 + 60_000 + 1);
    const retried = await ingest('things/crash.csv', 'second-run');
    expect(retried).toMatchObject({ status: 'completed', rowsIngested: 3 });
    expect(await bronzeObjects('things/crash.csv')).toHaveLength(1);
    const rows = await bronzeRows('things/crash.csv');
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r._run_id === 'second-run')).toBe(true);
    const item = await deps.ledger.getFile({
      ingestionKey: 'things',
      filePath: 's3://landing/things/crash.csv',
    });
    expect(item).toMatchObject({
      status: FileStatus.Completed,
      run_id: 'second-run',
      attempts: 2,
      rows_ingested: 3,
    });
  });
});

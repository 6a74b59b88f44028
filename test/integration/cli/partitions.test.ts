/**
 * Invariant 1 across date partitions on the deployed local stack: a new version of a file that
 * lands in another partition after the ledger was lost leaves one bronze object once `bronze
 * reconcile` or `bronze sweep --force` has run, and so does an object of the unpartitioned layout.
 */
import { resolve } from 'node:path';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../cli/aws.js';
import { DynamoDbLedger } from '../../../lambdas/adapters/dynamodb-ledger.js';
import { S3ObjectStore } from '../../../lambdas/adapters/s3-object-store.js';
import { SqsIngestQueue } from '../../../lambdas/adapters/sqs-ingest-queue.js';
import { loadContracts } from '../../../lambdas/core/contract.js';
import { ingestObject } from '../../../lambdas/core/engine.js';
import { bronzeSlotFor, partitionOfBronzeKey } from '../../../lambdas/core/layout.js';
import { FileStatus, filePathFor } from '../../../lambdas/core/ledger.js';
import { systemClock } from '../../../lambdas/core/ports.js';
import type { ReconcileReport } from '../../../lambdas/core/reconcile.js';
import type { SweepReport } from '../../../lambdas/core/sweep.js';
import { bronzeKeysOfSource } from '../../../local/bronze-read.js';
import { type LocalStack, startLocalStack } from '../../../local/harness.js';
import type { LocalRunner } from '../../../local/runner.js';
import { startStackRunner } from '../../../local/stack-runner.js';
import { bronze, observedClients, ROOT } from './cli.js';

const DATASET = 'customers';
const OLD_DAY = '2020-01-01';
const header = 'customer_id,name,email,country,signup_date,is_active\n';

let stack: LocalStack;
let clients: AwsClients;
let ledger: DynamoDbLedger;
let runner: LocalRunner;

const today = () => new Date().toISOString().slice(0, 10);
const source = (key: string) => ({ bucket: stack.outputs.LandingBucketName, key });
const fileKey = (key: string) => ({
  ingestionKey: DATASET,
  filePath: filePathFor(stack.outputs.LandingBucketName, key),
});
const bronzeKeys = (key: string) =>
  bronzeKeysOfSource(clients.s3, stack.outputs.BronzeBucketName, DATASET, source(key));

async function land(key: string, body: string): Promise<string> {
  const out = await clients.s3.send(
    new PutObjectCommand({ Bucket: stack.outputs.LandingBucketName, Key: key, Body: body }),
  );
  return (out.ETag ?? '').replaceAll('"', '');
}

/** Ingests the landed version as if S3 had stamped it on `day`: a real engine run, its bronze in that partition. */
async function ingestAsOf(day: string, key: string): Promise<void> {
  const store = new S3ObjectStore({ client: clients.s3 });
  const datedStore = Object.assign(Object.create(store) as S3ObjectStore, {
    head: async (bucket: string, k: string) => {
      const head = await store.head(bucket, k);
      return head && { ...head, lastModified: new Date(`${day}T12:00:00Z`) };
    },
  });
  const outcome = await ingestObject(
    {
      store: datedStore,
      ledger,
      clock: systemClock,
      contracts: loadContracts(resolve(ROOT, 'datasets')),
      buckets: {
        landing: stack.outputs.LandingBucketName,
        bronze: stack.outputs.BronzeBucketName,
        quarantine: stack.outputs.QuarantineBucketName,
      },
    },
    source(key),
    { runId: `as-of-${day}`, remainingMs: () => 60_000 },
  );
  expect(outcome).toMatchObject({ status: 'completed', partitionDate: day });
}

async function ingestNow(key: string): Promise<void> {
  await new SqsIngestQueue({ queueUrl: stack.outputs.IngestQueueUrl, client: clients.sqs }).send([
    { ...source(key), reason: 'sweep' },
  ]);
  await runner.waitForIdle({ timeoutMs: 30_000 });
}

async function sourceEtagOf(bronzeKey: string): Promise<string | undefined> {
  const head = await clients.s3.send(
    new HeadObjectCommand({ Bucket: stack.outputs.BronzeBucketName, Key: bronzeKey }),
  );
  return head.Metadata?.['source-etag'];
}

beforeAll(async () => {
  stack = await startLocalStack();
  ({ clients } = observedClients(stack));
  ledger = new DynamoDbLedger({ tableName: stack.outputs.LedgerTableName, client: clients.dynamodb });
  // Files are ingested only when a test says so: no landing events.
  await clients.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: stack.outputs.LandingBucketName,
      NotificationConfiguration: {},
    }),
  );
  runner = await startStackRunner(stack);
}, 120_000);

afterAll(async () => {
  await runner?.stop();
  await stack?.stop();
});

describe('one bronze object per source file across partitions, after the ledger is lost', () => {
  it('reconcile restores the newest version and removes the earlier version in another partition', async () => {
    const key = 'customers/moved.csv';
    await land(key, `${header}C1,Ann,a@x.org,DE,2024-01-01,true\n`);
    await ingestAsOf(OLD_DAY, key);
    await ledger.deleteFile(fileKey(key));
    const newEtag = await land(key, `${header}C1,Ann,ann@x.org,DE,2024-01-01,true\n`);
    await ingestNow(key);
    // The engine could not know the first object: two copies now, one per partition.
    expect((await bronzeKeys(key)).map(partitionOfBronzeKey).sort()).toEqual([OLD_DAY, today()]);
    await ledger.deleteFile(fileKey(key));

    const run = await bronze(stack, clients, ['reconcile', DATASET, '--json']);
    expect(run.code).toBe(0);
    const report = run.json<ReconcileReport>();
    const kept = await bronzeKeys(key);
    expect(kept.map(partitionOfBronzeKey)).toEqual([today()]);
    expect(await sourceEtagOf(kept[0]!)).toBe(newEtag);
    expect(report.duplicatesRemoved).toEqual([
      expect.objectContaining({
        path: expect.stringContaining(`/dt=${OLD_DAY}/`),
        kept: `s3://${stack.outputs.BronzeBucketName}/${kept[0]}`,
      }),
    ]);
    expect(await ledger.getFile(fileKey(key))).toMatchObject({
      status: FileStatus.Completed,
      file_etag: newEtag,
      bronze_path: `s3://${stack.outputs.BronzeBucketName}/${kept[0]}`,
    });
  });

  it('sweep --force removes the earlier version no item names before re-ingesting the file', async () => {
    const key = 'customers/swept.csv';
    await land(key, `${header}C2,Bob,b@x.org,FR,2024-01-01,false\n`);
    await ingestAsOf(OLD_DAY, key);
    await ledger.deleteFile(fileKey(key));
    const newEtag = await land(key, `${header}C2,Bob,bob@x.org,FR,2024-01-01,false\n`);

    const run = await bronze(stack, clients, ['sweep', '--dataset', DATASET, '--force', '--json']);
    expect(run.code).toBe(0);
    expect(run.json<SweepReport>().datasets[0]!.strayBronzeRemoved).toBeGreaterThanOrEqual(1);
    await runner.waitForIdle({ timeoutMs: 30_000 });

    const kept = await bronzeKeys(key);
    expect(kept.map(partitionOfBronzeKey)).toEqual([today()]);
    expect(await sourceEtagOf(kept[0]!)).toBe(newEtag);
  });

  it('sweep --force moves an object of the unpartitioned layout into its partition', async () => {
    const key = 'customers/legacy.csv';
    await land(key, `${header}C3,Cid,c@x.org,ES,2024-01-01,true\n`);
    await ingestNow(key);
    const [current] = await bronzeKeys(key);
    // What an earlier release left: the object at its unpartitioned key and an item naming it.
    const legacy = bronzeSlotFor(DATASET, stack.outputs.LandingBucketName, key);
    const bucket = stack.outputs.BronzeBucketName;
    await clients.s3.send(
      new CopyObjectCommand({ Bucket: bucket, Key: legacy, CopySource: `${bucket}/${current}` }),
    );
    await clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: current }));
    const item = (await ledger.getFile(fileKey(key)))!;
    await ledger.deleteFile(fileKey(key));
    await ledger.restoreFile({ ...item, bronze_path: `s3://${bucket}/${legacy}` });

    const run = await bronze(stack, clients, ['sweep', '--dataset', DATASET, '--force', '--json']);
    expect(run.code).toBe(0);
    await runner.waitForIdle({ timeoutMs: 30_000 });
    expect(await bronzeKeys(key)).toEqual([current]);
    expect((await ledger.getFile(fileKey(key)))?.bronze_path).toBe(`s3://${bucket}/${current}`);
  });
});

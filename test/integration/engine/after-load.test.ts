/**
 * after_load against real S3 APIs (moto) in a versioned bucket: the archive copy, the versioned
 * delete and the tag reach the version that was ingested, and a newer version is left alone.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedger } from '../../../lambdas/adapters/dynamodb-ledger.js';
import { S3ObjectStore } from '../../../lambdas/adapters/s3-object-store.js';
import type { Contract } from '../../../lambdas/core/contract.js';
import { type EngineDeps, type FileOutcome, ingestObject } from '../../../lambdas/core/engine.js';
import { FileStatus } from '../../../lambdas/core/ledger.js';
import type { ObjectStore } from '../../../lambdas/core/ports.js';
import { createLedgerTable } from '../../helpers/aws.js';
import { testContract } from '../../helpers/csv.js';
import { TestClock } from '../../helpers/memory.js';
import { useMotoServer } from '../../helpers/moto-server.js';

const moto = useMotoServer();
const BUCKETS = { landing: 'landing', bronze: 'bronze', quarantine: 'quarantine' };
const GOOD = 'id,name\n1,a\n';

let s3: S3Client;
let table = 0;

beforeAll(async () => {
  s3 = new S3Client(moto.clientConfig());
  for (const bucket of [...Object.values(BUCKETS), 'cold']) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
  }
});

/** An engine on moto with a fresh ledger table and one contract. */
async function engine(contract: Contract, store: ObjectStore = new S3ObjectStore({ client: s3 })) {
  const tableName = `ledger-${++table}`;
  const dynamo = new DynamoDBClient(moto.clientConfig());
  await createLedgerTable(dynamo, tableName);
  const deps: EngineDeps = {
    store,
    ledger: new DynamoDbLedger({ tableName, client: dynamo }),
    clock: new TestClock(new Date()),
    contracts: [contract],
    buckets: BUCKETS,
  };
  return {
    deps,
    ingest: (key: string): Promise<FileOutcome> =>
      ingestObject(
        deps,
        { bucket: BUCKETS.landing, key },
        { runId: `run-${key}`, remainingMs: () => 60_000 },
      ),
  };
}

async function land(key: string, body = GOOD): Promise<{ etag: string; versionId: string }> {
  const out = await s3.send(new PutObjectCommand({ Bucket: BUCKETS.landing, Key: key, Body: body }));
  return { etag: out.ETag!.replaceAll('"', ''), versionId: out.VersionId! };
}

async function versionsOf(bucket: string, key: string) {
  const out = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  return {
    versions: (out.Versions ?? []).filter((v) => v.Key === key).map((v) => v.VersionId),
    deleteMarkers: (out.DeleteMarkers ?? []).filter((v) => v.Key === key).length,
  };
}

async function text(bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body!.transformToString();
}

describe('after_load against real S3 APIs', () => {
  it('archive copies the ingested version below the prefix in another bucket and removes that version', async () => {
    const e = await engine(
      testContract({ after_load: { action: 'archive', bucket: 'cold', prefix: 'done/' } }),
    );
    const landed = await land('things/2024/a.csv');
    const outcome = await e.ingest('things/2024/a.csv');
    expect(outcome).toMatchObject({
      status: 'completed',
      afterLoad: { action: 'archive', result: 'done', archivedTo: 's3://cold/done/things/2024/a.csv' },
    });
    expect(await text('cold', 'done/things/2024/a.csv')).toBe(GOOD);
    // A versioned delete removes the version itself: no delete marker, nothing left to list.
    expect(await versionsOf(BUCKETS.landing, 'things/2024/a.csv')).toEqual({
      versions: [],
      deleteMarkers: 0,
    });
    const item = await e.deps.ledger.getFile({
      ingestionKey: 'things',
      filePath: 's3://landing/things/2024/a.csv',
    });
    expect(item).toMatchObject({ status: FileStatus.Completed, file_etag: landed.etag });
  });

  it('an archived file is reprocessed by marking it with reprocess, then copying it back', async () => {
    const e = await engine(testContract({ after_load: { action: 'archive', prefix: 'archive/' } }));
    await land('things/r.csv');
    expect((await e.ingest('things/r.csv')).afterLoad?.result).toBe('done');
    const file = { ingestionKey: 'things', filePath: 's3://landing/things/r.csv' };
    await e.deps.ledger.requestReprocess(file, { by: 'test', reason: 'replay', now: new Date() });
    // The reprocess message finds no source: ignored, and the mark waits for the copy.
    expect((await e.ingest('things/r.csv')).status).toBe('ignored');
    await s3.send(
      new CopyObjectCommand({
        Bucket: BUCKETS.landing,
        Key: 'things/r.csv',
        CopySource: 'landing/archive/things/r.csv',
      }),
    );
    const again = await e.ingest('things/r.csv');
    expect(again).toMatchObject({ status: 'completed', afterLoad: { result: 'done' } });
    expect((await e.deps.ledger.getFile(file))?.reprocess_requested_at).toBeUndefined();
    expect(await text(BUCKETS.landing, 'archive/things/r.csv')).toBe(GOOD);
  });

  it('tag sets the tag on the ingested version', async () => {
    const e = await engine(
      testContract({ after_load: { action: 'tag', key: 'bronze-ingest', value: 'completed' } }),
    );
    const landed = await land('things/b.csv');
    expect((await e.ingest('things/b.csv')).afterLoad).toEqual({ action: 'tag', result: 'done' });
    const tags = await s3.send(
      new GetObjectTaggingCommand({
        Bucket: BUCKETS.landing,
        Key: 'things/b.csv',
        VersionId: landed.versionId,
      }),
    );
    expect(tags.TagSet).toEqual([{ Key: 'bronze-ingest', Value: 'completed' }]);
  });

  it('a newer version that lands during the run is neither archived nor tagged, and comes back at once', async () => {
    for (const afterLoad of [
      { action: 'archive', prefix: 'archive/' },
      { action: 'tag', key: 'bronze-ingest', value: 'completed' },
    ]) {
      const key = `things/newer-${afterLoad.action}.csv`;
      const real = new S3ObjectStore({ client: s3 });
      let newer: { etag: string; versionId: string } | undefined;
      const store: ObjectStore = Object.assign(Object.create(real) as S3ObjectStore, {
        read: async (...args: Parameters<ObjectStore['read']>) => {
          const body = await real.read(...args);
          newer ??= await land(key, 'id,name\n2,b\n');
          return body;
        },
      });
      const e = await engine(testContract({ after_load: afterLoad }), store);
      await land(key);
      const outcome = await e.ingest(key);
      expect(outcome).toMatchObject({ status: 'completed', retry: true, afterLoad: { result: 'skipped' } });
      expect(await text(BUCKETS.landing, key)).toBe('id,name\n2,b\n');
      expect(await versionsOf(BUCKETS.landing, key)).toMatchObject({ deleteMarkers: 0 });
      const tags = await s3.send(
        new GetObjectTaggingCommand({ Bucket: BUCKETS.landing, Key: key, VersionId: newer!.versionId }),
      );
      expect(tags.TagSet).toEqual([]);
    }
  });

  it('an earlier version that deleting the ingested one makes current again is hidden, not ingested', async () => {
    const e = await engine(testContract({ after_load: { action: 'delete' } }));
    const earlier = await land('things/d.csv', 'id,name\n0,old\n');
    await new Promise((resolve) => setTimeout(resolve, 1100)); // LastModified has whole seconds
    await land('things/d.csv');
    expect((await e.ingest('things/d.csv')).afterLoad).toEqual({ action: 'delete', result: 'done' });
    // The earlier version is kept (noncurrent) behind a delete marker: nothing for the sweep to list.
    expect(await versionsOf(BUCKETS.landing, 'things/d.csv')).toEqual({
      versions: [earlier.versionId],
      deleteMarkers: 1,
    });
    expect((await e.ingest('things/d.csv')).status).toBe('ignored');
  });

  it('delete removes only the ingested version; a retry of a version already gone is harmless', async () => {
    const e = await engine(testContract({ after_load: { action: 'delete' } }));
    await land('things/c.csv');
    expect((await e.ingest('things/c.csv')).afterLoad).toEqual({ action: 'delete', result: 'done' });
    expect(await versionsOf(BUCKETS.landing, 'things/c.csv')).toEqual({ versions: [], deleteMarkers: 0 });
    expect((await e.ingest('things/c.csv')).status).toBe('ignored');
  });
});

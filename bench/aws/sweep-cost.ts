/**
 * The sweep's cost for many landed files against moto (S3, DynamoDB): first with an empty ledger
 * (everything is new and enqueued), then in the steady state where every file is completed (nothing
 * to enqueue: the cost of looking). Seconds are moto's on loopback, not AWS's; the request counts
 * carry over. Enqueueing goes through the real SQS adapter to a locally answered client.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLedger } from '../../lambdas/adapters/dynamodb-ledger.js';
import { unquoteEtag } from '../../lambdas/adapters/s3-multipart-writer.js';
import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store.js';
import { SqsIngestQueue } from '../../lambdas/adapters/sqs-ingest-queue.js';
import type { Contract } from '../../lambdas/core/contract.js';
import { FileStatus, filePathFor, type LedgerItem } from '../../lambdas/core/ledger.js';
import { systemClock } from '../../lambdas/core/ports.js';
import { sweep } from '../../lambdas/core/sweep.js';
import { HEADER } from '../csv-rows.js';
import { locallyAnsweredSqs } from './local-sqs.js';
import type { MotoEnv } from './moto-env.js';

const TABLE = 'bench-ledger-sweep';
const BUCKET = 'bench-sweep-landing';
const UPLOAD_CONCURRENCY = 16;
const BATCH_WRITE_ITEMS = 25;

export interface SweepPass {
  readonly seconds: number;
  readonly listed: number;
  readonly listPages: number;
  readonly enqueued: number;
  readonly requests: Record<string, number>;
}

export interface SweepCost {
  readonly files: number;
  readonly uploadSeconds: number;
  readonly emptyLedger: SweepPass;
  readonly allCompleted: SweepPass;
}

/** Runs `work` over the items with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function completedItem(dataset: string, key: string, etag: string, size: number, now: Date): LedgerItem {
  const iso = now.toISOString();
  return {
    ingestion_key: dataset,
    file_path: filePathFor(BUCKET, key),
    status: FileStatus.Completed,
    status_at: `${FileStatus.Completed}#${iso}`,
    file_etag: etag,
    file_size: size,
    attempts: 1,
    run_id: 'bench-seed',
    rows_ingested: 1,
    rows_rejected: 0,
    first_seen_at: iso,
    updated_at: iso,
    processed_at: Math.floor(now.getTime() / 1000),
    processed_at_iso: iso,
  };
}

export async function measureSweep(env: MotoEnv, contract: Contract, files: number): Promise<SweepCost> {
  await env.createBuckets(BUCKET);
  await env.createTable(TABLE);
  const sqs = locallyAnsweredSqs(env.counter);
  const body = `${HEADER.join(',')}\n1,2,3.00,,2024-01-01 00:00:00,,2024-01-15,true,new,DE,SKU-000001,Ann Lee,\n`;
  const keys = Array.from({ length: files }, (_, i) => `data/sweep/${String(i).padStart(6, '0')}.csv`);
  const etags = new Map<string, string>();

  const started = performance.now();
  await pool(keys, UPLOAD_CONCURRENCY, async (key) => {
    const out = await env.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    etags.set(key, unquoteEtag(out.ETag));
  });
  const uploadSeconds = (performance.now() - started) / 1000;

  const deps = {
    store: new S3ObjectStore({ client: env.s3 }),
    ledger: new DynamoDbLedger({ tableName: TABLE, client: env.dynamodb }),
    queue: new SqsIngestQueue({
      queueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench-sweep',
      client: sqs,
    }),
    contracts: [contract],
    landingBucket: BUCKET,
    clock: systemClock,
  };
  const pass = async (): Promise<SweepPass> => {
    env.counter.take();
    const t = performance.now();
    const report = await sweep(deps, { by: 'bench' });
    const seconds = (performance.now() - t) / 1000;
    const d = report.datasets[0]!;
    return {
      seconds,
      listed: d.listed,
      listPages: d.listPages,
      enqueued: d.enqueued,
      requests: env.counter.take(),
    };
  };

  const emptyLedger = await pass();

  // Every file completed for its current ETag, written directly: through the engine it would take
  // four requests a file, which would dominate the section's time and measure nothing asked for.
  const documents = DynamoDBDocumentClient.from(env.dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const now = new Date();
  const batches: string[][] = [];
  for (let i = 0; i < keys.length; i += BATCH_WRITE_ITEMS) batches.push(keys.slice(i, i + BATCH_WRITE_ITEMS));
  await pool(batches, 4, async (batch) => {
    let requests = batch.map((key) => ({
      PutRequest: {
        Item: {
          ...completedItem(contract.ingestion_key, key, etags.get(key)!, Buffer.byteLength(body), now),
        },
      },
    }));
    while (requests.length) {
      const out = await documents.send(new BatchWriteCommand({ RequestItems: { [TABLE]: requests } }));
      requests = (out.UnprocessedItems?.[TABLE] ?? []) as typeof requests;
    }
  });
  const allCompleted = await pass();
  sqs.destroy();
  return { files, uploadSeconds, emptyLedger, allCompleted };
}

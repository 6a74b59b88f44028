/**
 * The catch-up sweep through the CLI on the deployed local stack: 1,000 landed files of which
 * 300 are already completed. The sweep must enqueue exactly the other 700, backfill before new
 * before forward, with at most 10 BatchGetItem calls for the ledger lookups.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutBucketNotificationConfigurationCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../cli/aws.js';
import { DynamoDbLedger } from '../../../lambdas/adapters/dynamodb-ledger.js';
import type { SweepReport } from '../../../lambdas/core/sweep.js';
import { type LocalStack, startLocalStack } from '../../../local/harness.js';
import { bronze, type Observed, observedClients } from './cli.js';

const FILES = 1_000;
const MARK = '2024-03-01';
/** 20 partition dates around the mark: 10 before it, the mark itself, 9 after. */
const DATES = Array.from({ length: 20 }, (_, i) =>
  new Date(Date.UTC(2024, 1, 20 + i)).toISOString().slice(0, 10),
);
const BODY = 'order_id,customer_id,order_date,amount,currency,status,note\n';

const keyOf = (i: number) => `orders/${DATES[i % DATES.length]}-${String(i).padStart(4, '0')}.csv`;
/** 300 of the 1,000: 15 of the 50 files of each date. */
const isCompleted = (i: number) => Math.floor(i / DATES.length) % 10 < 3;

let stack: LocalStack;
let clients: AwsClients;
let observed: Observed;
let sweepQueueUrl: string;

async function inBatches<T>(
  items: readonly T[],
  size: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

beforeAll(async () => {
  stack = await startLocalStack();
  ({ clients, observed } = observedClients(stack));
  // The files land while the bucket sends no events: the missed events a sweep exists to catch.
  await clients.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: stack.outputs.LandingBucketName,
      NotificationConfiguration: {},
    }),
  );
  const indexes = Array.from({ length: FILES }, (_, i) => i);
  const etags = new Map<number, string>();
  await inBatches(indexes, 50, async (i) => {
    const out = await clients.s3.send(
      new PutObjectCommand({ Bucket: stack.outputs.LandingBucketName, Key: keyOf(i), Body: BODY }),
    );
    etags.set(i, (out.ETag ?? '').replaceAll('"', ''));
  });
  // The 300 completed files are seeded straight into the ledger: nothing is ingested. The client is
  // not the observed one, so seeding is not counted.
  const seeding = new DynamoDBClient(stack.clientConfig);
  const ledger = new DynamoDbLedger({ tableName: stack.outputs.LedgerTableName, client: seeding });
  const now = new Date('2024-03-10T00:00:00Z');
  await inBatches(indexes.filter(isCompleted), 50, async (i) => {
    const key = { ingestionKey: 'orders', filePath: `s3://${stack.outputs.LandingBucketName}/${keyOf(i)}` };
    const etag = etags.get(i)!;
    await ledger.claimFile({
      ...key,
      etag,
      size: BODY.length,
      runId: 'seed',
      now,
      leaseMs: 60_000,
      maxAttempts: 5,
    });
    await ledger.markCompleted({ ...key, runId: 'seed', etag, now }, { rowsIngested: 0, rowsRejected: 0 });
  });
  await ledger.raiseHighWaterMark('orders', MARK);
  seeding.destroy();
  // A queue of its own, so the landing events the stack routes to its ingest queue stay apart.
  const queue = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'sweep-under-test' }));
  sweepQueueUrl = queue.QueueUrl!;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('bronze sweep over 1,000 landed files, 300 of them completed', () => {
  it('enqueues exactly the other 700, backfill, new, forward, in at most 10 BatchGetItem calls', async () => {
    observed.dynamodb.clear();
    const run = await bronze(stack, clients, [
      'sweep',
      '--dataset',
      'orders',
      '--queue-url',
      sweepQueueUrl,
      '--json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = run.json<SweepReport>();

    const expected = Array.from({ length: FILES }, (_, i) => i).filter((i) => !isCompleted(i));
    expect(new Set(report.plan.map((p) => p.key))).toEqual(new Set(expected.map(keyOf)));
    expect(report.plan).toHaveLength(700);

    const groups = report.plan.map((p) => p.group);
    const order = { backfill: 0, new: 1, forward: 2 } as const;
    expect(groups.every((g, i) => i === 0 || order[groups[i - 1]!] <= order[g])).toBe(true);
    expect(groups.filter((g) => g === 'backfill')).toHaveLength(350);
    expect(groups.filter((g) => g === 'new')).toHaveLength(35);
    expect(groups.filter((g) => g === 'forward')).toHaveLength(315);
    for (const p of report.plan) {
      expect(p.group).toBe(
        p.partitionDate! < MARK ? 'backfill' : p.partitionDate === MARK ? 'new' : 'forward',
      );
    }
    // Oldest first within a group.
    const dates = report.plan.map((p) => `${order[p.group]}${p.partitionDate}`);
    expect(dates).toEqual([...dates].sort());

    // What went to SQS is the plan, in the plan's order.
    expect(observed.sent).toEqual(
      report.plan.map((p) => ({ bucket: stack.outputs.LandingBucketName, key: p.key, reason: 'sweep' })),
    );
    const attributes = await clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: sweepQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Number(attributes.Attributes?.ApproximateNumberOfMessages)).toBe(700);

    const [orders] = report.datasets;
    expect(orders).toMatchObject({
      dataset: 'orders',
      listed: FILES,
      enqueued: 700,
      deferredByCap: 0,
      byClass: { NEW: 700, DONE: 300 },
      highWaterMarkBefore: MARK,
      highWaterMarkAfter: DATES.at(-1),
    });
    const batchGets = observed.dynamodb.get('BatchGetItemCommand') ?? 0;
    expect(batchGets).toBeGreaterThan(0);
    expect(batchGets).toBeLessThanOrEqual(10);
    expect(orders!.ledgerLookups).toBeLessThanOrEqual(batchGets);
  });

  it('records the sweep in the audit trail with who ran it', async () => {
    const run = await bronze(stack, clients, ['runs', 'orders', '--json']);
    expect(run.code).toBe(0);
    expect(run.json<{ runs: unknown[] }>().runs[0]).toMatchObject({
      kind: 'sweep',
      by: 'integration-test',
      summary: { listed: FILES, enqueued: 700, new: 700, done: 300 },
    });
  });

  it('plans the same files in a later dry run, against the raised mark, and changes nothing', async () => {
    const sentBefore = observed.sent.length;
    const run = await bronze(stack, clients, ['sweep', '--dataset', 'orders', '--dry-run', '--json']);
    const report = run.json<SweepReport>();
    // Nothing was ingested here (no runner), so the same 700 are still pending; against the raised
    // mark they are all backfill or new now.
    expect(report).toMatchObject({
      dryRun: true,
      datasets: [{ highWaterMarkBefore: DATES.at(-1), enqueued: 700 }],
    });
    expect(report.plan.some((p) => p.group === 'forward')).toBe(false);
    expect(observed.sent).toHaveLength(sentBefore);
  });
});

/**
 * The real pipeline over real AWS APIs: S3 upload, EventBridge rule, SQS, the local runner (or a
 * real Lambda on LocalStack), the ingest handler, the DynamoDB ledger and bronze Parquet.
 * One stack for the whole file; the scenarios run in order and build on each other.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { FileStatus } from '../../../lambdas/core/ledger.js';
import { SAMPLES_DIR } from '../../../local/samples.js';
import { expectIngested, expectRejected } from '../../helpers/local-assertions.js';
import { useHandlerLogs } from '../../helpers/local-logs.js';
import { usePipeline } from '../../helpers/local-pipeline.js';

const sample = (key: string) => readFileSync(join(SAMPLES_DIR, key));
const FIRST_RUN = ['orders/2024-03-01.csv', 'orders/2024-03-02.csv', 'customers/2024-03-01.csv'] as const;
const DATASET_OF: Record<string, string> = { orders: 'orders', customers: 'customers', partners: 'orders' };
const datasetOf = (key: string) => DATASET_OF[key.split('/')[0]!]!;

/** Two receives: a poison message is made visible again at once, so it reaches the DLQ in seconds. */
const pipeline = usePipeline({ maxReceiveCount: 2, logLevel: 'INFO' });
const logs = useHandlerLogs();
const etags = new Map<string, string>();

describe('Scenario 1: runs over the same landing area ingest each file once', () => {
  it('ingests every file of the first run', async () => {
    const p = pipeline();
    for (const key of FIRST_RUN) etags.set(key, await p.land(key, sample(key)));
    await p.settle();
    await expectIngested(p, 'orders', FIRST_RUN[0], { etag: etags.get(FIRST_RUN[0])!, rows: 40 });
    await expectIngested(p, 'orders', FIRST_RUN[1], { etag: etags.get(FIRST_RUN[1])!, rows: 60 });
    await expectIngested(p, 'customers', FIRST_RUN[2], { etag: etags.get(FIRST_RUN[2])!, rows: 40 });
  });

  it('ingests nothing on a second run with no new files, and logs that each was a duplicate', async () => {
    const p = pipeline();
    const before = await Promise.all(FIRST_RUN.map((key) => p.item(datasetOf(key), key)));
    logs.clear();
    await p.resend(FIRST_RUN);
    await p.settle();
    for (const [i, key] of FIRST_RUN.entries()) {
      const after = await p.item(datasetOf(key), key);
      expect(after).toMatchObject({
        run_id: before[i]!.run_id,
        processed_at_iso: before[i]!.processed_at_iso,
      });
      expect((await p.bronze(datasetOf(key), key)).keys).toHaveLength(1);
      if (p.kind === 'moto') {
        expect(logs.find('file duplicate', key)).toEqual([
          expect.objectContaining({ status: 'duplicate', reason: 'already completed for this ETag' }),
        ]);
      }
    }
    if (p.kind === 'moto') expect(logs.find('file completed')).toEqual([]);
  });

  it('ingests only the new file when one new file lands among old ones', async () => {
    const p = pipeline();
    const key = 'customers/2024-03-02-reordered.csv';
    const before = await p.item('orders', FIRST_RUN[0]);
    etags.set(key, await p.land(key, sample(key)));
    await p.resend([...FIRST_RUN, key]);
    await p.settle();
    await expectIngested(p, 'customers', key, { etag: etags.get(key)!, rows: 10 });
    expect((await p.item('orders', FIRST_RUN[0]))?.run_id).toBe(before?.run_id);
  });
});

describe('Scenario 2: a dataset fed by two sources', () => {
  it('ingests the gzip partner feed into the same dataset as the shop export', async () => {
    const p = pipeline();
    const key = 'partners/orders/2024-03-01-partner.csv.gz';
    etags.set(key, await p.land(key, sample(key)));
    await p.settle();
    await expectIngested(p, 'orders', key, { etag: etags.get(key)!, rows: 25 });
    const shop = await p.item('orders', FIRST_RUN[0]);
    expect(shop?.ingestion_key).toBe('orders');
    expect((await p.item('orders', key))?.ingestion_key).toBe('orders');
  });
});

describe('Scenario 3: duplicate upload of identical content', () => {
  it('skips it, counts it, and leaves the one bronze object as it was', async () => {
    const p = pipeline();
    const key = FIRST_RUN[0];
    const before = await p.item('orders', key);
    const etag = await p.land(key, sample(key));
    expect(etag).toBe(etags.get(key));
    await p.settle();
    const after = await p.item('orders', key);
    expect(after).toMatchObject({ status: FileStatus.Completed, run_id: before?.run_id });
    expect(after?.duplicate_events).toBe((before?.duplicate_events ?? 0) + 1);
    await expectIngested(p, 'orders', key, { etag, rows: 40 });
  });
});

describe('Scenario 4: overwrite with new content', () => {
  it('records the new ETag, replaces bronze (never 2 objects) and keeps the old version', async () => {
    const p = pipeline();
    const key = FIRST_RUN[1];
    const oldEtag = etags.get(key)!;
    const etag = await p.land(
      key,
      Buffer.concat([sample(key), Buffer.from('2999,C001,2024-03-02 23:59:00,1.50,EUR,new,\n')]),
    );
    expect(etag).not.toBe(oldEtag);
    await p.settle();
    const { item, rows } = await expectIngested(p, 'orders', key, { etag, rows: 61 });
    expect(item.history?.[0]).toMatchObject({
      file_etag: oldEtag,
      status: FileStatus.Completed,
      rows_ingested: 60,
    });
    expect(rows.at(-1)).toMatchObject({ order_id: 2999n });
  });
});

describe('Scenario 5: bad input is rejected with a reason', () => {
  it('rejects a bad header, quarantines the file and writes a readable report', async () => {
    const p = pipeline();
    const key = 'orders/2024-03-05-bad-header.csv';
    const etag = await p.land(key, sample(key));
    await p.settle();
    await expectRejected(p, 'orders', key, { etag, code: 'HEADER_MISMATCH' });
    const report = await p.quarantineReport('orders', key);
    expect(report).toMatchObject({
      dataset: 'orders',
      etag,
      reason_code: 'HEADER_MISMATCH',
      rows_ingested: 0,
    });
    expect(String(report.message)).toContain('missing: status');
  });

  it('keeps the good rows of a file under the bad-row threshold and sets the bad ones aside', async () => {
    const p = pipeline();
    const key = 'orders/2024-03-03-ragged.csv';
    const etag = await p.land(key, sample(key));
    await p.settle();
    const { item } = await expectIngested(p, 'orders', key, { etag, rows: 48, rejected: 2 });
    expect(item.quarantine_path).toMatch(/\.rejected-rows\.jsonl$/);
  });

  it('rejects a file over the bad-row threshold as a whole', async () => {
    const p = pipeline();
    const key = 'orders/2024-03-04-too-many-bad.csv';
    const etag = await p.land(key, sample(key));
    await p.settle();
    const item = await expectRejected(p, 'orders', key, { etag, code: 'TOO_MANY_BAD_ROWS' });
    expect(item).toMatchObject({ rows_ingested: 0, rows_rejected: 30 });
    expect(await p.quarantineReport('orders', key)).toMatchObject({
      reason_code: 'TOO_MANY_BAD_ROWS',
      data_rows: 30,
    });
  });
});

describe('Scenario 6: the same event delivered to three runners at once', () => {
  it('completes the file once and writes one bronze object', async () => {
    const p = pipeline();
    const key = 'customers/2024-03-01-copy.csv';
    const body = sample('customers/2024-03-01.csv');
    const queueUrl = p.stack.outputs.IngestQueueUrl;
    // Hold the consumers back so the three copies wait in the queue together.
    await p.runner?.stop();
    p.runner = undefined;
    const etag = await p.land(key, body);
    if (p.kind === 'moto') {
      const peek = await p.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 0, WaitTimeSeconds: 5 }),
      );
      const event = peek.Messages?.[0]?.Body;
      expect(event).toContain(key);
      for (let i = 0; i < 2; i++)
        await p.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: event }));
      logs.clear();
      const runners = await Promise.all([1, 2, 3].map(() => p.startRunner({ function: { batchSize: 1 } })));
      p.runner = runners[0];
      await p.settle();
      await Promise.all(runners.slice(1).map((r) => r.stop()));
      expect(runners.map((r) => r.invocations).reduce((a, b) => a + b)).toBe(3);
      expect(logs.find('file completed', key)).toHaveLength(1);
    } else {
      await p.resend([key, key]);
      await p.settle();
    }
    const { item } = await expectIngested(p, 'customers', key, { etag, rows: 40 });
    expect(item.attempts).toBe(1);
  });
});

describe('Scenario 7: a poison message', () => {
  it('ends in the dead-letter queue after the configured receives', { timeout: 180_000 }, async () => {
    const p = pipeline();
    const queueUrl = p.stack.outputs.IngestQueueUrl;
    await p.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'this is not an event' }));
    await p.settle(p.kind === 'moto' ? 30_000 : 120_000);
    const dlq = await p.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: p.stack.outputs.DeadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    const poison = dlq.Messages?.filter((m) => m.Body === 'this is not an event') ?? [];
    expect(poison).toHaveLength(1);
    expect(Number(poison[0]?.Attributes?.ApproximateReceiveCount)).toBeGreaterThanOrEqual(2);
  });
});

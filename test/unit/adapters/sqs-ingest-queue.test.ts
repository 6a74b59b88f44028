import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SqsIngestQueue } from '../../../lambdas/adapters/sqs-ingest-queue.js';
import { InfrastructureError } from '../../../lambdas/core/errors.js';
import type { IngestRequest } from '../../../lambdas/core/ports.js';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/ingest';
const sqs = mockClient(SQSClient);

function queue(maxTries = 3): SqsIngestQueue {
  return new SqsIngestQueue({
    queueUrl: QUEUE_URL,
    client: new SQSClient({ region: 'us-east-1' }),
    retry: { maxTries, baseDelayMs: 1 },
  });
}

function requests(count: number): IngestRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    bucket: 'landing',
    key: `sales/${i}.csv`,
    reason: 'sweep',
  }));
}

function sentKeys(): string[][] {
  return sqs
    .commandCalls(SendMessageBatchCommand)
    .map((call) =>
      (call.args[0].input.Entries ?? []).map((entry) => JSON.parse(entry.MessageBody ?? '').key),
    );
}

afterEach(() => {
  sqs.reset();
});

describe('SqsIngestQueue', () => {
  it('splits requests into batches of ten, in order', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });

    await queue().send(requests(25));

    expect(sentKeys()).toEqual([
      requests(10).map((r) => r.key),
      requests(20)
        .slice(10)
        .map((r) => r.key),
      requests(25)
        .slice(20)
        .map((r) => r.key),
    ]);
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.QueueUrl).toBe(QUEUE_URL);
  });

  it('writes the body as {bucket, key, reason, reprocess} and leaves absent fields out', async () => {
    sqs.on(SendMessageBatchCommand).resolves({});

    await queue().send([
      { bucket: 'landing', key: 'a b.csv', reason: 'reprocess', reprocess: true },
      { bucket: 'landing', key: 'c.csv' },
    ]);

    const entries = sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries ?? [];
    expect(entries.map((entry) => entry.MessageBody)).toEqual([
      '{"bucket":"landing","key":"a b.csv","reason":"reprocess","reprocess":true}',
      '{"bucket":"landing","key":"c.csv"}',
    ]);
    expect(entries.map((entry) => entry.Id)).toEqual(['0', '1']);
  });

  it('retries only the entries SQS failed before moving to the next batch', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '3', Code: 'InternalError', SenderFault: false }] })
      .resolves({});

    await queue().send(requests(12));

    expect(sentKeys()).toEqual([
      requests(10).map((r) => r.key),
      ['sales/3.csv'],
      ['sales/10.csv', 'sales/11.csv'],
    ]);
  });

  it('gives up with InfrastructureError when entries keep failing', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: '0', Code: 'ServiceUnavailable', SenderFault: false }] });

    await expect(queue(3).send(requests(1))).rejects.toThrow(/1 entries after 3 tries: ServiceUnavailable/);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
  });

  it('does not retry an entry SQS blames on the sender', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: '0', Code: 'InvalidMessageContents', SenderFault: true }] });

    await expect(queue().send(requests(2))).rejects.toBeInstanceOf(InfrastructureError);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });

  it('turns a failed call into InfrastructureError with the cause kept', async () => {
    const denied = Object.assign(new Error('denied'), { name: 'AccessDenied' });
    sqs.on(SendMessageBatchCommand).rejects(denied);

    await expect(queue().send(requests(1))).rejects.toMatchObject({
      name: 'InfrastructureError',
      cause: denied,
    });
  });

  it('sends nothing for no requests', async () => {
    await queue().send([]);

    expect(sqs.calls()).toHaveLength(0);
  });
});

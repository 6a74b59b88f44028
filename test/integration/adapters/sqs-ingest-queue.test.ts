import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SqsIngestQueue } from '../../../lambdas/adapters/sqs-ingest-queue.js';
import { parseMessage } from '../../../lambdas/core/events.js';
import type { IngestRequest } from '../../../lambdas/core/ports.js';
import { useMotoServer } from '../../helpers/moto-server.js';

const moto = useMotoServer();
let client: SQSClient;
let queueUrl: string;

beforeAll(async () => {
  client = new SQSClient(moto.clientConfig());
  const created = await client.send(new CreateQueueCommand({ QueueName: 'ingest' }));
  queueUrl = created.QueueUrl ?? '';
});

async function receiveAll(expected: number): Promise<string[]> {
  const bodies: string[] = [];
  for (let round = 0; round < 20 && bodies.length < expected; round++) {
    const out = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    bodies.push(...(out.Messages ?? []).map((message) => message.Body ?? ''));
  }
  return bodies;
}

describe('SqsIngestQueue against moto', () => {
  it('delivers 25 requests in the order they were sent', async () => {
    const requests: IngestRequest[] = Array.from({ length: 25 }, (_, i) => ({
      bucket: 'landing-bucket',
      key: `sales/${String(i).padStart(2, '0')}.csv`,
      reason: 'sweep',
      ...(i === 24 ? { reprocess: true } : {}),
    }));

    await new SqsIngestQueue({ queueUrl, client }).send(requests);
    const received = await receiveAll(25);

    expect(received.map(parseMessage)).toEqual(requests.map((r) => ({ kind: 'files', requests: [r] })));
  });
});

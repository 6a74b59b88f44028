import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '../../../lambdas/adapters/eventbridge-publisher.js';
import {
  OUTCOME_DETAIL_TYPES,
  OUTCOME_EVENT_SOURCE,
  type OutcomeEventDetail,
  OutcomeEventSink,
} from '../../../lambdas/core/outcome-events.js';
import { createIngestHandler } from '../../../lambdas/ingest/handler.js';
import { testContract } from '../../helpers/csv.js';
import { BUCKETS, memoryEngine } from '../../helpers/engine.js';
import { useMotoServer } from '../../helpers/moto-server.js';

const moto = useMotoServer();
let events: EventBridgeClient;
let sqs: SQSClient;

/** The pattern a downstream rule uses: every final outcome of bronze-ingest. */
const OUTCOME_PATTERN = JSON.stringify({
  source: [OUTCOME_EVENT_SOURCE],
  'detail-type': Object.values(OUTCOME_DETAIL_TYPES),
});

/** A queue that receives what a rule with the outcome pattern matches on a bus. */
async function ruleToQueue(bus: string, name: string): Promise<string> {
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const queueUrl = queue.QueueUrl ?? '';
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  await events.send(new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: OUTCOME_PATTERN }));
  await events.send(
    new PutTargetsCommand({
      Rule: name,
      EventBusName: bus,
      Targets: [{ Id: 'queue', Arn: attributes.Attributes?.QueueArn ?? '' }],
    }),
  );
  return queueUrl;
}

interface Delivered {
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: OutcomeEventDetail;
}

/** Reads (and deletes) messages until `expected` arrived or the queue stays empty. */
async function receive(queueUrl: string, expected: number): Promise<Delivered[]> {
  const delivered: Delivered[] = [];
  for (let round = 0; round < 10 && delivered.length < expected; round++) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const messages = out.Messages ?? [];
    delivered.push(...messages.map((m) => JSON.parse(m.Body ?? '{}') as Delivered));
    if (messages.length) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    }
  }
  return delivered;
}

function sqsEvent(keys: string[]): SQSEvent {
  return {
    Records: keys.map((key, i) => ({
      messageId: `m-${i}`,
      body: JSON.stringify({ bucket: 'landing', key }),
    })),
  } as unknown as SQSEvent;
}

const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 300_000 };

beforeAll(() => {
  events = new EventBridgeClient(moto.clientConfig());
  sqs = new SQSClient(moto.clientConfig());
});

describe('outcome events on EventBridge (moto)', () => {
  it('an invocation of twelve files publishes its completed and rejected files to a rule on the default bus', async () => {
    const queueUrl = await ruleToQueue('default', 'outcomes-default');
    const engine = memoryEngine([
      testContract({ error_policy: { mode: 'quarantine_rows', max_bad_rows_percent: 50 } }),
    ]);
    const keys = Array.from({ length: 11 }, (_, i) => `things/${String(i).padStart(2, '0')}.csv`);
    for (const key of keys) engine.land(key, 'id,name\n1,a\n2,b,extra\n3,c\n');
    engine.land('things/bad.csv', 'wrong,header\n1,a\n');
    keys.push('things/bad.csv', 'elsewhere/ignored.csv');
    engine.land('elsewhere/ignored.csv', 'x\n');
    const sink = new OutcomeEventSink(new EventBridgePublisher({ client: events }), {
      bronzeBucket: BUCKETS.bronze,
      now: () => new Date('2026-11-30T08:00:00Z'),
    });
    const handler = createIngestHandler(() => ({ ...engine.deps, outcomeSinks: [sink] }));

    const response = await handler(sqsEvent(keys), context);
    const delivered = await receive(queueUrl, 12);

    expect(response.batchItemFailures).toEqual([]);
    // Eleven completed and one rejected: the ignored file is no final outcome of a dataset.
    expect(delivered).toHaveLength(12);
    expect(new Set(delivered.map((e) => e.source))).toEqual(new Set([OUTCOME_EVENT_SOURCE]));
    const byType = (type: string) => delivered.filter((e) => e['detail-type'] === type);
    expect(byType('Bronze File Completed')).toHaveLength(11);
    const completed = byType('Bronze File Completed').find((e) => e.detail.key === 'things/00.csv');
    expect(completed?.detail).toMatchObject({
      version: '1',
      status: 'completed',
      dataset: 'things',
      file: 's3://landing/things/00.csv',
      bucket: 'landing',
      rowsIngested: 2,
      rowsRejected: 1,
      firstBadLine: 3,
      bronzePath: expect.stringMatching(/^s3:\/\/bronze\/things\/.+\.parquet$/),
      runId: 'req-1:m-0',
      error: null,
      decidedAt: '2026-11-30T08:00:00.000Z',
    });
    expect(completed?.detail.etag).toEqual(expect.any(String));
    const [rejected] = byType('Bronze File Rejected');
    expect(rejected?.detail).toMatchObject({
      status: 'rejected',
      key: 'things/bad.csv',
      rowsIngested: 0,
      bronzePath: null,
      error: { code: expect.any(String), message: expect.stringContaining('header') },
    });
  });

  it('events go to the bus the publisher is given, and only there', async () => {
    await events.send(new CreateEventBusCommand({ Name: 'data-platform' }));
    const custom = await ruleToQueue('data-platform', 'outcomes-custom');
    const defaultQueue = await ruleToQueue('default', 'outcomes-default-2');
    const engine = memoryEngine([testContract()]);
    engine.land('things/a.csv', 'id,name\n1,a\n');
    const sink = new OutcomeEventSink(
      new EventBridgePublisher({ client: events, eventBusName: 'data-platform' }),
      { bronzeBucket: BUCKETS.bronze, now: () => new Date() },
    );

    await createIngestHandler(() => ({ ...engine.deps, outcomeSinks: [sink] }))(
      sqsEvent(['things/a.csv']),
      context,
    );

    const delivered = await receive(custom, 1);
    expect(delivered.map((e) => [e['detail-type'], e.detail.key])).toEqual([
      ['Bronze File Completed', 'things/a.csv'],
    ]);
    expect(await receive(defaultQueue, 1)).toEqual([]);
  });
});

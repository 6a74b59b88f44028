/**
 * An SQS client whose requests are counted and answered in this process, never sent. moto's SQS
 * slows down with every message a queue holds (SendMessageBatch of 10: 100 calls took 10 s, the
 * next 200 took 74 s), so a sweep enqueueing 10,000 files would measure moto, not the sweep. The
 * real SqsIngestQueue still does the batching, so the count of calls is the adapter's own.
 */
import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { localClientConfig } from '../../local/aws-config.js';
import type { RequestCounter } from './request-counter.js';

type Handler = (args: { input?: { Entries?: { Id?: string }[] } }) => Promise<unknown>;
interface AnsweringStack {
  add(
    middleware: (next: Handler, context: { commandName?: string }) => Handler,
    options: { step: 'initialize'; name: string },
  ): void;
}

/** SendMessageBatch succeeds for every entry; the loopback endpoint is never contacted. */
export function locallyAnsweredSqs(counter: RequestCounter): SQSClient {
  const client = new SQSClient(localClientConfig('http://127.0.0.1:9'));
  (client.middlewareStack as unknown as AnsweringStack).add(
    (_next, context) => async (args) => {
      const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
      if (operation !== 'SendMessageBatch') throw new Error(`${operation} is not answered locally`);
      counter.record(`SQS ${operation}`);
      const entries = args.input?.Entries ?? [];
      return {
        output: { Successful: entries.map((e) => ({ Id: e.Id, MessageId: randomUUID() })), Failed: [] },
        response: {},
      };
    },
    { step: 'initialize', name: 'benchAnswerLocally' },
  );
  return client;
}

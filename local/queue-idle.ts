/** Waiting until a queue has drained: nothing visible, in flight or delayed. */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

const COUNTS = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
] as const;

/** Raised when the queue does not drain in time; says what was still there. */
export class QueueNotIdleError extends Error {
  override readonly name = 'QueueNotIdleError';
}

export interface IdleOptions {
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  /** Consecutive empty checks required. Default 2: one check can fall between a receive and a send. */
  readonly checks?: number;
  /** Work this process still has in hand (batches being processed). */
  readonly busy?: () => number;
}

/** The three message counts of a queue. */
export async function queueCounts(sqs: SQSClient, queueUrl: string): Promise<Record<string, number>> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...COUNTS] }),
  );
  return Object.fromEntries(COUNTS.map((name) => [name, Number(out.Attributes?.[name] ?? 0)]));
}

/** Resolves once the queue is empty and nothing is busy, seen on consecutive checks. */
export async function waitForQueueIdle(
  sqs: SQSClient,
  queueUrl: string,
  options: IdleOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const required = options.checks ?? 2;
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  for (;;) {
    const counts = await queueCounts(sqs, queueUrl);
    const busy = options.busy?.() ?? 0;
    const empty = Object.values(counts).every((n) => n === 0) && busy === 0;
    quiet = empty ? quiet + 1 : 0;
    if (quiet >= required) return;
    if (Date.now() > deadline) {
      throw new QueueNotIdleError(
        `queue not idle after ${timeoutMs} ms: ${JSON.stringify(counts)}, ${busy} batches busy`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
  }
}

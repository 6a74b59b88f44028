import {
  type BatchResultErrorEntry,
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SQSClient,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import { InfrastructureError } from '../core/errors.js';
import { ingestRequestBody } from '../core/events.js';
import type { IngestQueue, IngestRequest, MessageVisibility, ReceivedMessage } from '../core/ports.js';
import { backoffDelay, describeError, sleep } from './aws-errors.js';

/** SendMessageBatch takes at most ten entries. */
const MAX_BATCH_ENTRIES = 10;

export interface SqsIngestQueueOptions {
  readonly queueUrl: string;
  /** A ready client; by default one is built from `clientConfig`. */
  readonly client?: SQSClient;
  /** Used only when no client is given. */
  readonly clientConfig?: SQSClientConfig;
  /** Retries of entries SQS reports as failed. Default: 5 tries from 100 ms. */
  readonly retry?: { readonly maxTries?: number; readonly baseDelayMs?: number };
}

function describeFailures(failed: readonly BatchResultErrorEntry[]): string {
  return failed.map((entry) => `${entry.Code ?? 'unknown'}: ${entry.Message ?? ''}`.trim()).join('; ');
}

/** IngestQueue on SQS: batches of ten, sent in order, failed entries retried. */
export class SqsIngestQueue implements IngestQueue {
  private readonly queueUrl: string;
  private readonly client: SQSClient;
  private readonly maxTries: number;
  private readonly baseDelayMs: number;

  constructor(options: SqsIngestQueueOptions) {
    this.queueUrl = options.queueUrl;
    this.client = options.client ?? new SQSClient(options.clientConfig ?? {});
    this.maxTries = options.retry?.maxTries ?? 5;
    this.baseDelayMs = options.retry?.baseDelayMs ?? 100;
  }

  /**
   * Enqueues the requests in order: a batch, with its retried entries, is done before the next
   * batch starts, so only entries SQS failed can trail their batch.
   */
  async send(requests: readonly IngestRequest[]): Promise<void> {
    for (let start = 0; start < requests.length; start += MAX_BATCH_ENTRIES) {
      const entries = requests.slice(start, start + MAX_BATCH_ENTRIES).map((request, i) => ({
        Id: String(start + i),
        MessageBody: ingestRequestBody(request),
      }));
      await this.sendBatch(entries);
    }
  }

  private async sendBatch(entries: SendMessageBatchRequestEntry[]): Promise<void> {
    let pending = entries;
    for (let attempt = 1; ; attempt++) {
      const failed = await this.sendOnce(pending);
      if (failed.length === 0) return;
      // A sender fault (a malformed entry) fails the same way every time.
      const permanent = failed.filter((entry) => entry.SenderFault);
      if (permanent.length > 0 || attempt >= this.maxTries) {
        const reported = permanent.length > 0 ? permanent : failed;
        throw new InfrastructureError(
          `SendMessageBatch to ${this.queueUrl} failed for ${reported.length} entries ` +
            `after ${attempt} tries: ` +
            describeFailures(reported),
        );
      }
      const failedIds = new Set(failed.map((entry) => entry.Id));
      pending = pending.filter((entry) => failedIds.has(entry.Id));
      await sleep(backoffDelay(attempt - 1, this.baseDelayMs));
    }
  }

  private async sendOnce(entries: SendMessageBatchRequestEntry[]): Promise<BatchResultErrorEntry[]> {
    try {
      const out = await this.client.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
      );
      return out.Failed ?? [];
    } catch (error) {
      throw new InfrastructureError(`SendMessageBatch to ${this.queueUrl} failed: ${describeError(error)}`, {
        cause: error,
      });
    }
  }
}

/** SQS keeps a message invisible for at most 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

/** `arn:aws:sqs:<region>:<account>:<name>` -> `https://sqs.<region>.<domain>/<account>/<name>`. */
export function queueUrlFromArn(arn: string): string {
  const parts = arn.split(':');
  const [, partition, service, region, account, name] = parts;
  if (parts.length !== 6 || service !== 'sqs' || !region || !account || !name) {
    throw new InfrastructureError(`not an SQS queue ARN: ${arn}`);
  }
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}

/** MessageVisibility on SQS (ChangeMessageVisibility on the record's own queue). */
export class SqsMessageVisibility implements MessageVisibility {
  private readonly client: SQSClient;

  constructor(options: { client?: SQSClient; clientConfig?: SQSClientConfig } = {}) {
    // The queue is in the function's own region: the resolved endpoint (or a local emulator's)
    // is right, and the URL built from the ARN only names the queue.
    this.client = options.client ?? new SQSClient({ useQueueUrlAsEndpoint: false, ...options.clientConfig });
  }

  async changeVisibility(message: ReceivedMessage, seconds: number): Promise<void> {
    const queueUrl = queueUrlFromArn(message.queueArn);
    const timeout = Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(seconds)));
    try {
      await this.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: message.receiptHandle,
          VisibilityTimeout: timeout,
        }),
      );
    } catch (error) {
      throw new InfrastructureError(
        `ChangeMessageVisibility on ${queueUrl} failed: ${describeError(error)}`,
        { cause: error },
      );
    }
  }
}

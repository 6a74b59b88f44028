import {
  type BatchResultErrorEntry,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SQSClient,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import { InfrastructureError } from '../core/errors.js';
import { ingestRequestBody } from '../core/events.js';
import type { IngestQueue, IngestRequest } from '../core/ports.js';
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

/**
 * Stands in for Lambda's SQS event source mapping: long-polls the real ingest queue, invokes the
 * real ingest handler with the event and context Lambda would build, and deletes only the records
 * the handler did not report as failed. Failed records stay invisible for the visibility timeout
 * and come back, so the queue's own redrive policy moves poison messages to the dead-letter queue.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { LocalAwsClientConfig } from './aws-config.js';
import { loadIngestHandler } from './handler-loader.js';
import { lambdaContext, sqsEvent } from './lambda-event.js';
import { type IdleOptions, waitForQueueIdle } from './queue-idle.js';

/** The real handler's signature (lambdas/ingest/index.ts). */
export type IngestHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

/** The function and event source mapping the runner stands in for. */
export interface RunnerFunction {
  readonly functionName: string;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  readonly batchSize: number;
  readonly reportBatchItemFailures: boolean;
  readonly eventSourceArn: string;
}

export interface InvocationReport {
  readonly requestId: string;
  readonly records: number;
  /** Records left on the queue to come back after the visibility timeout. */
  readonly returned: number;
  readonly durationMs: number;
  /** Set when the handler threw or timed out: every record of the batch returns. */
  readonly error?: string;
}

export interface RunnerOptions {
  readonly queueUrl: string;
  readonly function: RunnerFunction;
  /** Environment of the handler, set in process.env before its first invocation. */
  readonly env: Readonly<Record<string, string>>;
  readonly clientConfig: LocalAwsClientConfig;
  /** Pollers, each invoking the handler for its own batches (Lambda's concurrency). Default 1. */
  readonly concurrency?: number;
  /**
   * Long-poll wait of each ReceiveMessage. Default 1 s, which bounds how long stop() takes: a poll
   * is never aborted, because the server would still hand it messages nobody then processes.
   */
  readonly waitTimeSeconds?: number;
  /** A handler to call instead of the real one. */
  readonly handler?: IngestHandler;
  /** Called after every invocation. */
  readonly onInvocation?: (report: InvocationReport) => void;
}

const MAX_RECEIVE = 10;
const RECEIVE_ERROR_BACKOFF_MS = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A running stand-in for the event source mapping. Create it with startRunner(). */
export class LocalRunner {
  private readonly sqs: SQSClient;
  private readonly pollers: Promise<void>[] = [];
  private stopping = false;
  private inFlight = 0;
  private invocationCount = 0;

  constructor(
    private readonly options: RunnerOptions,
    private readonly handler: IngestHandler,
  ) {
    this.sqs = new SQSClient(options.clientConfig);
  }

  /** Invocations made so far. */
  get invocations(): number {
    return this.invocationCount;
  }

  /** Starts the pollers. */
  start(): this {
    for (let i = 0; i < (this.options.concurrency ?? 1); i++) this.pollers.push(this.poll());
    return this;
  }

  /** Resolves when the queue is empty (visible, in flight, delayed; seen twice) and no batch runs here. */
  waitForIdle(options: Omit<IdleOptions, 'busy'> = {}): Promise<void> {
    return waitForQueueIdle(this.sqs, this.options.queueUrl, { ...options, busy: () => this.inFlight });
  }

  /** Stops polling and waits for the batches in flight to finish. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await Promise.allSettled(this.pollers);
    this.sqs.destroy();
  }

  private async poll(): Promise<void> {
    while (!this.stopping) {
      let messages: Message[];
      try {
        messages = await this.receive();
      } catch (error) {
        if (this.stopping) return;
        console.error(`local runner: ReceiveMessage failed, retrying: ${(error as Error).message}`);
        await sleep(RECEIVE_ERROR_BACKOFF_MS);
        continue;
      }
      if (messages.length === 0) continue;
      this.inFlight++;
      try {
        await this.invoke(messages);
      } catch (error) {
        // Only the deletes can fail here; undeleted records come back and are seen as duplicates.
        console.error(`local runner: finishing a batch failed: ${(error as Error).message}`);
      } finally {
        this.inFlight--;
      }
    }
  }

  private async receive(): Promise<Message[]> {
    const out = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: Math.min(this.options.function.batchSize, MAX_RECEIVE),
        WaitTimeSeconds: this.options.waitTimeSeconds ?? 1,
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return out.Messages ?? [];
  }

  /** One invocation: the handler's answer decides which records are deleted. */
  private async invoke(messages: Message[]): Promise<void> {
    const fn = this.options.function;
    const context = lambdaContext({
      functionName: fn.functionName,
      timeoutMs: fn.timeoutSeconds * 1000,
      memorySizeMb: fn.memorySizeMb,
    });
    const event = sqsEvent(messages, fn.eventSourceArn);
    const started = Date.now();
    this.invocationCount++;
    let returned: Set<string>;
    let error: string | undefined;
    try {
      const response = await withTimeout(this.handler(event, context), fn.timeoutSeconds * 1000);
      returned = this.recordsToReturn(messages, response);
    } catch (e) {
      // Lambda returns the whole batch when the function throws or times out.
      error = (e as Error).message ?? String(e);
      returned = new Set(messages.map((m) => m.MessageId ?? ''));
    }
    await this.deleteExcept(messages, returned);
    this.options.onInvocation?.({
      requestId: context.awsRequestId,
      records: messages.length,
      returned: returned.size,
      durationMs: Date.now() - started,
      ...(error ? { error } : {}),
    });
  }

  /**
   * Lambda's partial batch rules: without ReportBatchItemFailures any failure is ignored; with
   * it, an identifier that names no record of the batch fails the whole batch.
   */
  private recordsToReturn(messages: Message[], response: SQSBatchResponse | undefined): Set<string> {
    if (!this.options.function.reportBatchItemFailures) return new Set();
    const ids = new Set(messages.map((m) => m.MessageId ?? ''));
    const failed = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
    if (failed.some((id) => !id || !ids.has(id))) return ids;
    return new Set(failed);
  }

  private async deleteExcept(messages: Message[], returned: Set<string>): Promise<void> {
    const done = messages.filter((m) => !returned.has(m.MessageId ?? ''));
    for (let i = 0; i < done.length; i += MAX_RECEIVE) {
      const entries = done
        .slice(i, i + MAX_RECEIVE)
        .map((m, j) => ({ Id: String(i + j), ReceiptHandle: m.ReceiptHandle }));
      const out = await this.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: entries }),
      );
      // A failed delete only means the message comes back and is seen as a duplicate.
      for (const failure of out.Failed ?? [])
        console.error(`local runner: delete failed: ${failure.Message}`);
    }
  }
}

class InvocationTimeoutError extends Error {
  override readonly name = 'InvocationTimeoutError';
}

/**
 * Lambda stops a function at its timeout; a local promise cannot be stopped, so the batch is
 * treated as Lambda would treat it (every record returns) while the handler runs to its end.
 */
function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new InvocationTimeoutError(`Task timed out after ${timeoutMs / 1000} seconds`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Loads the real handler (unless one is given) with the stack's environment and starts polling. */
export async function startRunner(options: RunnerOptions): Promise<LocalRunner> {
  const handler = options.handler ?? (await loadIngestHandler(options.env));
  return new LocalRunner(options, handler).start();
}

/**
 * The stack under test for the pipeline suite, chosen by BRONZE_TARGET: `moto` (default: moto
 * harness and local runner in this process) or `localstack` (the stack deployed into LocalStack,
 * its real Lambda consuming the queue).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll } from 'vitest';
import { DynamoDbLedger } from '../../lambdas/adapters/dynamodb-ledger.js';
import { SqsIngestQueue } from '../../lambdas/adapters/sqs-ingest-queue.js';
import { quarantineKeysFor } from '../../lambdas/core/layout.js';
import { filePathFor, type LedgerItem } from '../../lambdas/core/ledger.js';
import { bronzeKeysOfSource, readBronzeRows } from '../../local/bronze-read.js';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/harness.js';
import { waitForQueueIdle } from '../../local/queue-idle.js';
import type { LocalRunner } from '../../local/runner.js';
import { type StackRunnerOptions, startStackRunner } from '../../local/stack-runner.js';

export type TargetKind = 'moto' | 'localstack';

/** Where LocalStack answers when BRONZE_TARGET=localstack. */
export const LOCALSTACK_ENDPOINT = process.env.LOCALSTACK_ENDPOINT ?? 'http://localhost:4566';

/** The target the suite runs against. */
export function targetKind(): TargetKind {
  return process.env.BRONZE_TARGET === 'localstack' ? 'localstack' : 'moto';
}

export interface Pipeline {
  readonly kind: TargetKind;
  readonly stack: LocalStack;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly ledger: DynamoDbLedger;
  /** The in-process runner (moto only); undefined while stopped or on LocalStack. */
  runner: LocalRunner | undefined;
  /** Uploads to the landing bucket; returns the new object's unquoted ETag. */
  land(key: string, body: string | Uint8Array): Promise<string>;
  /** Sends ingest requests for landed keys, as the sweep or a redelivery would. */
  resend(keys: readonly string[]): Promise<void>;
  /** Waits until the queue is drained and nothing is being processed. */
  settle(timeoutMs?: number): Promise<void>;
  item(dataset: string, key: string): Promise<LedgerItem | undefined>;
  /** The bronze objects under a source file's bronze key, and the rows of the first. */
  bronze(dataset: string, key: string): Promise<{ keys: string[]; rows: Record<string, unknown>[] }>;
  /** The quarantine error report of a rejected file. */
  quarantineReport(dataset: string, key: string): Promise<Record<string, unknown>>;
  startRunner(options?: StackRunnerOptions): Promise<LocalRunner>;
}

function unquote(etag: string | undefined): string {
  return (etag ?? '').replaceAll('"', '');
}

function pipelineOver(kind: TargetKind, stack: LocalStack): Pipeline {
  const s3 = new S3Client(stack.clientConfig);
  const sqs = new SQSClient(stack.clientConfig);
  const ledger = new DynamoDbLedger({
    tableName: stack.outputs.LedgerTableName,
    client: new DynamoDBClient(stack.clientConfig),
  });
  const landing = stack.outputs.LandingBucketName;
  const pipeline: Pipeline = {
    kind,
    stack,
    s3,
    sqs,
    ledger,
    runner: undefined,
    land: async (key, body) =>
      unquote((await s3.send(new PutObjectCommand({ Bucket: landing, Key: key, Body: body }))).ETag),
    resend: (keys) =>
      new SqsIngestQueue({ queueUrl: stack.outputs.IngestQueueUrl, client: sqs }).send(
        keys.map((key) => ({ bucket: landing, key, reason: 'sweep' })),
      ),
    settle: async (timeoutMs = 60_000) => {
      if (pipeline.runner) return pipeline.runner.waitForIdle({ timeoutMs });
      // A real event source mapping polls on its own schedule: demand a longer quiet spell.
      return waitForQueueIdle(sqs, stack.outputs.IngestQueueUrl, { timeoutMs, checks: 5, pollMs: 500 });
    },
    item: (dataset, key) => ledger.getFile({ ingestionKey: dataset, filePath: filePathFor(landing, key) }),
    bronze: async (dataset, key) => {
      const keys = await bronzeKeysOfSource(s3, stack.outputs.BronzeBucketName, dataset, {
        bucket: landing,
        key,
      });
      const rows = keys.length ? await readBronzeRows(s3, stack.outputs.BronzeBucketName, keys[0]!) : [];
      return { keys, rows };
    },
    quarantineReport: async (dataset, key) => {
      const { report } = quarantineKeysFor(dataset, landing, key);
      const out = await s3.send(
        new GetObjectCommand({ Bucket: stack.outputs.QuarantineBucketName, Key: report }),
      );
      return JSON.parse(await out.Body!.transformToString()) as Record<string, unknown>;
    },
    startRunner: async (options) => startStackRunner(stack, options),
  };
  return pipeline;
}

/** The shortest function timeout the handler works with (it starts no record with < 15 s left). */
const LOCALSTACK_FUNCTION_TIMEOUT_S = 20;

/**
 * On LocalStack the function timeout is at least 20 s; the queue's visibility timeout is the
 * stack's (6x the function timeout, and never under the lease: synth refuses less).
 */
function localStackSettings(options: LocalStackOptions): LocalStackOptions {
  const timeout = options.ingestTimeoutSeconds ?? LOCALSTACK_FUNCTION_TIMEOUT_S;
  return {
    ...options,
    endpoint: LOCALSTACK_ENDPOINT,
    stackName: `BronzeIngestTest${Date.now()}`,
    ingestTimeoutSeconds: timeout,
  };
}

/**
 * Starts the stack under test for this file (beforeAll) and stops it afterwards (afterAll). On
 * moto it also starts one in-process runner, kept in `pipeline.runner`, unless told not to.
 */
export function usePipeline(options: LocalStackOptions = {}, { runner = true } = {}): () => Pipeline {
  let pipeline: Pipeline | undefined;
  beforeAll(async () => {
    const kind = targetKind();
    const stack =
      kind === 'localstack'
        ? await startLocalStack(localStackSettings(options))
        : await startLocalStack(options);
    pipeline = pipelineOver(kind, stack);
    if (kind === 'moto' && runner) pipeline.runner = await pipeline.startRunner();
  }, 120_000);
  afterAll(async () => {
    await pipeline?.runner?.stop();
    pipeline?.s3.destroy();
    pipeline?.sqs.destroy();
    await pipeline?.stack.stop();
  });
  return () => {
    if (!pipeline) throw new Error('the pipeline is only available inside tests and hooks');
    return pipeline;
  };
}

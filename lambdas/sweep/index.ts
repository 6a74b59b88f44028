import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger.js';
import { S3ObjectStore } from '../adapters/s3-object-store.js';
import { SqsIngestQueue } from '../adapters/sqs-ingest-queue.js';
import { ENV, readRuntimeConfig } from '../core/config.js';
import { loadContracts } from '../core/contract.js';
import { systemClock } from '../core/ports.js';
import { type SweepDeps, sweep } from '../core/sweep.js';
import { publishSweepMetrics } from './metrics.js';

const logger = new Logger({ serviceName: 'bronze-sweep' });
const metrics = new Metrics({ namespace: 'BronzeIngest', serviceName: 'bronze-sweep' });
// Active only inside Lambda with tracing on: a no-op in tests and in the local stack.
const tracer = new Tracer({ serviceName: 'bronze-sweep' });
let deps: SweepDeps | undefined;

function sweepDeps(): SweepDeps {
  if (deps) return deps;
  const config = readRuntimeConfig(process.env, { datasetsDir: resolve('datasets') });
  if (!config.ingestQueueUrl) throw new Error(`missing environment variable: ${ENV.ingestQueueUrl}`);
  const local = Boolean(process.env.AWS_ENDPOINT_URL);
  deps = {
    store: new S3ObjectStore({ client: tracer.captureAWSv3Client(new S3Client({ forcePathStyle: local })) }),
    ledger: new DynamoDbLedger({
      tableName: config.ledgerTable,
      client: tracer.captureAWSv3Client(new DynamoDBClient({ maxAttempts: 5 })),
    }),
    queue: new SqsIngestQueue({
      queueUrl: config.ingestQueueUrl,
      client: tracer.captureAWSv3Client(new SQSClient({})),
    }),
    contracts: loadContracts(config.datasetsDir),
    landingBucket: config.landingBucket,
    clock: systemClock,
  };
  return deps;
}

const positive = (value: string | undefined): number | undefined => {
  const n = value ? Number(value) : Number.NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
};

/** Scheduled catch-up sweep: enqueues what no event announced, backfill before forward. */
export const handler = async (
  _event?: unknown,
  context?: Context,
): Promise<{ runId: string; enqueued: number }> => {
  if (context) logger.addContext(context);
  const started = Date.now();
  const report = await sweep(sweepDeps(), {
    by: 'schedule',
    maxFiles: positive(process.env[ENV.sweepMaxFiles]),
    maxBytes: positive(process.env[ENV.sweepMaxBytes]),
  });
  for (const d of report.datasets) logger.info('sweep finished', { runId: report.runId, ...d });
  publishSweepMetrics(metrics, report, { now: new Date(), durationMs: Date.now() - started });
  return { runId: report.runId, enqueued: report.plan.length };
};

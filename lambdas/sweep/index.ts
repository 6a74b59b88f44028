import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger.js';
import { S3ObjectStore } from '../adapters/s3-object-store.js';
import { SqsIngestQueue } from '../adapters/sqs-ingest-queue.js';
import { ENV, readRuntimeConfig } from '../core/config.js';
import { loadContracts } from '../core/contract.js';
import { systemClock } from '../core/ports.js';
import { type SweepDeps, sweep } from '../core/sweep.js';

const logger = new Logger({ serviceName: 'bronze-sweep' });
let deps: SweepDeps | undefined;

function sweepDeps(): SweepDeps {
  if (deps) return deps;
  const config = readRuntimeConfig(process.env, { datasetsDir: resolve('datasets') });
  if (!config.ingestQueueUrl) throw new Error(`missing environment variable: ${ENV.ingestQueueUrl}`);
  const local = Boolean(process.env.AWS_ENDPOINT_URL);
  deps = {
    store: new S3ObjectStore({ clientConfig: { forcePathStyle: local } }),
    ledger: new DynamoDbLedger({ tableName: config.ledgerTable }),
    queue: new SqsIngestQueue({ queueUrl: config.ingestQueueUrl }),
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
export const handler = async (): Promise<{ runId: string; enqueued: number }> => {
  const report = await sweep(sweepDeps(), {
    by: 'schedule',
    maxFiles: positive(process.env[ENV.sweepMaxFiles]),
    maxBytes: positive(process.env[ENV.sweepMaxBytes]),
  });
  for (const d of report.datasets) logger.info('sweep finished', { runId: report.runId, ...d });
  return { runId: report.runId, enqueued: report.plan.length };
};

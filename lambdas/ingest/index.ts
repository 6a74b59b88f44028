import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger.js';
import { S3ObjectStore } from '../adapters/s3-object-store.js';
import { readRuntimeConfig } from '../core/config.js';
import { loadContracts } from '../core/contract.js';
import type { EngineDeps, EngineLogger } from '../core/engine.js';
import { LoadHistorySink } from '../core/load-history.js';
import { systemClock } from '../core/ports.js';
import { createIngestHandler } from './handler.js';
import { OutcomeMetrics } from './metrics.js';

const logger = new Logger({ serviceName: 'bronze-ingest' });
const metrics = new Metrics({ namespace: 'BronzeIngest', serviceName: 'bronze-ingest' });

const outcomeMetrics = new OutcomeMetrics(metrics);

let engine: EngineDeps | undefined;

/** Configuration is read and checked once, on the first invocation of this environment. */
function engineDeps(): EngineDeps {
  if (engine) return engine;
  // The bundle ships the contracts in ./datasets beside the handler (the Lambda's working directory).
  const config = readRuntimeConfig(process.env, { datasetsDir: resolve('datasets') });
  // A custom endpoint (moto, LocalStack) serves buckets by path, not by host name.
  const local = Boolean(process.env.AWS_ENDPOINT_URL);
  const engineLogger: EngineLogger = {
    info: (message, extra) => logger.info(message, (extra ?? {}) as LogAttributes),
    warn: (message, extra) => logger.warn(message, (extra ?? {}) as LogAttributes),
    error: (message, extra) => logger.error(message, (extra ?? {}) as LogAttributes),
  };
  const store = new S3ObjectStore({ clientConfig: { forcePathStyle: local } });
  const deps: EngineDeps = {
    store,
    ledger: new DynamoDbLedger({ tableName: config.ledgerTable }),
    clock: systemClock,
    contracts: loadContracts(config.datasetsDir),
    buckets: {
      landing: config.landingBucket,
      bronze: config.bronzeBucket,
      quarantine: config.quarantineBucket,
    },
    logger: engineLogger,
    onOutcome: (outcome) => outcomeMetrics.record(outcome),
    outcomeSinks: [new LoadHistorySink({ store, clock: systemClock, bronzeBucket: config.bronzeBucket })],
  };
  logger.info('ingest engine ready', { datasets: deps.contracts.map((c) => c.ingestion_key) });
  engine = deps;
  return deps;
}

const ingest = createIngestHandler(engineDeps);

/** The Lambda entry: ingest the batch, then publish its metrics whatever happened. */
export const handler: typeof ingest = async (event, context) => {
  try {
    return await ingest(event, context);
  } finally {
    outcomeMetrics.publish();
  }
};

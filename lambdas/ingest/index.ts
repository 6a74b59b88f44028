import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger.js';
import { EventBridgePublisher } from '../adapters/eventbridge-publisher.js';
import { S3ObjectStore } from '../adapters/s3-object-store.js';
import { SqsMessageVisibility } from '../adapters/sqs-ingest-queue.js';
import { ENV, readRuntimeConfig } from '../core/config.js';
import { loadContracts } from '../core/contract.js';
import type { EngineDeps, EngineLogger } from '../core/engine.js';
import { LoadHistorySink } from '../core/load-history.js';
import { OutcomeEventSink } from '../core/outcome-events.js';
import { systemClock } from '../core/ports.js';
import { createIngestHandler } from './handler.js';
import { OutcomeMetrics } from './metrics.js';
import { observedFiles } from './observability.js';

const logger = new Logger({ serviceName: 'bronze-ingest' });
const metrics = new Metrics({ namespace: 'BronzeIngest', serviceName: 'bronze-ingest' });
// Active only inside Lambda with tracing on: a no-op in tests and in the local stack.
const tracer = new Tracer({ serviceName: 'bronze-ingest' });

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
  const store = new S3ObjectStore({
    client: tracer.captureAWSv3Client(new S3Client({ forcePathStyle: local })),
  });
  const deps: EngineDeps = {
    store,
    ledger: new DynamoDbLedger({
      tableName: config.ledgerTable,
      client: tracer.captureAWSv3Client(new DynamoDBClient({ maxAttempts: 5 })),
    }),
    clock: systemClock,
    contracts: loadContracts(config.datasetsDir),
    buckets: {
      landing: config.landingBucket,
      bronze: config.bronzeBucket,
      quarantine: config.quarantineBucket,
    },
    logger: engineLogger,
    onOutcome: (outcome) => outcomeMetrics.record(outcome),
    outcomeSinks: [
      new LoadHistorySink({ store, clock: systemClock, bronzeBucket: config.bronzeBucket }),
      new OutcomeEventSink(
        new EventBridgePublisher({
          eventBusName: process.env[ENV.outcomeEventBus],
          client: tracer.captureAWSv3Client(new EventBridgeClient({})),
        }),
        { bronzeBucket: config.bronzeBucket, now: () => systemClock.now() },
      ),
    ].map((sink) => outcomeMetrics.countFailures(sink)),
    fileScope: observedFiles(logger, tracer),
    messageVisibility: new SqsMessageVisibility({
      client: tracer.captureAWSv3Client(new SQSClient({ useQueueUrlAsEndpoint: false })),
    }),
  };
  logger.info('ingest engine ready', { datasets: deps.contracts.map((c) => c.ingestion_key) });
  engine = deps;
  return deps;
}

const ingest = createIngestHandler(engineDeps);

/**
 * The Lambda entry: ingest the batch, then publish its metrics whatever happened.
 *
 * Not Powertools' batch utility (not a dependency here): the handler already reports partial
 * failures, isolates each record, hands records back untouched when little time remains, and
 * gives the sinks all outcomes at once; the utility's record loop would have to be bent to keep
 * the last two.
 */
export const handler: typeof ingest = async (event, context) => {
  // Request id, cold start, function name and memory on every log line of this invocation.
  logger.addContext(context as Parameters<typeof logger.addContext>[0]);
  try {
    return await ingest(event, context);
  } finally {
    outcomeMetrics.publish();
  }
};

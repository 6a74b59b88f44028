import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { loadContracts } from '../lambdas/core/contract.js';
import { ContractError } from '../lambdas/core/errors.js';
import { AccessLogs } from './constructs/access-logs.js';
import { AthenaWorkgroup } from './constructs/athena-workgroup.js';
import { BronzeCatalog } from './constructs/bronze-catalog.js';
import { BronzeStorage } from './constructs/bronze-storage.js';
import { IngestAlarms } from './constructs/ingest-alarms.js';
import { IngestFunction } from './constructs/ingest-function.js';
import { IngestQueue } from './constructs/ingest-queue.js';
import { LandingStorage } from './constructs/landing-storage.js';
import { LatestViews } from './constructs/latest-views.js';
import { LedgerTable } from './constructs/ledger-table.js';
import { LoadHistoryTable } from './constructs/load-history-table.js';
import { SourceEvents } from './constructs/source-events.js';
import { SweepFunction } from './constructs/sweep-function.js';

/** The repository root: package-lock.json, `lambdas/` and `datasets/` live here. */
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** SQS visibility timeout per unit of function timeout, as AWS recommends for Lambda consumers. */
const VISIBILITY_TIMEOUT_FACTOR = 6;

export interface BronzeIngestStackProps extends StackProps {
  /**
   * Folder of dataset contracts (`<ingestion_key>.json`), read and validated at synth time.
   * @default - the repository's `datasets/` folder
   */
  readonly datasetsDir?: string;
  /**
   * Address mailed when an alarm fires.
   * @default - no notifications; alarms show in CloudWatch only
   */
  readonly alarmEmail?: string;
  /**
   * How often the sweep runs.
   * @default events.Schedule.rate(Duration.minutes(30))
   */
  readonly sweepSchedule?: events.Schedule;
  /**
   * What happens to the buckets, the ledger table and the log groups when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Longest one ingest invocation may run; the queue's visibility timeout is 6x this.
   * @default Duration.minutes(10)
   */
  readonly ingestTimeout?: Duration;
  /**
   * Ingest function memory in MB.
   * @default 1024
   */
  readonly ingestMemorySize?: number;
  /**
   * How long a received message stays invisible to other consumers.
   * @default - 6x `ingestTimeout`
   */
  readonly ingestQueueVisibilityTimeout?: Duration;
  /**
   * Files handed to one ingest invocation.
   * @default 10
   */
  readonly ingestBatchSize?: number;
  /**
   * Most concurrent ingest invocations.
   * @default 10
   */
  readonly ingestMaxConcurrency?: number;
  /**
   * Receives of one message before it moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * How long overwritten or deleted object versions are kept in the data buckets.
   * @default Duration.days(30)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * How long function logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Glue database of the bronze tables.
   * @default - the stack name in snake case, for example `bronze_ingest`
   */
  readonly glueDatabaseName?: string;
  /**
   * Age of the oldest queued message that raises the alarm.
   * @default Duration.hours(1)
   */
  readonly oldestMessageAgeThreshold?: Duration;
  /**
   * Most files one sweep run enqueues.
   * @default - the sweep's own default
   */
  readonly sweepMaxFiles?: number;
  /**
   * Most bytes of files one sweep run enqueues.
   * @default - the sweep's own default
   */
  readonly sweepMaxBytes?: number;
}

/** `BronzeIngest` -> `bronze_ingest`: a valid Glue database name. */
function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
}

/**
 * The whole ingestion stack: landing -> EventBridge -> SQS -> ingest Lambda -> bronze, with the
 * ledger, the sweep, the Glue catalog and the alarms.
 *
 * The template holds no `Custom::` resources. CDK's bucket-notification, auto-delete,
 * bucket-deployment and log-retention helpers are Lambda-backed custom resources: they need the
 * custom-resource provider to run, which the emulators this stack is tested on (moto, LocalStack)
 * and Docker-less CI do not give. So the landing bucket turns EventBridge on through the native
 * bucket property, log groups are explicit resources, and nothing is pre-loaded into buckets.
 */
export class BronzeIngestStack extends Stack {
  public readonly accessLogs: AccessLogs;
  public readonly landing: LandingStorage;
  public readonly storage: BronzeStorage;
  public readonly ledger: LedgerTable;
  public readonly ingestQueue: IngestQueue;
  public readonly sourceEvents: SourceEvents;
  public readonly ingest: IngestFunction;
  public readonly sweep: SweepFunction;
  public readonly catalog: BronzeCatalog;
  /** `<ingestion_key>_latest` views of the datasets with a primary key. */
  public readonly latestViews: LatestViews;
  /** The `load_history` table and the ingest function's grant to write it. */
  public readonly loadHistory: LoadHistoryTable;
  /** The Athena workgroup with encrypted results. */
  public readonly athena: AthenaWorkgroup;
  public readonly alarms: IngestAlarms;

  constructor(scope: Construct, id: string, props: BronzeIngestStackProps = {}) {
    super(scope, id, props);
    const datasetsDir = resolve(props.datasetsDir ?? join(PROJECT_ROOT, 'datasets'));
    // Throws ContractError naming the file and the field: an invalid contract fails synth.
    const contracts = loadContracts(datasetsDir);
    if (contracts.length === 0) {
      throw new ContractError(
        `no dataset contracts (*.json) in ${datasetsDir}: the stack would ingest nothing`,
      );
    }
    // parseContract checked that each file is named after its ingestion_key.
    const datasetFiles = contracts.map((c) => join(datasetsDir, `${c.ingestion_key}.json`));

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const noncurrentVersionExpiration = props.noncurrentVersionExpiration ?? Duration.days(30);
    const ingestTimeout = props.ingestTimeout ?? Duration.minutes(10);
    const defaultVisibilityTimeout = Duration.seconds(ingestTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR);

    this.accessLogs = new AccessLogs(this, 'AccessLogs', { removalPolicy });
    this.landing = new LandingStorage(this, 'Landing', {
      contracts,
      removalPolicy,
      accessLogsBucket: this.accessLogs.bucket,
      noncurrentVersionExpiration,
    });
    this.storage = new BronzeStorage(this, 'Storage', {
      removalPolicy,
      accessLogsBucket: this.accessLogs.bucket,
      noncurrentVersionExpiration,
    });
    this.ledger = new LedgerTable(this, 'Ledger', { removalPolicy });
    this.ingestQueue = new IngestQueue(this, 'IngestQueue', {
      visibilityTimeout: props.ingestQueueVisibilityTimeout ?? defaultVisibilityTimeout,
      maxReceiveCount: props.maxReceiveCount,
    });
    this.sourceEvents = new SourceEvents(this, 'SourceEvents', {
      sources: this.landing.sources,
      queue: this.ingestQueue.queue,
      deadLetterQueue: this.ingestQueue.deadLetterQueue,
    });
    const functionBase = {
      projectRoot: PROJECT_ROOT,
      datasetFiles,
      landing: this.landing,
      storage: this.storage,
      ledger: this.ledger,
      queue: this.ingestQueue,
      logRetention: props.logRetention,
      logRemovalPolicy: removalPolicy,
    };
    this.ingest = new IngestFunction(this, 'IngestFunction', {
      ...functionBase,
      entry: join(PROJECT_ROOT, 'lambdas/ingest/index.ts'),
      ingestionKeys: contracts.map((c) => c.ingestion_key),
      timeout: ingestTimeout,
      memorySize: props.ingestMemorySize,
      batchSize: props.ingestBatchSize,
      maxConcurrency: props.ingestMaxConcurrency,
    });
    this.sweep = new SweepFunction(this, 'SweepFunction', {
      ...functionBase,
      entry: join(PROJECT_ROOT, 'lambdas/sweep/index.ts'),
      schedule: props.sweepSchedule,
      maxFiles: props.sweepMaxFiles,
      maxBytes: props.sweepMaxBytes,
    });
    this.catalog = new BronzeCatalog(this, 'Catalog', {
      contracts,
      bronzeBucket: this.storage.bronzeBucket,
      databaseName: props.glueDatabaseName ?? snakeCase(this.stackName),
    });
    this.latestViews = new LatestViews(this, 'LatestViews', {
      contracts,
      database: this.catalog.database,
      databaseName: this.catalog.databaseName,
    });
    this.loadHistory = new LoadHistoryTable(this, 'LoadHistory', {
      bronzeBucket: this.storage.bronzeBucket,
      database: this.catalog.database,
      writer: this.ingest.bronzeFunction.function,
    });
    this.athena = new AthenaWorkgroup(this, 'Athena', {
      name: this.catalog.databaseName.replaceAll('_', '-'),
      accessLogsBucket: this.accessLogs.bucket,
      removalPolicy,
    });
    this.alarms = new IngestAlarms(this, 'Alarms', {
      queue: this.ingestQueue.queue,
      deadLetterQueue: this.ingestQueue.deadLetterQueue,
      ingestFunction: this.ingest.bronzeFunction.function,
      alarmEmail: props.alarmEmail,
      oldestMessageAgeThreshold: props.oldestMessageAgeThreshold,
    });

    // Output ids are the logical ids the CLI and the local harness look up.
    const outputs: Record<string, [string, string]> = {
      LandingBucketName: [this.landing.bucket.bucketName, 'Bucket that receives source files'],
      BronzeBucketName: [this.storage.bronzeBucket.bucketName, 'Bucket of bronze Parquet'],
      QuarantineBucketName: [this.storage.quarantineBucket.bucketName, 'Bucket of rejected files and rows'],
      LedgerTableName: [this.ledger.table.tableName, 'File ledger table'],
      IngestQueueUrl: [this.ingestQueue.queue.queueUrl, 'Queue the ingest function consumes'],
      DeadLetterQueueUrl: [
        this.ingestQueue.deadLetterQueue.queueUrl,
        'Dead-letter queue of the ingest queue',
      ],
      IngestFunctionName: [this.ingest.bronzeFunction.function.functionName, 'Ingest function'],
      SweepFunctionName: [this.sweep.bronzeFunction.function.functionName, 'Sweep function'],
      GlueDatabaseName: [this.catalog.database.ref, 'Glue database of the bronze tables'],
      AthenaWorkGroupName: [this.athena.workgroup.ref, 'Athena workgroup for querying bronze'],
    };
    for (const [id, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, id, { value, description });
    }
  }
}

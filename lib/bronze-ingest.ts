import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { z } from 'zod';
import { ENV } from '../lambdas/core/config.js';
import {
  type Contract,
  type ContractSchema,
  loadContracts,
  parseContract,
} from '../lambdas/core/contract.js';
import { contractDigests, encodeContractDigests } from '../lambdas/core/contract-digest.js';
import { ContractError } from '../lambdas/core/errors.js';
import type { FinalStatus } from '../lambdas/core/outcome-events.js';
import { AccessLogs } from './constructs/access-logs.js';
import { AthenaWorkgroup } from './constructs/athena-workgroup.js';
import { BronzeCatalog } from './constructs/bronze-catalog.js';
import type { BundledFile } from './constructs/bronze-function.js';
import { BronzeStorage } from './constructs/bronze-storage.js';
import { IngestAlarms } from './constructs/ingest-alarms.js';
import { IngestDashboard } from './constructs/ingest-dashboard.js';
import { IngestFunction } from './constructs/ingest-function.js';
import { datasetMetric, SWEEP_SERVICE } from './constructs/ingest-metrics.js';
import { IngestQueue } from './constructs/ingest-queue.js';
import { LandingStorage } from './constructs/landing-storage.js';
import { LatestViews } from './constructs/latest-views.js';
import { LedgerTable } from './constructs/ledger-table.js';
import { LoadHistoryTable } from './constructs/load-history-table.js';
import { OutcomeEvents } from './constructs/outcome-events.js';
import { SourceEvents } from './constructs/source-events.js';
import { SweepFunction } from './constructs/sweep-function.js';
import { checkVisibilityCoversLease } from './lease-check.js';

/** The package root: package-lock.json, `lambdas/` and `datasets/` live here. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** SQS visibility timeout per unit of function timeout, as AWS recommends for Lambda consumers. */
const VISIBILITY_TIMEOUT_FACTOR = 6;

/** A dataset contract as written in `datasets/<ingestion_key>.json`, before validation. */
export type ContractDocument = z.input<typeof ContractSchema>;

export interface BronzeIngestProps {
  /**
   * The datasets to ingest: a folder of contracts (`<ingestion_key>.json`) or the contracts themselves,
   * validated at synth time either way.
   * @default - the package's `datasets/` folder
   */
  readonly datasets?: string | readonly ContractDocument[];
  /**
   * An existing bucket to receive source files instead of a new one (its EventBridge notifications
   * must be on: see LandingStorage).
   * @default - a new versioned landing bucket
   */
  readonly landingBucket?: s3.IBucket;
  /**
   * An existing bucket for bronze Parquet instead of a new one.
   * @default - a new versioned bronze bucket
   */
  readonly bronzeBucket?: s3.IBucket;
  /**
   * An existing bucket for rejected files instead of a new one.
   * @default - a new versioned quarantine bucket
   */
  readonly quarantineBucket?: s3.IBucket;
  /**
   * What happens to the buckets, the ledger table, the queues and the log groups when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Customer managed key for the new data buckets, the ledger table, the queues and the alarm topic.
   * @default - AWS managed encryption (S3-managed, DynamoDB-owned, SQS-managed keys)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Address mailed when an alarm fires.
   * @default - no mail
   */
  readonly alarmEmail?: string;
  /**
   * Topic the alarms notify, instead of a new one.
   * @default - a new topic when `alarmEmail` is given, else no notifications
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * How often the sweep runs.
   * @default events.Schedule.rate(Duration.minutes(30))
   */
  readonly sweepSchedule?: events.Schedule;
  /**
   * Bus that receives the outcome events (`source: "bronze-ingest"`).
   * @default - the account's default bus
   */
  readonly eventBus?: events.IEventBus;
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
   * Longest one sweep may run.
   * @default Duration.minutes(5)
   */
  readonly sweepTimeout?: Duration;
  /**
   * Sweep function memory in MB.
   * @default 512
   */
  readonly sweepMemorySize?: number;
  /**
   * How long a received message stays invisible to other consumers; synth refuses less than
   * `ingestTimeout` plus 60 s (the claim's lease).
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
   * How long overwritten or deleted object versions are kept in the new data buckets.
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
   * @default - the stack name and this construct's id in snake case, e.g. `analytics_orders_ingest`
   */
  readonly glueDatabaseName?: string;
  /**
   * Age of the oldest queued message that raises the alarm.
   * @default Duration.hours(1)
   */
  readonly oldestMessageAgeThreshold?: Duration;
  /**
   * Rejected files of one dataset per hour above which an alarm fires.
   * @default - no alarm on rejected files
   */
  readonly rejectedFilesPerHourAlarm?: number;
  /**
   * Files of one dataset landed over an hour ago and not done, two hours in a row, that raise the backlog alarm.
   * @default 0
   */
  readonly backlogAlarmThreshold?: number;
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
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
}

/** The validated contracts and the exact file contents shipped into the functions. */
interface Datasets {
  readonly contracts: Contract[];
  readonly files: BundledFile[];
}

/** Reads and validates the datasets prop: an invalid contract fails synth, naming it. */
function resolveDatasets(datasets: string | readonly ContractDocument[]): Datasets {
  if (typeof datasets === 'string') {
    const dir = resolve(datasets);
    const contracts = loadContracts(dir);
    if (contracts.length === 0) {
      throw new ContractError(`no dataset contracts (*.json) in ${dir}: the stack would ingest nothing`);
    }
    // parseContract checked that each file is named after its ingestion_key.
    const files = contracts.map((c) => {
      const name = `${c.ingestion_key}.json`;
      return { name, text: readFileSync(join(dir, name), 'utf8') };
    });
    return { contracts, files };
  }
  if (datasets.length === 0)
    throw new ContractError('no dataset contracts given: the stack would ingest nothing');
  const contracts = datasets.map((raw, i) => parseContract(raw, `datasets[${i}]`));
  const files = contracts.map((c, i) => ({
    name: `${c.ingestion_key}.json`,
    text: `${JSON.stringify(datasets[i], null, 2)}\n`,
  }));
  const keys = contracts.map((c) => c.ingestion_key);
  const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
  if (duplicate) throw new ContractError(`two dataset contracts have the ingestion_key "${duplicate}"`);
  return { contracts, files };
}

/**
 * The whole ingestion pipeline as one construct: landing -> EventBridge -> SQS -> ingest Lambda
 * -> bronze, with the ledger, the sweep, the Glue catalog and the alarms. Several may live in one
 * stack: nothing has a fixed physical name except the Glue database, which defaults per instance.
 *
 * It creates no `Custom::` resources. CDK's bucket-notification, auto-delete, bucket-deployment
 * and log-retention helpers are Lambda-backed custom resources the emulators this is tested on
 * (moto, LocalStack) do not run, so the landing bucket turns EventBridge on through the native
 * bucket property, log groups are explicit resources, and nothing is pre-loaded into buckets.
 */
export class BronzeIngest extends Construct {
  /** The validated dataset contracts. */
  public readonly contracts: readonly Contract[];
  /** Server access log bucket of the buckets created here (the Athena results bucket at least). */
  public readonly accessLogs: AccessLogs;
  /** Landing bucket and every dataset source. */
  public readonly landing: LandingStorage;
  /** Bronze and quarantine buckets. */
  public readonly storage: BronzeStorage;
  /** The file ledger table. */
  public readonly ledger: LedgerTable;
  /** The ingest queue and its dead-letter queue. */
  public readonly ingestQueue: IngestQueue;
  /** The rules that route source "Object Created" events to the queue. */
  public readonly sourceEvents: SourceEvents;
  /** The ingest function. */
  public readonly ingest: IngestFunction;
  /** The scheduled sweep function. */
  public readonly sweep: SweepFunction;
  /** The Glue database and tables over bronze. */
  public readonly catalog: BronzeCatalog;
  /** The alarms and their optional topic. */
  public readonly alarms: IngestAlarms;
  /** `<ingestion_key>_latest` views of the datasets with a primary key. */
  public readonly latestViews: LatestViews;
  /** The `load_history` table and the ingest function's grant to write it. */
  public readonly loadHistory: LoadHistoryTable;
  /** The Athena workgroup with encrypted results. */
  public readonly athena: AthenaWorkgroup;
  /** `dataset=digest,...` of the deployed contracts, so the CLI can tell when its own differ. */
  public readonly contractDigests: string;
  /** The CloudWatch dashboard of the pipeline. */
  public readonly dashboard: IngestDashboard;
  /** The bus of the outcome events and their pattern. */
  public readonly outcomeEvents: OutcomeEvents;

  constructor(scope: Construct, id: string, props: BronzeIngestProps = {}) {
    super(scope, id);
    // The access log bucket grants the S3 logging service by bucket policy: without this flag CDK
    // falls back to the LogDeliveryWrite ACL, which the log bucket's enforced ownership forbids.
    // Set here so the construct synthesizes the same in an app whose cdk.json lacks it.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const datasets = resolveDatasets(props.datasets ?? join(PROJECT_ROOT, 'datasets'));
    this.contracts = datasets.contracts;
    const contracts = datasets.contracts;

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const noncurrentVersionExpiration = props.noncurrentVersionExpiration ?? Duration.days(30);
    const ingestTimeout = props.ingestTimeout ?? Duration.minutes(10);
    const defaultVisibilityTimeout = Duration.seconds(ingestTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR);
    const encryptionKey = props.encryptionKey;

    // The Athena results bucket is always created here, so there is always a bucket to log.
    this.accessLogs = new AccessLogs(this, 'AccessLogs', { removalPolicy });
    const bucketDefaults = {
      removalPolicy,
      accessLogsBucket: this.accessLogs?.bucket,
      noncurrentVersionExpiration,
      encryptionKey,
    };
    this.landing = new LandingStorage(this, 'Landing', {
      ...bucketDefaults,
      contracts,
      bucket: props.landingBucket,
    });
    this.storage = new BronzeStorage(this, 'Storage', {
      ...bucketDefaults,
      bronzeBucket: props.bronzeBucket,
      quarantineBucket: props.quarantineBucket,
    });
    this.ledger = new LedgerTable(this, 'Ledger', { removalPolicy, encryptionKey });
    const visibilityTimeout = props.ingestQueueVisibilityTimeout ?? defaultVisibilityTimeout;
    checkVisibilityCoversLease({
      visibilityTimeoutSeconds: visibilityTimeout.toSeconds(),
      functionTimeoutSeconds: ingestTimeout.toSeconds(),
    });
    this.ingestQueue = new IngestQueue(this, 'IngestQueue', {
      visibilityTimeout,
      maxReceiveCount: props.maxReceiveCount,
      encryptionKey,
      removalPolicy,
    });
    this.sourceEvents = new SourceEvents(this, 'SourceEvents', {
      sources: this.landing.sources,
      queue: this.ingestQueue.queue,
      deadLetterQueue: this.ingestQueue.deadLetterQueue,
    });
    const functionBase = {
      projectRoot: PROJECT_ROOT,
      datasetFiles: datasets.files,
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
      timeout: props.sweepTimeout,
      memorySize: props.sweepMemorySize,
      maxFiles: props.sweepMaxFiles,
      maxBytes: props.sweepMaxBytes,
    });
    this.outcomeEvents = new OutcomeEvents(this, 'OutcomeEvents', { eventBus: props.eventBus });
    this.outcomeEvents.grantPublish(this.ingest.bronzeFunction.function);
    if (encryptionKey) {
      // The handlers read and write the encrypted buckets, table and queues through this key.
      encryptionKey.grantEncryptDecrypt(this.ingest.bronzeFunction.function);
      encryptionKey.grantEncryptDecrypt(this.sweep.bronzeFunction.function);
    }
    this.catalog = new BronzeCatalog(this, 'Catalog', {
      contracts,
      bronzeBucket: this.storage.bronzeBucket,
      databaseName: props.glueDatabaseName ?? this.defaultDatabaseName(),
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
      sweepFunction: this.sweep.bronzeFunction.function,
      datasets: contracts.map((c) => c.ingestion_key),
      rejectedFilesPerHour: props.rejectedFilesPerHourAlarm,
      backlogThreshold: props.backlogAlarmThreshold,
      alarmEmail: props.alarmEmail,
      alarmTopic: props.alarmTopic,
      encryptionKey,
      oldestMessageAgeThreshold: props.oldestMessageAgeThreshold,
    });

    // What the functions run, so the CLI can refuse to sweep for contracts that were never deployed.
    this.contractDigests = encodeContractDigests(contractDigests(contracts));
    for (const fn of [this.ingest.bronzeFunction.function, this.sweep.bronzeFunction.function])
      fn.addEnvironment(ENV.contractDigests, this.contractDigests);
    this.dashboard = new IngestDashboard(this, 'Dashboard', {
      datasets: contracts.map((c) => c.ingestion_key),
      queue: this.ingestQueue.queue,
      deadLetterQueue: this.ingestQueue.deadLetterQueue,
    });
  }

  /** Lets a principal read bronze Parquet (for example an Athena or Glue job role). */
  public grantReadBronze(grantee: iam.IGrantable): iam.Grant {
    return this.storage.bronzeBucket.grantRead(grantee);
  }

  /** Lets a principal read the ledger table and its status index. */
  public grantReadLedger(grantee: iam.IGrantable): iam.Grant {
    return this.ledger.table.grantReadData(grantee);
  }

  /**
   * The pattern of this pipeline's outcome events: the given final statuses (all by default) of
   * its datasets (or of some of them), for a rule on `outcomeEvents.eventBus`.
   */
  public outcomeEventPattern(
    statuses?: readonly FinalStatus[],
    datasets: readonly string[] = this.contracts.map((c) => c.ingestion_key),
  ): events.EventPattern {
    return OutcomeEvents.pattern(statuses, datasets);
  }

  /** Files of a dataset ingested to bronze (completed), summed per period. */
  public metricFilesCompleted(dataset: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return datasetMetric('FilesIngested', dataset).with(props ?? {});
  }

  /** Files of a dataset rejected and quarantined, summed per period. */
  public metricFilesRejected(dataset: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return datasetMetric('FilesRejected', dataset).with(props ?? {});
  }

  /** Files of a dataset that failed on every attempt, summed per period. */
  public metricFilesExhausted(dataset: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return datasetMetric('FilesExhausted', dataset).with(props ?? {});
  }

  /** Rows of a dataset written to bronze, summed per period. */
  public metricRowsIngested(dataset: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return datasetMetric('RowsIngested', dataset).with(props ?? {});
  }

  /** Time from a file's landing to its completion, in ms (p99 by default). */
  public metricLandingToCompleted(dataset: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return datasetMetric('LandingToCompleted', dataset, { statistic: 'p99' }).with(props ?? {});
  }

  /** Files of a dataset landed over an hour ago and not done, as the last sweep counted them. */
  public metricSweepBacklog(dataset: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return datasetMetric('SweepBacklog', dataset, { service: SWEEP_SERVICE, statistic: 'Maximum' }).with(
      props ?? {},
    );
  }

  /** Age of the oldest file waiting in the ingest queue. */
  public metricOldestQueuedFileAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.ingestQueue.queue.metricApproximateAgeOfOldestMessage(props);
  }

  /** Messages in the dead-letter queue: files that failed on every retry. */
  public metricDeadLetterQueueDepth(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.ingestQueue.deadLetterQueue.metricApproximateNumberOfMessagesVisible(props);
  }

  /** Failed ingest invocations (infrastructure errors). */
  public metricIngestErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.ingest.bronzeFunction.function.metricErrors(props);
  }

  /** In the stack's own scope, `Default` stands for the stack itself (CDK hides it from ids too). */
  private defaultDatabaseName(): string {
    const stackName = Stack.of(this).stackName;
    return snakeCase(this.node.id === 'Default' ? stackName : `${stackName}_${this.node.id}`);
  }
}

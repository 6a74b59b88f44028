import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { BronzeIngest, type BronzeIngestProps, snakeCase } from './bronze-ingest.js';
import type { AccessLogs } from './constructs/access-logs.js';
import type { AthenaWorkgroup } from './constructs/athena-workgroup.js';
import type { BronzeCatalog } from './constructs/bronze-catalog.js';
import type { BronzeStorage } from './constructs/bronze-storage.js';
import type { IngestAlarms } from './constructs/ingest-alarms.js';
import type { IngestFunction } from './constructs/ingest-function.js';
import type { IngestQueue } from './constructs/ingest-queue.js';
import type { LandingStorage } from './constructs/landing-storage.js';
import type { LatestViews } from './constructs/latest-views.js';
import type { LedgerTable } from './constructs/ledger-table.js';
import type { LoadHistoryTable } from './constructs/load-history-table.js';
import type { SourceEvents } from './constructs/source-events.js';
import type { SweepFunction } from './constructs/sweep-function.js';

export interface BronzeIngestStackProps extends StackProps, BronzeIngestProps {
  /**
   * Folder of dataset contracts (`<ingestion_key>.json`); kept for apps written before `datasets`.
   * @default - `datasets`, else the repository's `datasets/` folder
   */
  readonly datasetsDir?: string;
}

/**
 * The deployable app's stack: one `BronzeIngest` and the outputs the CLI and the local harness
 * read. The construct's id is `Default`, which CDK leaves out of logical ids, so every resource
 * keeps the logical id it had when this stack held the resources itself (no bucket, table or
 * queue is replaced on upgrade; test/infra/upgrade.test.ts compares them).
 */
export class BronzeIngestStack extends Stack {
  /** The pipeline this stack deploys. */
  public readonly bronze: BronzeIngest;
  public readonly accessLogs: AccessLogs;
  public readonly landing: LandingStorage;
  public readonly storage: BronzeStorage;
  public readonly ledger: LedgerTable;
  public readonly ingestQueue: IngestQueue;
  public readonly sourceEvents: SourceEvents;
  public readonly ingest: IngestFunction;
  public readonly sweep: SweepFunction;
  public readonly catalog: BronzeCatalog;
  public readonly latestViews: LatestViews;
  public readonly loadHistory: LoadHistoryTable;
  public readonly athena: AthenaWorkgroup;
  public readonly alarms: IngestAlarms;

  constructor(scope: Construct, id: string, props: BronzeIngestStackProps = {}) {
    super(scope, id, props);
    const bronze = new BronzeIngest(this, 'Default', {
      ...props,
      datasets: props.datasets ?? props.datasetsDir,
      glueDatabaseName: props.glueDatabaseName ?? snakeCase(this.stackName),
    });
    this.bronze = bronze;
    this.accessLogs = bronze.accessLogs;
    this.landing = bronze.landing;
    this.storage = bronze.storage;
    this.ledger = bronze.ledger;
    this.ingestQueue = bronze.ingestQueue;
    this.sourceEvents = bronze.sourceEvents;
    this.ingest = bronze.ingest;
    this.sweep = bronze.sweep;
    this.catalog = bronze.catalog;
    this.alarms = bronze.alarms;
    this.latestViews = bronze.latestViews;
    this.loadHistory = bronze.loadHistory;
    this.athena = bronze.athena;

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
      AthenaWorkGroupName: [bronze.athena.workgroup.ref, 'Athena workgroup for querying bronze'],
      ContractDigests: [bronze.contractDigests, 'Digests of the deployed dataset contracts, by dataset'],
    };
    for (const [id, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, id, { value, description });
    }
  }
}

import { type Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BronzeFunction, type BundledFile } from './bronze-function.js';
import type { BronzeStorage } from './bronze-storage.js';
import type { IngestQueue } from './ingest-queue.js';
import type { LandingStorage } from './landing-storage.js';
import { INGEST_LEDGER_ACTIONS, type LedgerTable } from './ledger-table.js';

export interface IngestFunctionProps {
  /** Absolute path of the ingest handler's entry file. */
  readonly entry: string;
  /** Directory holding package-lock.json. */
  readonly projectRoot: string;
  /** The validated contract files shipped in the bundle. */
  readonly datasetFiles: readonly BundledFile[];
  /** Sources the function reads. */
  readonly landing: LandingStorage;
  /** Datasets whose bronze and quarantine prefixes the function writes. */
  readonly ingestionKeys: readonly string[];
  /** Buckets the function writes. */
  readonly storage: BronzeStorage;
  /** The file ledger the function claims and completes files in. */
  readonly ledger: LedgerTable;
  /** The queue the function consumes. */
  readonly queue: IngestQueue;
  /** Longest one batch may take; the queue's visibility timeout must be at least 6x this. */
  readonly timeout: Duration;
  /**
   * Memory in MB.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Messages (files) handed to one invocation.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * Most concurrent invocations the queue drives (2 to 1000).
   * @default 10
   */
  readonly maxConcurrency?: number;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** The function that turns one queued source file into one bronze object and a ledger outcome. */
export class IngestFunction extends Construct {
  /** The wrapped function with its role and log group. */
  public readonly bronzeFunction: BronzeFunction;

  constructor(scope: Construct, id: string, props: IngestFunctionProps) {
    super(scope, id);
    this.bronzeFunction = new BronzeFunction(this, 'Ingest', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      datasetFiles: props.datasetFiles,
      serviceName: 'bronze-ingest',
      description: 'Checks each queued source file against its contract and writes it to bronze once',
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    const fn = this.bronzeFunction.function;
    props.landing.grantReadSources(fn);
    props.landing.grantAfterLoad(fn);
    props.storage.grantWrite(fn, props.ingestionKeys);
    props.ledger.grantItemCalls(fn, INGEST_LEDGER_ACTIONS);
    fn.addEventSource(
      new SqsEventSource(props.queue.queue, {
        batchSize: props.batchSize ?? 10,
        maxConcurrency: props.maxConcurrency ?? 10,
        // One bad file must not send the whole batch back to the queue.
        reportBatchItemFailures: true,
      }),
    );
    const acknowledge = Validations.of(fn);
    acknowledge.acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'The queue invokes the function synchronously, so a function DLQ never receives anything; failed ' +
        'messages go back to the queue and its redrive policy moves them to the dead-letter queue.',
    });
    acknowledge.acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'SQS event source mappings take no on-failure destination (only stream and Kafka sources do); ' +
        "the queue's redrive policy to the dead-letter queue plays that role.",
    });
  }
}

import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/core/config.js';
import { BronzeFunction, type BundledFile } from './bronze-function.js';
import type { BronzeStorage } from './bronze-storage.js';
import type { IngestQueue } from './ingest-queue.js';
import type { LandingStorage } from './landing-storage.js';
import { type LedgerTable, SWEEP_LEDGER_ACTIONS } from './ledger-table.js';

export interface SweepFunctionProps {
  /** Absolute path of the sweep handler's entry file. */
  readonly entry: string;
  /** Directory holding package-lock.json. */
  readonly projectRoot: string;
  /** The validated contract files shipped in the bundle. */
  readonly datasetFiles: readonly BundledFile[];
  /** Sources the sweep lists. */
  readonly landing: LandingStorage;
  /** Bronze and quarantine buckets; the sweep only learns their names. */
  readonly storage: BronzeStorage;
  /** The ledger the sweep compares listings with. */
  readonly ledger: LedgerTable;
  /** The queue the sweep sends files to. */
  readonly queue: IngestQueue;
  /**
   * How often the sweep runs.
   * @default events.Schedule.rate(Duration.minutes(30))
   */
  readonly schedule?: events.Schedule;
  /**
   * Longest one sweep may run.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * Memory in MB.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Most files one run enqueues.
   * @default - the sweep's own default
   */
  readonly maxFiles?: number;
  /**
   * Most bytes of files one run enqueues.
   * @default - the sweep's own default
   */
  readonly maxBytes?: number;
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

/** The scheduled function that enqueues source files the ledger has not completed. */
export class SweepFunction extends Construct {
  /** The wrapped function with its role and log group. */
  public readonly bronzeFunction: BronzeFunction;
  /** The EventBridge schedule that invokes the sweep. */
  public readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: SweepFunctionProps) {
    super(scope, id);
    this.bronzeFunction = new BronzeFunction(this, 'Sweep', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      datasetFiles: props.datasetFiles,
      serviceName: 'bronze-sweep',
      description: 'Lists dataset sources and enqueues files the ledger has not completed',
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.minutes(5),
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    const fn = this.bronzeFunction.function;
    props.landing.grantListSources(fn);
    props.ledger.grantItemCalls(fn, SWEEP_LEDGER_ACTIONS);
    props.queue.grantSend(fn);
    props.storage.addBucketNames(fn);
    if (props.maxFiles !== undefined) fn.addEnvironment(ENV.sweepMaxFiles, String(props.maxFiles));
    if (props.maxBytes !== undefined) fn.addEnvironment(ENV.sweepMaxBytes, String(props.maxBytes));

    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'Runs the bronze sweep',
      schedule: props.schedule ?? events.Schedule.rate(Duration.minutes(30)),
    });
    this.schedule.addTarget(new targets.LambdaFunction(fn, { retryAttempts: 2 }));
    // A missed or failed sweep loses nothing: the next run lists the same prefixes again.
    const reason =
      'A failed or undelivered scheduled sweep needs no replay: the next scheduled run lists the same ' +
      'prefixes and enqueues whatever is still not completed.';
    Validations.of(fn).acknowledge({ id: 'Serverless-LambdaDLQ', reason });
    Validations.of(this.schedule).acknowledge({ id: 'Serverless-EventBusDLQ', reason });
  }
}

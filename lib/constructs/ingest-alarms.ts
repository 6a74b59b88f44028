import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { datasetMetric, SWEEP_SERVICE } from './ingest-metrics.js';

export interface IngestAlarmsProps {
  /** The ingest queue whose oldest message must not grow old. */
  readonly queue: sqs.IQueue;
  /** The dead-letter queue that must stay empty. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The ingest function whose errors are watched. */
  readonly ingestFunction: lambda.IFunction;
  /**
   * Address that receives alarm notifications.
   * @default - no topic and no notifications; the alarms are visible in CloudWatch only
   */
  readonly alarmEmail?: string;
  /** The sweep function whose errors and timeouts are watched. */
  readonly sweepFunction?: lambda.IFunction;
  /** The datasets whose exhausted, rejected and late files are watched, one alarm each. */
  readonly datasets?: readonly string[];
  /**
   * Rejected files of one dataset per hour above which an alarm fires.
   * @default - no alarm on rejected files (a rejection is a data problem with its own report)
   */
  readonly rejectedFilesPerHour?: number;
  /**
   * Files of one dataset landed over an hour ago and still not done (the sweep's backlog) above
   * which, for two hours in a row, an alarm fires.
   * @default 0
   */
  readonly backlogThreshold?: number;
  /**
   * Existing topic the alarms notify.
   * @default - a new topic when `alarmEmail` is given
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Customer managed key of a new topic.
   * @default - a key created for the topic
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Age of the oldest queued message above which ingestion is considered stuck.
   * @default Duration.hours(1)
   */
  readonly oldestMessageAgeThreshold?: Duration;
}

/** Alarms on the signs that files are not getting ingested, optionally mailed through SNS. */
export class IngestAlarms extends Construct {
  /** A message reached the dead-letter queue: a file failed on every retry, or an event was undeliverable. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The ingest function threw (infrastructure errors; data errors end in `rejected`, not here). */
  public readonly errorsAlarm: cloudwatch.Alarm;
  /** Messages wait longer than the threshold: ingestion is stuck or far behind. */
  public readonly oldestMessageAlarm: cloudwatch.Alarm;
  /** The sweep failed or timed out (a timed-out invocation counts as an error). */
  public readonly sweepErrorsAlarm?: cloudwatch.Alarm;
  /** Per dataset: a file failed on every attempt and waits for `bronze reprocess`. */
  public readonly exhaustedAlarms: readonly cloudwatch.Alarm[];
  /** Per dataset: files landed over an hour ago are still not ingested, two hours in a row. */
  public readonly backlogAlarms: readonly cloudwatch.Alarm[];
  /** Per dataset, when a rate was given: more rejected files per hour than that. */
  public readonly rejectedAlarms: readonly cloudwatch.Alarm[];
  /** Every alarm of this construct. */
  public readonly all: readonly cloudwatch.Alarm[];
  /** Alarm notifications, when an address or a topic was given. */
  public readonly topic?: sns.ITopic;

  constructor(scope: Construct, id: string, props: IngestAlarmsProps) {
    super(scope, id);
    const threshold = props.oldestMessageAgeThreshold ?? Duration.hours(1);
    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterQueueNotEmpty', {
      alarmDescription: 'Files or events reached the bronze ingest dead-letter queue',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.errorsAlarm = new cloudwatch.Alarm(this, 'IngestErrors', {
      alarmDescription: 'The bronze ingest function failed invocations',
      metric: props.ingestFunction.metricErrors({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.SUM,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.oldestMessageAlarm = new cloudwatch.Alarm(this, 'OldestMessageAge', {
      alarmDescription: `A queued file has waited more than ${threshold.toHumanString()} for ingestion`,
      metric: props.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: threshold.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const datasets = props.datasets ?? [];
    if (props.sweepFunction) {
      this.sweepErrorsAlarm = new cloudwatch.Alarm(this, 'SweepErrors', {
        alarmDescription: 'The bronze sweep failed or timed out: missed files are not being caught up',
        metric: props.sweepFunction.metricErrors({
          period: Duration.hours(1),
          statistic: cloudwatch.Stats.SUM,
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    this.exhaustedAlarms = datasets.map(
      (dataset) =>
        new cloudwatch.Alarm(this, `FilesExhausted-${dataset}`, {
          alarmDescription: `Files of dataset ${dataset} failed on every attempt; run "bronze reprocess" once fixed`,
          metric: datasetMetric('FilesExhausted', dataset),
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
    );
    const backlogThreshold = props.backlogThreshold ?? 0;
    this.backlogAlarms = datasets.map(
      (dataset) =>
        new cloudwatch.Alarm(this, `SweepBacklog-${dataset}`, {
          alarmDescription: `Files of dataset ${dataset} landed over an hour ago and are still not ingested`,
          metric: datasetMetric('SweepBacklog', dataset, {
            service: SWEEP_SERVICE,
            statistic: cloudwatch.Stats.MINIMUM,
            period: Duration.hours(1),
          }),
          threshold: backlogThreshold,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 2,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
    );
    const rejectedPerHour = props.rejectedFilesPerHour;
    this.rejectedAlarms =
      rejectedPerHour === undefined
        ? []
        : datasets.map(
            (dataset) =>
              new cloudwatch.Alarm(this, `FilesRejected-${dataset}`, {
                alarmDescription: `More than ${rejectedPerHour} files of dataset ${dataset} rejected in an hour`,
                metric: datasetMetric('FilesRejected', dataset, { period: Duration.hours(1) }),
                threshold: rejectedPerHour,
                comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluationPeriods: 1,
                treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
              }),
          );
    this.all = [
      this.deadLetterAlarm,
      this.errorsAlarm,
      this.oldestMessageAlarm,
      ...(this.sweepErrorsAlarm ? [this.sweepErrorsAlarm] : []),
      ...this.exhaustedAlarms,
      ...this.backlogAlarms,
      ...this.rejectedAlarms,
    ];

    this.topic = props.alarmTopic ?? (props.alarmEmail ? this.createTopic(props) : undefined);
    if (props.alarmTopic && props.alarmEmail) {
      props.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    if (this.topic) {
      const action = new actions.SnsAction(this.topic);
      for (const alarm of this.all) alarm.addAlarmAction(action);
    }
  }

  private createTopic(props: IngestAlarmsProps): sns.Topic {
    // A customer managed key: CloudWatch cannot publish to a topic under the AWS managed SNS key.
    const key =
      props.encryptionKey ??
      new kms.Key(this, 'TopicKey', {
        description: 'Encrypts bronze ingest alarm notifications',
        enableKeyRotation: true,
        // The key protects transient notifications only; nothing stored depends on it.
        removalPolicy: RemovalPolicy.DESTROY,
      });
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    const topic = new sns.Topic(this, 'Topic', {
      displayName: 'Bronze ingest alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    Validations.of(topic).acknowledge({
      id: 'Serverless-SNSRedrivePolicy',
      reason:
        'An undeliverable alarm mail has no consumer to replay it to; the alarm state stays in CloudWatch.',
    });
    return topic;
  }
}

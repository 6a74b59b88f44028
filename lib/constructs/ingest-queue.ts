import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/core/config.js';

export interface IngestQueueProps {
  /** How long a received message stays invisible; at least 6x the ingest function timeout. */
  readonly visibilityTimeout: Duration;
  /**
   * Receives of one message before SQS moves it to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * Customer managed key of both queues.
   * @default - SQS-managed keys
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to both queues when they leave the stack (messages in them are files not yet ingested).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The queue between EventBridge (and the sweep) and the ingest function, with its dead-letter queue. */
export class IngestQueue extends Construct {
  /** One message per "Object Created" event or swept file. */
  public readonly queue: sqs.Queue;
  /** Messages whose ingestion failed on every receive, and events EventBridge could not deliver. */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: IngestQueueProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const encryption = props.encryptionKey
      ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey }
      : { encryption: sqs.QueueEncryption.SQS_MANAGED };
    // EventBridge delivers S3 events (and undeliverable ones) into the queues: it needs the key.
    props.encryptionKey?.grantEncryptDecrypt(new iam.ServicePrincipal('events.amazonaws.com'));
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...encryption,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'This is the dead-letter queue: its messages wait for an operator to inspect and redrive them.',
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...encryption,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      // The SQS maximum: a file announced during a long outage is still there when it ends.
      retentionPeriod: Duration.days(14),
      removalPolicy,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
  }

  /** Lets a function enqueue files and tells it the queue URL. */
  public grantSend(fn: lambda.Function): void {
    this.queue.grantSendMessages(fn);
    fn.addEnvironment(ENV.ingestQueueUrl, this.queue.queueUrl);
  }
}

import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/core/config.js';
import { bronzePrefixFor } from '../../lambdas/core/layout.js';
import { acknowledgeWildcardResources } from '../nag.js';
import { hardenedBucket } from './hardened-bucket.js';

export interface BronzeStorageProps {
  /** What happens to the bronze and quarantine buckets when they leave the stack. */
  readonly removalPolicy: RemovalPolicy;
  /** Bucket that receives both buckets' server access logs (needed when one is created). */
  readonly accessLogsBucket?: s3.IBucket;
  /** How long replaced bronze objects and quarantine copies are kept as old versions. */
  readonly noncurrentVersionExpiration: Duration;
  /**
   * Customer managed key of the new buckets.
   * @default - S3-managed keys
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * An existing bucket for bronze Parquet.
   * @default - a new versioned bucket
   */
  readonly bronzeBucket?: s3.IBucket;
  /**
   * An existing bucket for quarantined files.
   * @default - a new versioned bucket
   */
  readonly quarantineBucket?: s3.IBucket;
}

/** Actions that write one object, including the multipart calls a streamed Parquet upload makes. */
// Delete: a rejected or empty new version removes the bronze object an earlier version left.
const WRITE_OBJECT_ACTIONS = ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'];

/**
 * Bronze Parquet and quarantined input, in two buckets rather than two prefixes: Athena and
 * analysts get read access to bronze without ever seeing rejected (possibly malformed or
 * sensitive) input, and each bucket keeps its own policy and lifecycle.
 */
export class BronzeStorage extends Construct {
  /** Bronze Parquet, one object per source file at `<ingestion_key>/<bucket>/<key>.parquet`. */
  public readonly bronzeBucket: s3.IBucket;
  /** Copies of rejected files with their error reports, and set-aside rows. */
  public readonly quarantineBucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: BronzeStorageProps) {
    super(scope, id);
    this.bronzeBucket = props.bronzeBucket ?? this.createBucket('BronzeBucket', 'bronze/', props);
    this.quarantineBucket =
      props.quarantineBucket ?? this.createBucket('QuarantineBucket', 'quarantine/', props);
  }

  private createBucket(id: string, accessLogsPrefix: string, props: BronzeStorageProps): s3.Bucket {
    if (!props.accessLogsBucket) throw new Error(`a new ${id} needs an access log bucket`);
    return hardenedBucket(this, id, {
      removalPolicy: props.removalPolicy,
      accessLogsBucket: props.accessLogsBucket,
      accessLogsPrefix,
      noncurrentVersionExpiration: props.noncurrentVersionExpiration,
      encryptionKey: props.encryptionKey,
    });
  }

  /** Tells a function both bucket names without granting access (its runtime config needs them). */
  public addBucketNames(fn: lambda.Function): void {
    fn.addEnvironment(ENV.bronzeBucket, this.bronzeBucket.bucketName);
    fn.addEnvironment(ENV.quarantineBucket, this.quarantineBucket.bucketName);
  }

  /**
   * Lets a function write (not read or delete) objects under the datasets' prefixes in both
   * buckets (every bronze and quarantine key starts with `<ingestion_key>/`), and names them.
   */
  public grantWrite(fn: lambda.Function, ingestionKeys: readonly string[]): void {
    const objectArns = ingestionKeys.flatMap((key) => [
      this.bronzeBucket.arnForObjects(`${bronzePrefixFor(key)}*`),
      this.quarantineBucket.arnForObjects(`${bronzePrefixFor(key)}*`),
    ]);
    iam.Grant.addToPrincipal({ grantee: fn, actions: WRITE_OBJECT_ACTIONS, resourceArns: objectArns });
    this.addBucketNames(fn);
    acknowledgeWildcardResources(
      fn.role ?? fn,
      objectArns,
      'Bronze and quarantine keys mirror source keys, unknown in advance; a grant covers one dataset prefix.',
    );
  }
}

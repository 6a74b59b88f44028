import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** Options every data bucket of the stack shares. */
export interface HardenedBucketProps {
  /** What happens to the bucket when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
  /** Bucket that receives this bucket's server access logs. */
  readonly accessLogsBucket: s3.IBucket;
  /** Key prefix of this bucket's logs in the log bucket, for example `landing/`. */
  readonly accessLogsPrefix: string;
  /** How long replaced or deleted object versions are kept. */
  readonly noncurrentVersionExpiration: Duration;
  /**
   * Customer managed key that encrypts the objects.
   * @default - S3-managed keys
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * A versioned, private, SSL-only, encrypted bucket with access logs and a lifecycle for old
 * versions and abandoned multipart uploads. Never `autoDeleteObjects`: that is a custom resource.
 */
export function hardenedBucket(scope: Construct, id: string, props: HardenedBucketProps): s3.Bucket {
  return new s3.Bucket(scope, id, {
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    ...(props.encryptionKey
      ? { encryption: s3.BucketEncryption.KMS, encryptionKey: props.encryptionKey, bucketKeyEnabled: true }
      : { encryption: s3.BucketEncryption.S3_MANAGED }),
    removalPolicy: props.removalPolicy,
    serverAccessLogsBucket: props.accessLogsBucket,
    serverAccessLogsPrefix: props.accessLogsPrefix,
    lifecycleRules: [
      {
        id: 'expire-noncurrent-versions',
        noncurrentVersionExpiration: props.noncurrentVersionExpiration,
        // Crashed multipart writes (bronze Parquet, large copies) would otherwise be billed forever.
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ],
  });
}

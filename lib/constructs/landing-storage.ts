import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/core/config.js';
import { type AfterLoad, type Contract, LANDING_BUCKET } from '../../lambdas/core/contract.js';
import { acknowledgeWildcardResources } from '../nag.js';
import { hardenedBucket } from './hardened-bucket.js';

/** One registered source of one dataset, with its bucket resolved to a construct. */
export interface DatasetSource {
  readonly ingestionKey: string;
  readonly bucket: s3.IBucket;
  /** True when the contract names an existing bucket rather than the landing bucket. */
  readonly external: boolean;
  readonly prefix: string;
  readonly suffix: string;
  /** The dataset's after_load, with an archive's bucket resolved to a construct. */
  readonly afterLoad: AfterLoad;
  readonly archiveBucket?: s3.IBucket;
}

/** Rights each after_load needs on the source objects: plain and versioned forms of each call. */
const DELETE_SOURCE = ['s3:DeleteObject', 's3:DeleteObjectVersion'];
const TAG_SOURCE = ['s3:PutObjectTagging', 's3:PutObjectVersionTagging'];
/** CopyObject copies the source's tags by default, which reads them from the source and writes them. */
const READ_SOURCE_TAGS = ['s3:GetObjectTagging', 's3:GetObjectVersionTagging'];
const WRITE_ARCHIVE = ['s3:PutObject', 's3:PutObjectTagging'];

export interface LandingStorageProps {
  /** The validated dataset contracts; their sources decide which buckets and prefixes are read. */
  readonly contracts: readonly Contract[];
  /** What happens to the landing bucket when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
  /** Bucket that receives the landing bucket's server access logs (needed when one is created). */
  readonly accessLogsBucket?: s3.IBucket;
  /** How long overwritten or deleted source versions are kept. */
  readonly noncurrentVersionExpiration: Duration;
  /**
   * An existing landing bucket to use instead of creating one; its owner turns on its EventBridge
   * notifications, as for the buckets contracts name.
   * @default - a new versioned bucket with EventBridge notifications on
   */
  readonly bucket?: s3.IBucket;
  /**
   * Customer managed key of a new landing bucket.
   * @default - S3-managed keys
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The landing bucket and every dataset source, including existing buckets named by contracts.
 *
 * Existing buckets are imported by name; the stack cannot switch on their EventBridge
 * notifications without a custom resource, so their owner runs once per bucket:
 *   aws s3api put-bucket-notification-configuration --bucket <name> \
 *     --notification-configuration '{"EventBridgeConfiguration":{}}'
 * (this replaces the bucket's notification configuration: merge any existing entries into it).
 * Until then, the scheduled sweep still picks their files up. Objects encrypted with a customer
 * managed KMS key also need kms:Decrypt granted on that key to the ingest and sweep roles.
 */
export class LandingStorage extends Construct {
  /** Versioned landing bucket that publishes "Object Created" events to EventBridge. */
  public readonly bucket: s3.IBucket;
  /** Every (dataset, bucket, prefix, suffix) the stack ingests from. */
  public readonly sources: readonly DatasetSource[];

  constructor(scope: Construct, id: string, props: LandingStorageProps) {
    super(scope, id);
    this.bucket = props.bucket ?? this.createBucket(props);

    const imported = new Map<string, s3.IBucket>();
    const importBucket = (name: string): s3.IBucket => {
      let bucket = imported.get(name);
      if (!bucket) {
        bucket = s3.Bucket.fromBucketName(this, `Source-${name}`, name);
        imported.set(name, bucket);
      }
      return bucket;
    };
    this.sources = props.contracts.flatMap((contract) =>
      contract.sources.map((source) => {
        const external = source.bucket !== LANDING_BUCKET;
        const bucket = external ? importBucket(source.bucket) : this.bucket;
        const afterLoad = contract.after_load;
        const archiveName = afterLoad.action === 'archive' ? afterLoad.bucket : undefined;
        return {
          ingestionKey: contract.ingestion_key,
          bucket,
          external,
          prefix: source.prefix,
          suffix: source.suffix,
          afterLoad,
          ...(afterLoad.action === 'archive'
            ? {
                archiveBucket:
                  archiveName === undefined
                    ? bucket
                    : archiveName === LANDING_BUCKET
                      ? this.bucket
                      : importBucket(archiveName),
              }
            : {}),
        };
      }),
    );
  }

  private createBucket(props: LandingStorageProps): s3.Bucket {
    if (!props.accessLogsBucket) throw new Error('a new landing bucket needs an access log bucket');
    const bucket = hardenedBucket(this, 'Bucket', {
      removalPolicy: props.removalPolicy,
      accessLogsBucket: props.accessLogsBucket,
      accessLogsPrefix: 'landing/',
      noncurrentVersionExpiration: props.noncurrentVersionExpiration,
      encryptionKey: props.encryptionKey,
    });
    // The L2 `eventBridgeEnabled` prop is implemented with the Custom::S3BucketNotifications
    // resource; the native CloudFormation property does the same without one.
    const cfnBucket = bucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    return bucket;
  }

  /**
   * Lets a function read (and version-read) objects under the registered prefixes, and list the
   * source buckets, and tells it the landing bucket's name.
   */
  public grantReadSources(fn: lambda.Function): void {
    const objectArns = new Set<string>();
    for (const source of this.sources) objectArns.add(source.bucket.arnForObjects(`${source.prefix}*`));
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resourceArns: [...objectArns],
    });
    // IfExists: S3 checks ListBucket, with no prefix in the request, when it decides whether a
    // HEAD or GET of a missing key answers 404 or 403, and the ingest must see 404 (a file deleted
    // after it landed is ignored, not retried into the dead-letter queue). A real listing carries
    // a prefix and is held to the datasets' prefixes.
    this.grantList(fn, 'StringLikeIfExists');
    fn.addEnvironment(ENV.landingBucket, this.bucket.bucketName);
    acknowledgeWildcardResources(
      fn.role ?? fn,
      objectArns,
      'Source file names are not known in advance: the grant covers the keys under each registered prefix.',
    );
  }

  /**
   * Lets a function apply each dataset's after_load: delete or tag rights only on the source
   * prefixes of the datasets that use them, and put rights only under their archive prefixes.
   */
  public grantAfterLoad(fn: lambda.Function): void {
    const arnsByActions = new Map<string, Set<string>>();
    const allow = (actions: readonly string[], arn: string) => {
      const key = actions.join(' ');
      arnsByActions.set(key, (arnsByActions.get(key) ?? new Set<string>()).add(arn));
    };
    for (const source of this.sources) {
      const objects = source.bucket.arnForObjects(`${source.prefix}*`);
      const afterLoad = source.afterLoad;
      if (afterLoad.action === 'delete') allow(DELETE_SOURCE, objects);
      if (afterLoad.action === 'tag') allow(TAG_SOURCE, objects);
      if (afterLoad.action === 'archive' && source.archiveBucket) {
        allow(DELETE_SOURCE, objects);
        allow(READ_SOURCE_TAGS, objects);
        allow(WRITE_ARCHIVE, source.archiveBucket.arnForObjects(`${afterLoad.prefix}${source.prefix}*`));
      }
    }
    for (const [actions, arns] of arnsByActions) {
      iam.Grant.addToPrincipal({ grantee: fn, actions: actions.split(' '), resourceArns: [...arns] });
      acknowledgeWildcardResources(
        fn.role ?? fn,
        arns,
        'Source file names are not known in advance: after_load acts on the keys under each prefix that uses it.',
      );
    }
  }

  /** Lets a function list the registered prefixes only (the sweep reads no object), and names the landing bucket. */
  public grantListSources(fn: lambda.Function): void {
    this.grantList(fn, 'StringLike');
    fn.addEnvironment(ENV.landingBucket, this.bucket.bucketName);
  }

  /** s3:ListBucket on each source bucket, conditioned on that bucket's registered prefixes. */
  private grantList(fn: lambda.Function, operator: 'StringLike' | 'StringLikeIfExists'): void {
    const prefixesByBucket = new Map<s3.IBucket, Set<string>>();
    for (const source of this.sources) {
      const prefixes = prefixesByBucket.get(source.bucket) ?? new Set<string>();
      prefixes.add(`${source.prefix}*`);
      prefixesByBucket.set(source.bucket, prefixes);
    }
    for (const [bucket, prefixes] of prefixesByBucket) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { [operator]: { 's3:prefix': [...prefixes].sort() } },
        }),
      );
    }
  }
}

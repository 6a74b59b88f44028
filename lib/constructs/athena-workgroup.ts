import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { hardenedBucket } from './hardened-bucket.js';

export interface AthenaWorkgroupProps {
  /** Workgroup name. */
  readonly name: string;
  /** Where the results bucket logs its access. */
  readonly accessLogsBucket: s3.IBucket;
  /** Results are temporary: expired after this many days. Default: 30. */
  readonly resultsExpirationDays?: number;
  /** Default: RETAIN. */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The workgroup a data team queries bronze in: results in a bucket of their own, encrypted
 * (SSE-S3), expired after a while, with the configuration enforced so a client cannot send
 * results elsewhere or unencrypted.
 */
export class AthenaWorkgroup extends Construct {
  /** The workgroup. */
  public readonly workgroup: athena.CfnWorkGroup;
  /** The bucket of query results. */
  public readonly resultsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AthenaWorkgroupProps) {
    super(scope, id);
    const expiration = Duration.days(props.resultsExpirationDays ?? 30);
    this.resultsBucket = hardenedBucket(this, 'Results', {
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      accessLogsBucket: props.accessLogsBucket,
      accessLogsPrefix: 'athena-results/',
      noncurrentVersionExpiration: Duration.days(1),
    });
    this.resultsBucket.addLifecycleRule({ id: 'expire-query-results', expiration });
    this.workgroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: props.name,
      description: 'Queries over the bronze tables, their latest views and load history',
      state: 'ENABLED',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
  }
}

import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface AccessLogsProps {
  /** What happens to the log bucket when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * How long access log objects are kept.
   * @default Duration.days(90)
   */
  readonly retention?: Duration;
}

/** The bucket that receives S3 server access logs of every data bucket (who read or wrote which file). */
export class AccessLogs extends Construct {
  /** Target of the data buckets' server access logs. */
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AccessLogsProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // With ACLs disabled, CDK grants the S3 logging service through the bucket policy instead.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      // Server access log delivery supports only S3-managed keys on the target bucket.
      encryption: s3.BucketEncryption.S3_MANAGED,
      removalPolicy: props.removalPolicy,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: props.retention ?? Duration.days(90) }],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access log target; logging it into itself would loop and another bucket adds nothing.',
    });
  }
}

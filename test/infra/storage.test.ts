import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { logicalId, resourcesOfType, type Synthesized, synthesize } from './synth.js';

let s: Synthesized;
let dataBuckets: string[];
beforeAll(() => {
  s = synthesize();
  dataBuckets = [s.stack.landing.bucket, s.stack.storage.bronzeBucket, s.stack.storage.quarantineBucket].map(
    logicalId,
  );
});

describe('buckets', () => {
  it('every bucket blocks public access and encrypts with S3-managed keys', () => {
    const buckets = resourcesOfType(s.template, 'AWS::S3::Bucket');
    // Landing, bronze, quarantine, access logs and Athena query results.
    expect(Object.keys(buckets)).toHaveLength(5);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      });
    }
  });

  it('every bucket policy denies requests that do not use TLS', () => {
    const policies = Object.values(resourcesOfType(s.template, 'AWS::S3::BucketPolicy'));
    const guarded = policies
      .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('"aws:SecureTransport":"false"'))
      .map((p) => (p.Properties.Bucket as { Ref: string }).Ref);
    expect(guarded.sort()).toEqual(Object.keys(resourcesOfType(s.template, 'AWS::S3::Bucket')).sort());
  });

  it('the landing bucket is versioned and publishes its events to EventBridge natively', () => {
    s.template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      }),
    });
    expect(logicalId(s.stack.landing.bucket)).toMatch(/^LandingBucket/);
  });

  it('landing, bronze and quarantine buckets expire old versions and abandoned multipart uploads', () => {
    const buckets = resourcesOfType(s.template, 'AWS::S3::Bucket');
    for (const id of dataBuckets) {
      expect(buckets[id]?.Properties).toMatchObject({
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: [
            {
              NoncurrentVersionExpiration: { NoncurrentDays: 30 },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
              Status: 'Enabled',
            },
          ],
        },
      });
    }
  });

  it('landing, bronze and quarantine buckets send server access logs to the log bucket', () => {
    const logBucket = logicalId(s.stack.accessLogs!.bucket);
    const buckets = resourcesOfType(s.template, 'AWS::S3::Bucket');
    for (const id of dataBuckets) {
      expect(buckets[id]?.Properties.LoggingConfiguration).toMatchObject({
        DestinationBucketName: { Ref: logBucket },
      });
    }
  });

  it('data buckets and the ledger table are retained when the stack is deleted', () => {
    const retained = [...dataBuckets, logicalId(s.stack.ledger.table)];
    const all = {
      ...resourcesOfType(s.template, 'AWS::S3::Bucket'),
      ...resourcesOfType(s.template, 'AWS::DynamoDB::Table'),
    };
    for (const id of retained) {
      expect(all[id]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
  });
});

describe('ledger table', () => {
  it('is keyed by ingestion_key and file_path', () => {
    s.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'ingestion_key', KeyType: 'HASH' },
        { AttributeName: 'file_path', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'ingestion_key', AttributeType: 'S' },
        { AttributeName: 'file_path', AttributeType: 'S' },
      ]),
    });
  });

  it('bills on demand, keeps point-in-time recovery and is encrypted', () => {
    s.template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('expires items by their expires_at attribute', () => {
    s.template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
    });
  });

  it("has a by_status index that lists a dataset's files by status and time", () => {
    s.template.hasResourceProperties('AWS::DynamoDB::Table', {
      AttributeDefinitions: Match.arrayWith([{ AttributeName: 'status_at', AttributeType: 'S' }]),
      GlobalSecondaryIndexes: [
        {
          IndexName: 'by_status',
          KeySchema: [
            { AttributeName: 'ingestion_key', KeyType: 'HASH' },
            { AttributeName: 'status_at', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });
});

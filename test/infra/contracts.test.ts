import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, contractFixture, logicalId, type Synthesized, scratchDir, synthesize } from './synth.js';

describe('dataset contracts at synth time', () => {
  it('an invalid contract fails synth with a message naming the file and the field', () => {
    expect(() => buildApp({ props: { datasetsDir: contractFixture('invalid') } })).toThrow(
      /invalid dataset contract .*orders\.json: columns\.1\.type: /,
    );
  });

  it('a folder without contracts fails synth instead of deploying a stack that ingests nothing', () => {
    const empty = scratchDir('no-contracts-');
    expect(() => buildApp({ props: { datasetsDir: empty } })).toThrow(/no dataset contracts/);
  });
});

describe('a dataset with a source in an existing bucket', () => {
  const EXTERNAL_BUCKET = 'partner-drop-zone';
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize({ props: { datasetsDir: contractFixture('external') } });
  });

  it('gets a rule of its own for that bucket, prefix and suffix, sending to the ingest queue', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: { name: [EXTERNAL_BUCKET] },
          object: { key: [{ wildcard: 'exports/orders/*.csv' }] },
        },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(s.stack.ingestQueue.queue), 'Arn'] } })],
    });
  });

  it('keeps its landing source on the landing bucket rule', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: {
          bucket: { name: [{ Ref: logicalId(s.stack.landing.bucket) }] },
          object: { key: [{ wildcard: 'partner-resend/*.csv' }] },
        },
      }),
    });
  });

  it('lets the ingest function read that bucket only under the registered prefix', () => {
    const bucketArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${EXTERNAL_BUCKET}`]] };
    const objectsArn = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${EXTERNAL_BUCKET}/exports/orders/*`]],
    };
    s.template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(s.stack.ingest.bronzeFunction.role) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['s3:GetObject', 's3:GetObjectVersion'],
            Resource: Match.arrayWith([objectsArn]),
          }),
          Match.objectLike({
            Action: 's3:ListBucket',
            Resource: bucketArn,
            Condition: { StringLikeIfExists: { 's3:prefix': ['exports/orders/*'] } },
          }),
        ]),
      },
    });
  });

  it('needs no cdk-nag acknowledgement beyond the named wildcard resources', () => {
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      expect(pack.validateScope(s.app).violations.map((v) => v.ruleName)).toEqual([]);
    }
  });

  it('still gets a Glue table, with lower-cased column names', () => {
    s.template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'partner_orders',
        StorageDescriptor: Match.objectLike({
          Columns: Match.arrayWith([
            { Name: 'order_id', Type: 'bigint' },
            { Name: 'placed_at', Type: 'timestamp' },
            { Name: 'amount', Type: 'double' },
            { Name: 'gift', Type: 'boolean' },
            { Name: 'note', Type: 'string' },
          ]),
        }),
      }),
    });
  });
});

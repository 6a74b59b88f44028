import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyWildcard } from '../../lib/constructs/source-events.js';
import { logicalId, resourcesOfType, type Synthesized, synthesize } from './synth.js';

let s: Synthesized;
let queue: string;
let deadLetterQueue: string;
beforeAll(() => {
  s = synthesize();
  queue = logicalId(s.stack.ingestQueue.queue);
  deadLetterQueue = logicalId(s.stack.ingestQueue.deadLetterQueue);
});

describe('source events', () => {
  it('one rule matches "Object Created" events of the landing bucket under each prefix and suffix', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: { name: [{ Ref: logicalId(s.stack.landing.bucket) }] },
          object: {
            key: [
              { wildcard: 'customers/*.csv' },
              { wildcard: 'orders/*.csv' },
              { wildcard: 'partners/orders/*.csv.gz' },
            ],
          },
        },
      },
    });
  });

  it('the rule sends to the ingest queue, and what it cannot deliver to the dead-letter queue', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.s3'] }),
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [queue, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [deadLetterQueue, 'Arn'] } },
        }),
      ],
    });
  });

  it('the ingest queue accepts messages from EventBridge only for the source rule', () => {
    const rule = logicalId(s.stack.sourceEvents.rules[0]!);
    s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['sqs:SendMessage']),
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [rule, 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  it('a "*" or "\\" in a prefix or suffix is escaped, so it matches only itself', () => {
    expect(keyWildcard('a*b/', '.c\\sv')).toBe('a\\*b/*.c\\\\sv');
  });
});

describe('ingest queue', () => {
  it('moves a message to the dead-letter queue after 5 receives', () => {
    s.template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterQueue, 'Arn'] }, maxReceiveCount: 5 },
    });
  });

  it('the dead-letter queue keeps messages for 14 days', () => {
    expect(resourcesOfType(s.template, 'AWS::SQS::Queue')[deadLetterQueue]?.Properties).toMatchObject({
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('both queues are encrypted with SQS-managed keys and refuse requests without TLS', () => {
    for (const id of [queue, deadLetterQueue]) {
      expect(resourcesOfType(s.template, 'AWS::SQS::Queue')[id]?.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
      });
      s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('hides a received message for at least six times the ingest function timeout', () => {
    const fn = resourcesOfType(s.template, 'AWS::Lambda::Function')[
      logicalId(s.stack.ingest.bronzeFunction.function)
    ];
    const visibility = resourcesOfType(s.template, 'AWS::SQS::Queue')[queue]?.Properties.VisibilityTimeout;
    expect(visibility).toBeGreaterThanOrEqual(6 * (fn?.Properties.Timeout as number));
  });
});

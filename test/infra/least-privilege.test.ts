import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cx from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { BronzeIngestStack } from '../../lib/bronze-ingest-stack.js';
import { writeContractsCommand } from '../../lib/constructs/bronze-function.js';
import {
  contractFixture,
  logicalId,
  PROJECT_ROOT,
  type Synthesized,
  scratchDir,
  synthesize,
} from './synth.js';

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

let s: Synthesized;
beforeAll(() => {
  s = synthesize();
});

/** Every statement of the policies attached to a role. */
function statementsOf(role: string): Statement[] {
  const policies = s.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (statement: Statement) => [statement.Action].flat();

/** The statements of a role that allow any action of a service. */
function serviceStatements(role: string, service: string): Statement[] {
  return statementsOf(role).filter((st) => actionsOf(st).some((a) => a.startsWith(`${service}:`)));
}

const ingestRole = () => logicalId(s.stack.ingest.bronzeFunction.role);
const sweepRole = () => logicalId(s.stack.sweep.bronzeFunction.role);
const table = () => ({ 'Fn::GetAtt': [logicalId(s.stack.ledger.table), 'Arn'] });

describe('least privilege', () => {
  it('the ingest role may only get, put and update ledger items, on the table and not its index', () => {
    expect(serviceStatements(ingestRole(), 'dynamodb')).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: table(),
      },
    ]);
  });

  it('the sweep role may only batch-get, get, put and update ledger items, on the table and not its index', () => {
    expect(serviceStatements(sweepRole(), 'dynamodb')).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: table(),
      },
    ]);
  });

  it("the sweep may list the landing bucket only under the datasets' prefixes", () => {
    const lists = serviceStatements(sweepRole(), 's3');
    expect(lists).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [logicalId(s.stack.landing.bucket), 'Arn'] },
        Condition: { StringLike: { 's3:prefix': ['customers/*', 'orders/*', 'partners/orders/*'] } },
      },
    ]);
  });

  it("the ingest may list only under the datasets' prefixes, or with no prefix (S3's 404 check)", () => {
    const lists = serviceStatements(ingestRole(), 's3').filter((st) =>
      actionsOf(st).includes('s3:ListBucket'),
    );
    expect(lists).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [logicalId(s.stack.landing.bucket), 'Arn'] },
        Condition: { StringLikeIfExists: { 's3:prefix': ['customers/*', 'orders/*', 'partners/orders/*'] } },
      },
    ]);
  });
});

describe('after_load grants', () => {
  let a: Synthesized;
  beforeAll(() => {
    a = synthesize({ props: { datasetsDir: contractFixture('after-load') } });
  });
  const CLEAN_UP_ACTIONS = [
    's3:DeleteObjectVersion',
    's3:GetObjectTagging',
    's3:GetObjectVersionTagging',
    's3:PutObjectTagging',
    's3:PutObjectVersionTagging',
  ];
  const landing = (prefix: string) => ({
    'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(a.stack.landing.bucket), 'Arn'] }, `/${prefix}`]],
  });
  const named = (path: string) => ({
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${path}`]],
  });

  it('delete, tag and archive rights go only to the datasets that use them, on their sources and archive prefixes', () => {
    const role = logicalId(a.stack.ingest.bronzeFunction.role);
    const policies = a.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } });
    const cleanUp = Object.values(policies)
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
      .filter((st) => actionsOf(st).some((action) => CLEAN_UP_ACTIONS.includes(action)));
    expect(cleanUp).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
        Resource: [named('partner-drop-zone/exports/*'), landing('archived/*'), landing('deleted/*')],
      },
      {
        Effect: 'Allow',
        Action: ['s3:GetObjectTagging', 's3:GetObjectVersionTagging'],
        Resource: [named('partner-drop-zone/exports/*'), landing('archived/*')],
      },
      {
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:PutObjectTagging'],
        Resource: [named('partner-archive/done/exports/*'), landing('archive/archived/*')],
      },
      {
        Effect: 'Allow',
        Action: ['s3:PutObjectTagging', 's3:PutObjectVersionTagging'],
        Resource: landing('tagged/*'),
      },
    ]);
  });

  it('datasets that keep their sources give the ingest role no right to delete, tag or put there', () => {
    const landingArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(s.stack.landing.bucket), 'Arn'] });
    const onLanding = statementsOf(ingestRole()).filter((st) =>
      JSON.stringify(st.Resource).includes(landingArn),
    );
    expect(onLanding.flatMap(actionsOf).sort()).toEqual([
      's3:GetObject',
      's3:GetObjectVersion',
      's3:ListBucket',
    ]);
  });
});

describe('safe defaults', () => {
  it('the ledger table has deletion protection', () => {
    s.template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
  });

  it('the ingest queue keeps messages 14 days, the SQS maximum', () => {
    expect(
      s.template.findResources('AWS::SQS::Queue', {
        Properties: Match.objectLike({ MessageRetentionPeriod: 1_209_600 }),
      }),
    ).toHaveProperty(logicalId(s.stack.ingestQueue.queue));
  });

  it('both queues are retained when the stack is deleted or they are replaced', () => {
    const queues = s.template.findResources('AWS::SQS::Queue');
    for (const queue of [s.stack.ingestQueue.queue, s.stack.ingestQueue.deadLetterQueue]) {
      expect(queues[logicalId(queue)]).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    }
  });

  it('the runtime acknowledgement says what the tests run on, not that they run on the Lambda runtime', () => {
    const reasons = s.app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .filter(([id]) => /LambdaLatestVersion|AwsSolutions-L1/.test(id))
      .map(([, reason]) => reason);
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) {
      expect(reason).not.toMatch(/tested on nodejs22/);
      expect(reason).toMatch(/Node\.js of the build machine/);
    }
  });
});

describe('bundling the contracts', () => {
  it('the bundling command is a fixed script with base64 arguments: nothing a shell would expand', () => {
    const command = writeContractsCommand('/out/$(touch pwned)', [
      { name: 'a.json', text: '`id` $HOME \'"' },
    ]);
    expect(command).toMatch(/^node -e '[^'$`\\]*'( [A-Za-z0-9+/=]+)+$/);
  });

  it('run by a shell, it writes the contracts byte for byte and runs nothing in their names or paths', () => {
    const root = scratchDir('hooks-');
    const out = join(root, 'out $(touch pwned) `touch pwned2`');
    const text = '{ "x": "$(touch pwned3) `id` \' \\" é" }\n';
    execFileSync('bash', ['-c', writeContractsCommand(out, [{ name: 'orders.json', text }])], { cwd: root });
    expect(readFileSync(join(out, 'datasets', 'orders.json'), 'utf8')).toBe(text);
    expect(readdirSync(root).filter((f) => f.startsWith('pwned'))).toEqual([]);
    expect(existsSync(join(root, 'pwned3'))).toBe(false);
  });
});

describe('CDK feature flags', () => {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };

  it('cdk.json sets every flag aws-cdk-lib recommends for a new app, to its recommended value', () => {
    expect(cdkJson.context).toMatchObject(cx.CURRENTLY_RECOMMENDED_FLAGS);
  });

  it('the flags change nothing in the template of an existing deployment', () => {
    /** The flags cdk.json had before it took all recommended ones. */
    const earlier = [
      '@aws-cdk/aws-lambda:recognizeLayerVersion',
      '@aws-cdk/core:checkSecretUsage',
      '@aws-cdk/aws-iam:minimizePolicies',
      '@aws-cdk/aws-s3:createDefaultLoggingPolicy',
      '@aws-cdk/aws-sqs:dlqEncryption',
      '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy',
    ];
    const template = (context: Record<string, unknown>) => {
      const app = new App({
        outdir: scratchDir('flags-'),
        builtinCloudFormationValidation: false,
        context: { ...context, 'aws:cdk:bundling-stacks': [] },
      });
      return Template.fromStack(
        new BronzeIngestStack(app, 'BronzeIngest', { alarmEmail: 'a@example.com' }),
      ).toJSON();
    };
    const before = template(Object.fromEntries(earlier.map((flag) => [flag, true])));
    expect(template(cdkJson.context)).toEqual(before);
  });
});

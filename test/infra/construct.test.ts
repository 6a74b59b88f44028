import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvoicesStack } from '../../examples/own-app.js';
import { BronzeIngest } from '../../lib/index.js';
import { contractFixture, logicalId, PROJECT_ROOT, scratchDir } from './synth.js';

/** An app that skips Lambda bundling, as the other infra tests do. */
function testApp(): App {
  return new App({
    outdir: scratchDir('cdk.out-'),
    // As in synth.ts: aws-cdk-lib's template validation costs about 10 s a synth.
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [] },
  });
}

describe('two BronzeIngest instances in one foreign stack', () => {
  let stack: Stack;
  let first: BronzeIngest;
  let second: BronzeIngest;
  let template: Template;
  beforeAll(() => {
    stack = new Stack(testApp(), 'DataPlatform');
    first = new BronzeIngest(stack, 'Shop', { datasets: join(PROJECT_ROOT, 'datasets') });
    second = new BronzeIngest(stack, 'Partners', { datasets: contractFixture('external') });
    template = Template.fromStack(stack);
  });

  it('each has its own ledger table, ingest queue, dead-letter queue and two functions', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.resourceCountIs('AWS::SQS::Queue', 4);
    template.resourceCountIs('AWS::Lambda::Function', 4);
    const ids = (b: BronzeIngest) => [
      logicalId(b.ledger.table),
      logicalId(b.ingestQueue.queue),
      logicalId(b.ingest.bronzeFunction.function),
      logicalId(b.sweep.bronzeFunction.function),
    ];
    const [a, b] = [ids(first), ids(second)];
    for (const id of a) expect(b).not.toContain(id);
  });

  it('each ingests its own datasets: its Glue tables and its contracts', () => {
    expect(first.contracts.map((c) => c.ingestion_key)).toEqual(['customers', 'orders']);
    expect(second.contracts.map((c) => c.ingestion_key)).toEqual(['partner_orders']);
    expect([...second.catalog.tables.keys()]).toEqual(['partner_orders']);
  });

  it('their Glue databases get different names from the stack name and the construct id', () => {
    template.hasResourceProperties('AWS::Glue::Database', {
      DatabaseInput: Match.objectLike({ Name: 'data_platform_shop' }),
    });
    template.hasResourceProperties('AWS::Glue::Database', {
      DatabaseInput: Match.objectLike({ Name: 'data_platform_partners' }),
    });
  });

  it('no two resources of the template share a physical name', () => {
    const physical = /^(BucketName|TableName|QueueName|FunctionName|RoleName|LogGroupName|TopicName|Name)$/;
    const names = Object.values(
      template.toJSON().Resources as Record<string, { Type: string; Properties?: object }>,
    ).flatMap((r) => {
      const props = (r.Properties ?? {}) as Record<string, unknown>;
      const input = props.DatabaseInput as { Name?: unknown } | undefined;
      const glue = typeof input?.Name === 'string' ? [['DatabaseInput.Name', input.Name] as const] : [];
      return [...Object.entries(props).filter(([k]) => physical.test(k)), ...glue]
        .filter(([, v]) => typeof v === 'string')
        .map(([k, v]) => `${r.Type} ${k}=${String(v)}`);
    });
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('using BronzeIngest from another CDK app', () => {
  let stack: InvoicesStack;
  let template: Template;
  beforeAll(() => {
    stack = new InvoicesStack(testApp(), 'Invoices');
    template = Template.fromStack(stack);
  });

  it('the README example synthesizes with contracts given inline', () => {
    expect(stack.invoices.contracts.map((c) => c.ingestion_key)).toEqual(['invoices']);
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 2048 });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
  });

  it('grantReadBronze and grantReadLedger give the role read access to bronze and the ledger only', () => {
    const role = logicalId(stack.node.findChild('Analysts'));
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: role }] },
    });
    const actions = Object.values(policies)
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>)
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions.some((a) => /^s3:(Put|Delete)/.test(a))).toBe(false);
    expect(actions.some((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a))).toBe(false);
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject*', 'dynamodb:Query', 'dynamodb:GetItem']));
  });

  it('the README shows the example file verbatim', () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    const example = readFileSync(join(PROJECT_ROOT, 'examples/own-app.ts'), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

  it('an invalid inline contract fails the synth naming the field', () => {
    expect(
      () =>
        new BronzeIngest(new Stack(testApp(), 'Broken'), 'Broken', {
          datasets: [{ ingestion_key: 'x', sources: [], columns: [] } as never],
        }),
    ).toThrow(/datasets\[0\]/);
  });
});

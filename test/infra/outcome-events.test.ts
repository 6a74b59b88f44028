import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvoicesStack } from '../../examples/own-app.js';
import { BronzeIngest } from '../../lib/index.js';
import { logicalId, type Synthesized, scratchDir, synthesize } from './synth.js';

/** An app that skips Lambda bundling, as the other infra tests do. */
function testApp(): App {
  return new App({
    outdir: scratchDir('cdk.out-'),
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [] },
  });
}

/** The PutEvents statements of a role's policies. */
function putEventsStatements(template: Template, role: string): unknown[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } });
  return Object.values(policies)
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>)
    .filter((s) => [s.Action].flat().includes('events:PutEvents'));
}

let s: Synthesized;
beforeAll(() => {
  s = synthesize();
});

describe('outcome events in the template', () => {
  it('the ingest role may put events on the default bus and nowhere else', () => {
    const statements = putEventsStatements(s.template, logicalId(s.stack.ingest.bronzeFunction.role));
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':events:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':event-bus/default',
            ],
          ],
        },
      },
    ]);
  });

  it('the sweep role may not put events', () => {
    expect(putEventsStatements(s.template, logicalId(s.stack.sweep.bronzeFunction.role))).toEqual([]);
  });

  it('the ingest function is told the bus of the outcome events, the sweep is not', () => {
    const variables = (fn: string) =>
      (s.template.toJSON().Resources[fn].Properties.Environment.Variables ?? {}) as Record<string, unknown>;
    expect(variables(logicalId(s.stack.ingest.bronzeFunction.function)).OUTCOME_EVENT_BUS).toBe('default');
    expect(variables(logicalId(s.stack.sweep.bronzeFunction.function))).not.toHaveProperty(
      'OUTCOME_EVENT_BUS',
    );
  });

  it('with an eventBus prop the events go to that bus, named by ARN', () => {
    const stack = new Stack(testApp(), 'Platform');
    const bus = new events.EventBus(stack, 'Bus');
    const ingest = new BronzeIngest(stack, 'Ingest', { eventBus: bus });
    const template = Template.fromStack(stack);
    const busId = logicalId(bus);
    expect(putEventsStatements(template, logicalId(ingest.ingest.bronzeFunction.role))).toEqual([
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } },
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ OUTCOME_EVENT_BUS: { 'Fn::GetAtt': [busId, 'Arn'] } }) },
    });
  });

  it("the README's rule starts the state machine with the detail of each completed file of its datasets", () => {
    const stack = new InvoicesStack(testApp(), 'Invoices');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['bronze-ingest'],
        'detail-type': ['Bronze File Completed'],
        detail: { dataset: ['invoices'] },
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: logicalId(stack.node.findChild('LoadInvoice')) },
          InputPath: '$.detail',
        }),
      ],
    });
  });
});

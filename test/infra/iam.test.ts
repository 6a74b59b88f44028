import { beforeAll, describe, expect, it } from 'vitest';
import { contractFixture, logicalId, resourcesOfType, type Synthesized, synthesize } from './synth.js';

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

let s: Synthesized;
let statements: Array<{ policy: string; roles: string[]; statement: Statement }>;
beforeAll(() => {
  s = synthesize();
  // Every identity policy: AWS::IAM::Policy resources and policies inline in roles.
  statements = [];
  for (const [id, policy] of Object.entries(resourcesOfType(s.template, 'AWS::IAM::Policy'))) {
    const props = policy.Properties as {
      PolicyDocument: { Statement: Statement[] };
      Roles: Array<{ Ref: string }>;
    };
    for (const statement of props.PolicyDocument.Statement) {
      statements.push({ policy: id, roles: props.Roles.map((r) => r.Ref), statement });
    }
  }
  for (const [id, role] of Object.entries(resourcesOfType(s.template, 'AWS::IAM::Role'))) {
    const inline = (role.Properties?.Policies ?? []) as Array<{ PolicyDocument: { Statement: Statement[] } }>;
    for (const policy of inline) {
      for (const statement of policy.PolicyDocument.Statement)
        statements.push({ policy: id, roles: [id], statement });
    }
  }
});

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The logical ids a resource expression refers to (Ref and Fn::GetAtt), found anywhere inside it. */
function referencedIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (value !== null && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if (typeof node.Ref === 'string') return [node.Ref];
    if (Array.isArray(node['Fn::GetAtt'])) return [node['Fn::GetAtt'][0] as string];
    return Object.values(node).flatMap(referencedIds);
  }
  return [];
}

/** Actions a role is allowed, across all its statements. */
function actionsOf(role: string): string[] {
  return [
    ...new Set(statements.filter((e) => e.roles.includes(role)).flatMap((e) => asList(e.statement.Action))),
  ].sort();
}

const isDataAction = (action: string) => action.startsWith('s3:') || action.startsWith('dynamodb:');

describe('IAM', () => {
  it('no statement allows S3 or DynamoDB actions on "*"', () => {
    const offending = statements.filter(
      ({ statement }) =>
        asList(statement.Action).some(isDataAction) && asList(statement.Resource).some((r) => r === '*'),
    );
    expect(offending).toEqual([]);
  });

  it('no statement uses a service-wide action wildcard such as "s3:*"', () => {
    const wildcards = statements
      .flatMap(({ statement }) => asList(statement.Action))
      .filter((a) => a.endsWith(':*'));
    expect(wildcards).toEqual([]);
  });

  it('every S3 and DynamoDB statement names only resources of this stack', () => {
    const own = new Set(Object.keys(s.template.toJSON().Resources as Record<string, unknown>));
    for (const { statement } of statements.filter((e) => asList(e.statement.Action).some(isDataAction))) {
      for (const resource of asList(statement.Resource)) {
        const ids = referencedIds(resource);
        expect(ids.length, JSON.stringify(resource)).toBeGreaterThan(0);
        for (const id of ids) expect(own.has(id), `${id} in ${JSON.stringify(resource)}`).toBe(true);
      }
    }
  });

  it('the ingest role may read sources, write objects, use the ledger, consume the queue and log', () => {
    expect(actionsOf(logicalId(s.stack.ingest.bronzeFunction.role))).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'events:PutEvents',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:AbortMultipartUpload',
        's3:DeleteObject',
        's3:GetObject',
        's3:GetObjectVersion',
        's3:ListBucket',
        's3:PutObject',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
  });

  it("the ingest role writes bronze and quarantine only under the datasets' prefixes", () => {
    const role = logicalId(s.stack.ingest.bronzeFunction.role);
    const writes = statements.filter(
      (e) => e.roles.includes(role) && asList(e.statement.Action).includes('s3:PutObject'),
    );
    const targets = writes.flatMap((e) => asList(e.statement.Resource)).map((r) => JSON.stringify(r));
    const bronze = logicalId(s.stack.storage.bronzeBucket);
    const quarantine = logicalId(s.stack.storage.quarantineBucket);
    const objects = (bucket: string, prefix: string) =>
      JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${prefix}`]] });
    const expected = [
      ...[bronze, quarantine].flatMap((bucket) =>
        ['customers/*', 'orders/*'].map((prefix) => objects(bucket, prefix)),
      ),
      objects(bronze, '_load_history/*'),
    ];
    expect(targets.sort()).toEqual(expected.sort());
  });

  it('the ingest role may only PutObject under the load history prefix', () => {
    const role = logicalId(s.stack.ingest.bronzeFunction.role);
    const history = statements.filter(
      (e) =>
        e.roles.includes(role) &&
        asList(e.statement.Resource).some((r) => JSON.stringify(r).includes('/_load_history/')),
    );
    expect(history.map((e) => e.statement.Action)).toEqual(['s3:PutObject']);
  });

  it('the sweep role may list and read sources, use the ledger and send to the queue, not write', () => {
    const actions = actionsOf(logicalId(s.stack.sweep.bronzeFunction.role));
    expect(actions).toEqual(
      expect.arrayContaining(['s3:ListBucket', 'dynamodb:BatchGetItem', 'sqs:SendMessage']),
    );
    expect(actions.filter((a) => a.startsWith('s3:'))).toEqual(['s3:ListBucket']);
    expect(actions.filter((a) => a.startsWith('sqs:'))).toEqual([
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
  });

  it('after_load adds to the ingest role only the delete, tag and tag-copy rights its actions call', () => {
    const withCleanUp = synthesize({ props: { datasetsDir: contractFixture('after-load') } });
    const role = logicalId(withCleanUp.stack.ingest.bronzeFunction.role);
    const policies = resourcesOfType(withCleanUp.template, 'AWS::IAM::Policy');
    const actions = Object.values(policies)
      .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === role))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .flatMap((st) => asList(st.Action));
    const added = [...new Set(actions)].filter(
      (action) =>
        action.startsWith('s3:') &&
        !actionsOf(logicalId(s.stack.ingest.bronzeFunction.role)).includes(action),
    );
    expect(added.sort()).toEqual([
      's3:DeleteObjectVersion',
      's3:GetObjectTagging',
      's3:GetObjectVersionTagging',
      's3:PutObjectTagging',
      's3:PutObjectVersionTagging',
    ]);
  });

  it('no role carries a managed policy', () => {
    for (const role of Object.values(resourcesOfType(s.template, 'AWS::IAM::Role'))) {
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });
});

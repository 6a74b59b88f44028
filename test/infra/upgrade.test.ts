import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, type Synthesized, synthesize } from './synth.js';

/**
 * Logical ids and types of the template as the stack synthesized before it became a wrapper of
 * the BronzeIngest construct (release 0.1). CloudFormation replaces a resource whose logical id
 * changes: for a bucket or the ledger table that means a new, empty one.
 */
interface RecordedTemplate {
  readonly resources: Record<string, string>;
  readonly outputs: string[];
}

const recorded = JSON.parse(
  readFileSync(`${PROJECT_ROOT}/test/fixtures/templates/logical-ids-v0.1.json`, 'utf8'),
) as RecordedTemplate;

/** The recorded ids of the resources that hold data or messages. */
const STATEFUL_TYPES = ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::SQS::Queue', 'AWS::Logs::LogGroup'];

let s: Synthesized;
let resources: Record<string, { Type: string }>;
beforeAll(() => {
  s = synthesize();
  resources = s.template.toJSON().Resources as Record<string, { Type: string }>;
});

describe('upgrading a deployment of release 0.1', () => {
  it('the buckets, the ledger table, the queues and the log groups keep their logical ids', () => {
    const stateful = Object.entries(recorded.resources).filter(([, type]) => STATEFUL_TYPES.includes(type));
    expect(stateful.length).toBe(9);
    for (const [id, type] of stateful) expect(resources[id]?.Type, id).toBe(type);
  });

  it('every resource of release 0.1 is still in the template under the same logical id and type', () => {
    const missing = Object.entries(recorded.resources).filter(([id, type]) => resources[id]?.Type !== type);
    expect(missing).toEqual([]);
  });

  it('the outputs the CLI reads keep their ids', () => {
    const outputs = Object.keys(s.template.toJSON().Outputs as Record<string, unknown>);
    expect(outputs).toEqual(expect.arrayContaining(recorded.outputs));
  });
});

import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadContracts } from '../../lambdas/core/contract.js';
import { contractDigests, encodeContractDigests } from '../../lambdas/core/contract-digest.js';
import { logicalId, type Synthesized, synthesize } from './synth.js';

let s: Synthesized;
beforeAll(() => {
  s = synthesize();
});

describe('stack', () => {
  it('the template holds no custom resources', () => {
    const types = Object.values(s.template.toJSON().Resources as Record<string, { Type: string }>).map(
      (r) => r.Type,
    );
    expect(
      types.filter((t) => t.startsWith('Custom::') || t === 'AWS::CloudFormation::CustomResource'),
    ).toEqual([]);
  });

  it('the only functions in the template are the ingest and sweep functions', () => {
    // CDK's custom-resource providers would add singleton functions of their own.
    s.template.resourceCountIs('AWS::Lambda::Function', 2);
  });

  it('outputs every name the CLI and the local harness read, under its own logical id', () => {
    const outputs = s.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs).toMatchObject({
      LandingBucketName: { Value: { Ref: logicalId(s.stack.landing.bucket) } },
      BronzeBucketName: { Value: { Ref: logicalId(s.stack.storage.bronzeBucket) } },
      QuarantineBucketName: { Value: { Ref: logicalId(s.stack.storage.quarantineBucket) } },
      LedgerTableName: { Value: { Ref: logicalId(s.stack.ledger.table) } },
      IngestQueueUrl: { Value: { Ref: logicalId(s.stack.ingestQueue.queue) } },
      DeadLetterQueueUrl: { Value: { Ref: logicalId(s.stack.ingestQueue.deadLetterQueue) } },
      IngestFunctionName: { Value: { Ref: logicalId(s.stack.ingest.bronzeFunction.function) } },
      SweepFunctionName: { Value: { Ref: logicalId(s.stack.sweep.bronzeFunction.function) } },
      GlueDatabaseName: { Value: { Ref: logicalId(s.stack.catalog.database) } },
    });
  });

  it('publishes the digests of the deployed contracts as an output and in both functions', () => {
    const digests = encodeContractDigests(contractDigests(loadContracts('datasets')));
    expect(digests).toMatch(/^customers=[0-9a-f]{16},orders=[0-9a-f]{16}/);
    const outputs = s.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.ContractDigests?.Value).toBe(digests);
    s.template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CONTRACT_DIGESTS: digests }) },
    });
  });

  it('without an alarm address there is no topic and the alarms have no actions', () => {
    s.template.resourceCountIs('AWS::SNS::Topic', 0);
    s.template.resourceCountIs('AWS::CloudWatch::Alarm', 8);
    s.template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent() });
  });

  it('synthesis raises no warnings or errors', () => {
    Annotations.fromStack(s.stack).hasNoWarning('*', Match.anyValue());
    Annotations.fromStack(s.stack).hasNoError('*', Match.anyValue());
  });
});

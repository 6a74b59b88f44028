import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ExitCode,
  exitCodeFor,
  MissingResourceError,
  nameMissingResource,
  UsageError,
} from '../../../cli/errors.js';
import { loadStackOutputs, requireSettings, resolveConnection, resolveTarget } from '../../../cli/target.js';

const cfn = mockClient(CloudFormationClient);

afterEach(() => {
  cfn.reset();
});

const outputs = {
  LedgerTableName: 'stack-ledger',
  LandingBucketName: 'stack-landing',
  BronzeBucketName: 'stack-bronze',
  QuarantineBucketName: 'stack-quarantine',
  IngestQueueUrl: 'https://sqs/stack-ingest',
  DeadLetterQueueUrl: 'https://sqs/stack-dlq',
};

describe('resolveTarget', () => {
  it('takes each setting from its flag first, then the stack outputs, then the environment', () => {
    const target = resolveTarget(
      { stack: 'S', table: 'flag-ledger' },
      { LEDGER_TABLE: 'env-ledger', LANDING_BUCKET: 'env-landing', BRONZE_BUCKET: 'env-bronze' },
      { ...outputs, BronzeBucketName: '' },
    );
    expect(target).toEqual({
      stack: 'S',
      table: 'flag-ledger',
      landingBucket: 'stack-landing',
      bronzeBucket: 'env-bronze',
      quarantineBucket: 'stack-quarantine',
      queueUrl: 'https://sqs/stack-ingest',
      deadLetterQueueUrl: 'https://sqs/stack-dlq',
    });
  });

  it('reads the environment names the stack and the Lambdas use', () => {
    const target = resolveTarget(
      {},
      {
        LEDGER_TABLE: 't',
        LANDING_BUCKET: 'l',
        BRONZE_BUCKET: 'b',
        QUARANTINE_BUCKET: 'q',
        INGEST_QUEUE_URL: 'u',
      },
    );
    expect(target).toEqual({
      table: 't',
      landingBucket: 'l',
      bronzeBucket: 'b',
      quarantineBucket: 'q',
      queueUrl: 'u',
    });
  });
});

describe('requireSettings', () => {
  it('returns exactly the settings asked for', () => {
    expect(
      requireSettings({ table: 't', landingBucket: 'l', bronzeBucket: 'b' }, ['table', 'landingBucket']),
    ).toEqual({
      table: 't',
      landingBucket: 'l',
    });
  });

  it('names every missing setting with its flag and environment variable, and suggests --stack', () => {
    const attempt = () => requireSettings({ table: 't' }, ['table', 'landingBucket', 'queueUrl']);
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(/the landing bucket: pass --landing-bucket NAME or set LANDING_BUCKET/);
    expect(attempt).toThrow(/the ingest queue URL: pass --queue-url URL or set INGEST_QUEUE_URL/);
    expect(attempt).toThrow(/--stack NAME/);
    expect(attempt).not.toThrow(/ledger table/);
  });

  it('says which output a named stack lacks', () => {
    expect(() => requireSettings({ stack: 'Old' }, ['bronzeBucket'])).toThrow(
      /stack Old has no output BronzeBucketName/,
    );
  });
});

describe('resolveConnection', () => {
  it('prefers flags, then AWS_ENDPOINT_URL and AWS_REGION', () => {
    expect(
      resolveConnection({ endpointUrl: 'http://127.0.0.1:5000', region: 'eu-west-1' }, { AWS_REGION: 'x' }),
    ).toEqual({
      endpoint: 'http://127.0.0.1:5000',
      region: 'eu-west-1',
    });
    expect(
      resolveConnection(
        {},
        { AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_DEFAULT_REGION: 'eu-central-1' },
      ),
    ).toEqual({
      endpoint: 'http://localhost:4566',
      region: 'eu-central-1',
    });
  });

  it('gives an emulator a region when none is set, and leaves real AWS to the SDK chain', () => {
    expect(resolveConnection({ endpointUrl: 'http://127.0.0.1:5000' }, {})).toEqual({
      endpoint: 'http://127.0.0.1:5000',
      region: 'us-east-1',
    });
    expect(resolveConnection({}, {})).toEqual({});
  });
});

describe('loadStackOutputs', () => {
  it('maps the stack outputs by id', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'BronzeIngest' }).resolves({
      Stacks: [
        {
          StackName: 'BronzeIngest',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });
    const read = await loadStackOutputs('BronzeIngest', new CloudFormationClient({ region: 'us-east-1' }));
    expect(read).toEqual(outputs);
  });

  it('turns a missing stack into a missing-resource error naming it, which exits 3', async () => {
    cfn.on(DescribeStacksCommand).rejects(
      new CloudFormationServiceException({
        name: 'ValidationError',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'Stack with id Nope does not exist',
      }),
    );
    const error = await loadStackOutputs('Nope', new CloudFormationClient({ region: 'us-east-1' })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MissingResourceError);
    expect((error as Error).message).toMatch(/stack Nope not found/);
    expect(exitCodeFor(error)).toBe(ExitCode.Infrastructure);
  });

  it('names the table or queue a command was pointed at when AWS says it does not exist', () => {
    const notFound = Object.assign(new Error('Requested resource not found'), {
      name: 'ResourceNotFoundException',
      $metadata: {},
    });
    const named = nameMissingResource(notFound, { table: 'wrong-table' });
    expect(named).toBeInstanceOf(MissingResourceError);
    expect((named as Error).message).toBe(
      'ledger table wrong-table not found (ResourceNotFoundException: Requested resource not found)',
    );
    const noQueue = Object.assign(new Error('The specified queue does not exist.'), {
      name: 'QueueDoesNotExist',
    });
    expect((nameMissingResource(noQueue, { queueUrl: 'http://q/x' }) as Error).message).toMatch(
      /^queue http:\/\/q\/x not found/,
    );
    const other = new Error('boom');
    expect(nameMissingResource(other, { table: 't' })).toBe(other);
  });

  it('passes --profile to the clients', () => {
    expect(resolveConnection({ profile: 'prod' }, {})).toEqual({ profile: 'prod' });
  });
});

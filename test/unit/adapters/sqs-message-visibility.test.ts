import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { queueUrlFromArn, SqsMessageVisibility } from '../../../lambdas/adapters/sqs-ingest-queue.js';
import { InfrastructureError } from '../../../lambdas/core/errors.js';

const sqs = mockClient(SQSClient);
const MESSAGE = { queueArn: 'arn:aws:sqs:eu-west-1:123456789012:ingest', receiptHandle: 'rh-1' };

afterEach(() => sqs.reset());

describe('SqsMessageVisibility', () => {
  it('changes the visibility of the record on its own queue, in whole seconds', async () => {
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    await new SqsMessageVisibility({ client: new SQSClient({ region: 'eu-west-1' }) }).changeVisibility(
      MESSAGE,
      89.2,
    );
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input).toEqual({
      QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/ingest',
      ReceiptHandle: 'rh-1',
      VisibilityTimeout: 90,
    });
  });

  it('caps the delay at the 12 hours SQS allows', async () => {
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    await new SqsMessageVisibility({ client: new SQSClient({ region: 'eu-west-1' }) }).changeVisibility(
      MESSAGE,
      86_400,
    );
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input.VisibilityTimeout).toBe(43_200);
  });

  it('turns an SDK error into an InfrastructureError naming the queue', async () => {
    sqs.on(ChangeMessageVisibilityCommand).rejects(new Error('ReceiptHandleIsInvalid'));
    const change = new SqsMessageVisibility({
      client: new SQSClient({ region: 'eu-west-1' }),
    }).changeVisibility(MESSAGE, 0);
    await expect(change).rejects.toThrow(InfrastructureError);
    await expect(change).rejects.toThrow(/123456789012\/ingest/);
  });

  it('refuses an ARN that is not an SQS queue', () => {
    expect(() => queueUrlFromArn('arn:aws:sns:eu-west-1:123456789012:topic')).toThrow(/not an SQS queue ARN/);
  });
});

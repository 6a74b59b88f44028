/** The AWS clients and adapters the CLI talks through, built once per command from the connection. */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Connection } from './target.js';

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly cloudFormation: CloudFormationClient;
}

/** Builds the clients; tests pass their own to count or record calls. */
export type ClientFactory = (connection: Connection) => AwsClients;

/** SDK clients for the connection; with a custom endpoint (moto, LocalStack) S3 is addressed by path. */
export const defaultClients: ClientFactory = (connection) => {
  const base = {
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
    ...(connection.region ? { region: connection.region } : {}),
    ...(connection.profile ? { profile: connection.profile } : {}),
  };
  return {
    dynamodb: new DynamoDBClient({ ...base, maxAttempts: 5 }),
    s3: new S3Client({ ...base, forcePathStyle: Boolean(connection.endpoint) }),
    sqs: new SQSClient(base),
    cloudFormation: new CloudFormationClient(base),
  };
};

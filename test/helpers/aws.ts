/** Client configuration and resources for tests against a local AWS API emulator. */
import {
  CreateTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { STATUS_INDEX_NAME, TTL_ATTRIBUTE } from '../../lambdas/core/ledger.js';

export interface LocalAwsClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** S3 only: emulators serve buckets by path, not by host name. */
  readonly forcePathStyle: boolean;
}

/** Configuration that points any AWS SDK v3 client at a local endpoint with dummy credentials. */
export function awsClientConfig(endpoint: string): LocalAwsClientConfig {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    forcePathStyle: true,
  };
}

/**
 * Creates the ledger table as the stack defines it (keys, on-demand billing, status index, TTL)
 * and waits until it is active. Backups and encryption change no behaviour and are left out.
 */
export async function createLedgerTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'ingestion_key', AttributeType: 'S' },
        { AttributeName: 'file_path', AttributeType: 'S' },
        { AttributeName: 'status_at', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'ingestion_key', KeyType: 'HASH' },
        { AttributeName: 'file_path', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: STATUS_INDEX_NAME,
          KeySchema: [
            { AttributeName: 'ingestion_key', KeyType: 'HASH' },
            { AttributeName: 'status_at', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { TableName: name });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    }),
  );
}

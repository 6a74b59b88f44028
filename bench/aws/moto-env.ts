/** moto_server with counted S3 and DynamoDB clients, for the request-count sections. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { localClientConfig } from '../../local/aws-config.js';
import { type MotoServer, startMoto } from '../../local/moto.js';
import { createLedgerTable } from '../../test/helpers/aws.js';
import { RequestCounter } from './request-counter.js';

export interface MotoEnv {
  readonly moto: MotoServer;
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly counter: RequestCounter;
  createBuckets(...names: string[]): Promise<void>;
  /** The ledger table as the stack defines it (keys, status index, TTL). */
  createTable(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startMotoEnv(): Promise<MotoEnv> {
  const moto = await startMoto();
  const config = localClientConfig(moto.endpoint);
  const s3 = new S3Client(config);
  const dynamodb = new DynamoDBClient(config);
  const counter = new RequestCounter();
  counter.attach(s3, 'S3');
  counter.attach(dynamodb, 'DynamoDB');
  return {
    moto,
    s3,
    dynamodb,
    counter,
    createBuckets: async (...names) => {
      for (const name of names) await s3.send(new CreateBucketCommand({ Bucket: name }));
    },
    createTable: (name) => createLedgerTable(dynamodb, name),
    stop: async () => {
      s3.destroy();
      dynamodb.destroy();
      await moto.stop();
    },
  };
}

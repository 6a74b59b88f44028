import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../lambdas/adapters/s3-object-store.js';

const s3 = mockClient(S3Client);

afterEach(() => {
  s3.reset();
});

describe('read with a byte range', () => {
  it('asks for the range in HTTP form, both ends inclusive', async () => {
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('PAR1')]) as never });
    const store = new S3ObjectStore({ client: new S3Client({ region: 'us-east-1' }) });

    await store.read('bronze', 'orders/x.parquet', { range: { start: 100, end: 199 } });
    await store.read('bronze', 'orders/x.parquet', { range: { start: 100 } });

    const ranges = s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Range);
    expect(ranges).toEqual(['bytes=100-199', 'bytes=100-']);
  });

  it('sends no Range header for a whole-object read', async () => {
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('a')]) as never });
    const store = new S3ObjectStore({ client: new S3Client({ region: 'us-east-1' }) });

    await store.read('landing', 'orders/x.csv');

    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input.Range).toBeUndefined();
  });
});

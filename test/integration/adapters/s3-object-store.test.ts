import {
  CreateBucketCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../lambdas/adapters/s3-object-store.js';
import { ObjectChangedError } from '../../../lambdas/core/errors.js';
import { useMotoServer } from '../../helpers/moto-server.js';

const LANDING = 'landing-bucket';
const BRONZE = 'bronze-bucket';
const MIB = 1024 * 1024;

const moto = useMotoServer();
let client: S3Client;
let store: S3ObjectStore;

beforeAll(async () => {
  client = new S3Client(moto.clientConfig());
  store = new S3ObjectStore({ client });
  for (const bucket of [LANDING, BRONZE]) await client.send(new CreateBucketCommand({ Bucket: bucket }));
  // The landing bucket is versioned in the stack; conditional reads must work there too.
  await client.send(
    new PutBucketVersioningCommand({ Bucket: LANDING, VersioningConfiguration: { Status: 'Enabled' } }),
  );
});

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function patterned(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 12)) & 0xff;
  return bytes;
}

describe('S3ObjectStore against moto', () => {
  it('reads the version it was pinned to and refuses it after an overwrite', async () => {
    const first = await store.put(LANDING, 'sales/overwritten.csv', 'a,b\n1,2\n');
    await expect(
      readAll(await store.read(LANDING, 'sales/overwritten.csv', { ifMatch: first.etag })),
    ).resolves.toEqual(Buffer.from('a,b\n1,2\n'));

    const second = await store.put(LANDING, 'sales/overwritten.csv', 'a,b\n3,4\n');

    expect(second.etag).not.toBe(first.etag);
    await expect(
      store.read(LANDING, 'sales/overwritten.csv', { ifMatch: first.etag }),
    ).rejects.toBeInstanceOf(ObjectChangedError);
    await expect(store.head(LANDING, 'sales/overwritten.csv')).resolves.toMatchObject({
      etag: second.etag,
      size: 8,
      versionId: expect.any(String),
    });
  });

  it('refuses a pinned read of an object that was deleted', async () => {
    const { etag } = await store.put(BRONZE, 'gone.txt', 'x');
    await store.delete(BRONZE, 'gone.txt');

    await expect(store.read(BRONZE, 'gone.txt', { ifMatch: etag })).rejects.toBeInstanceOf(
      ObjectChangedError,
    );
    await expect(store.head(BRONZE, 'gone.txt')).resolves.toBeUndefined();
  });

  it('writes 12 MiB in parts that read back identical, with a multipart ETag and metadata', async () => {
    const data = patterned(12 * MIB + 123);
    const writer = await store.openWriter(BRONZE, 'sales/big.parquet', {
      partSizeBytes: 5 * MIB,
      contentType: 'application/vnd.apache.parquet',
      metadata: { 'source-etag': 'e1' },
    });
    for (let offset = 0; offset < data.length; offset += 256 * 1024) {
      await writer.write(data.subarray(offset, offset + 256 * 1024));
    }

    const { etag } = await writer.complete();

    expect(etag).toMatch(/^[0-9a-f]{32}-3$/);
    // Buffer.equals: a deep toEqual over 12 MiB compares byte by byte and takes minutes.
    const readBack = await readAll(await store.read(BRONZE, 'sales/big.parquet', { ifMatch: etag }));
    expect(readBack.equals(data)).toBe(true);
    await expect(store.head(BRONZE, 'sales/big.parquet')).resolves.toMatchObject({
      etag,
      size: data.length,
      metadata: { 'source-etag': 'e1' },
    });
    const raw = await client.send(new GetObjectCommand({ Bucket: BRONZE, Key: 'sales/big.parquet' }));
    await raw.Body?.transformToByteArray();
    expect(raw.ContentType).toBe('application/vnd.apache.parquet');
  });

  it('reads a byte range of a pinned object, such as a Parquet footer', async () => {
    const { etag } = await store.put(BRONZE, 'ranged.bin', '0123456789');

    const middle = await readAll(
      await store.read(BRONZE, 'ranged.bin', { ifMatch: etag, range: { start: 2, end: 4 } }),
    );
    const tail = await readAll(await store.read(BRONZE, 'ranged.bin', { range: { start: 7 } }));

    expect(middle.toString()).toBe('234');
    expect(tail.toString()).toBe('789');
  });

  it('writes a small body through the writer as a plain object', async () => {
    const writer = await store.openWriter(BRONZE, 'sales/small.parquet');
    await writer.write(Buffer.from('PAR1'));

    const { etag } = await writer.complete();

    expect(etag).toMatch(/^[0-9a-f]{32}$/);
    await expect(readAll(await store.read(BRONZE, 'sales/small.parquet'))).resolves.toEqual(
      Buffer.from('PAR1'),
    );
  });

  it('leaves neither an object nor an open upload behind after an abort', async () => {
    const writer = await store.openWriter(BRONZE, 'sales/aborted.parquet', { partSizeBytes: 5 * MIB });
    await writer.write(patterned(5 * MIB));
    await writer.write(patterned(MIB));

    await writer.abort();

    await expect(store.head(BRONZE, 'sales/aborted.parquet')).resolves.toBeUndefined();
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: BRONZE }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });

  it('copies a source over the CopyObject threshold part by part, bytes, metadata and content type intact', async () => {
    const data = patterned(12 * MIB + 7);
    const key = 'sales/2026 Q1/huge é.csv';
    const { etag } = await store.put(LANDING, key, data, {
      contentType: 'text/csv',
      metadata: { origin: 'upload' },
    });
    // The thresholds a 5 GB source meets, scaled down so that moto copies 12 MiB in three parts.
    const small = new S3ObjectStore({ client, multipartCopyAboveBytes: 6 * MIB, copyPartBytes: 5 * MIB });

    await small.copy(
      { bucket: LANDING, key, ifMatch: etag, size: data.length },
      { bucket: BRONZE, key: `copies/${key}` },
    );

    const copied = await store.head(BRONZE, `copies/${key}`);
    expect(copied).toMatchObject({ size: data.length, metadata: { origin: 'upload' } });
    expect(copied!.etag).toMatch(/-3$/);
    expect((await readAll(await store.read(BRONZE, `copies/${key}`))).equals(data)).toBe(true);
    const raw = await client.send(new GetObjectCommand({ Bucket: BRONZE, Key: `copies/${key}` }));
    await raw.Body?.transformToByteArray();
    expect(raw.ContentType).toBe('text/csv');
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: BRONZE }));
    expect(open.Uploads ?? []).toEqual([]);
  });

  it('copies a key that needs URL encoding and replaces its metadata', async () => {
    const key = 'sales/2026 Q1/a+b%c é.csv';
    const { etag } = await store.put(LANDING, key, 'x,y\n', { metadata: { origin: 'upload' } });

    await store.copy(
      { bucket: LANDING, key, ifMatch: etag },
      { bucket: BRONZE, key: `copies/${key}` },
      {
        metadata: { 'error-code': 'HEADER_MISMATCH' },
      },
    );

    await expect(store.head(BRONZE, `copies/${key}`)).resolves.toMatchObject({
      size: 4,
      metadata: { 'error-code': 'HEADER_MISMATCH' },
    });
  });

  it('finds that moto drops user metadata whose key holds an underscore, so keys use dashes', async () => {
    // Its HTTP server (Werkzeug 3) discards every header name containing "_"; AWS keeps them.
    await store.put(BRONZE, 'metadata.txt', 'x', { metadata: { source_etag: 'e1', 'source-etag': 'e1' } });

    await expect(store.head(BRONZE, 'metadata.txt')).resolves.toMatchObject({
      metadata: { 'source-etag': 'e1' },
    });
    expect((await store.head(BRONZE, 'metadata.txt'))?.metadata).not.toHaveProperty('source_etag');
  });

  it('finds that moto 5.2.1 ignores CopySourceIfMatch (the guard is proven by unit tests)', async () => {
    await store.put(LANDING, 'sales/copy-guard.csv', 'v1');

    // On AWS this is a 412 and the adapter throws ObjectChangedError. If moto starts enforcing
    // it, this test fails and can become a real enforcement check.
    await expect(
      store.copy(
        { bucket: LANDING, key: 'sales/copy-guard.csv', ifMatch: '00000000000000000000000000000000' },
        { bucket: BRONZE, key: 'copies/copy-guard.csv' },
      ),
    ).resolves.toBeUndefined();
  });

  it('lists a prefix in key order after a start key', async () => {
    for (const name of ['a', 'b', 'c', 'd']) await store.put(BRONZE, `listing/${name}.csv`, name);
    await store.put(BRONZE, 'listing-other/x.csv', 'x');

    const keys: string[] = [];
    for await (const page of store.list(BRONZE, 'listing/', { startAfter: 'listing/b.csv' })) {
      keys.push(...page.map((head) => head.key));
      expect(page.every((head) => head.etag.length === 32 && !head.etag.includes('"'))).toBe(true);
    }

    expect(keys).toEqual(['listing/c.csv', 'listing/d.csv']);
  });
});

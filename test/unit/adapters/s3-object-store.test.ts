import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  copyPartSize,
  copySourceFor,
  rangeHeader,
  S3ObjectStore,
} from '../../../lambdas/adapters/s3-object-store.js';
import { InfrastructureError, ObjectChangedError } from '../../../lambdas/core/errors.js';

const s3 = mockClient(S3Client);

function store(): S3ObjectStore {
  return new S3ObjectStore({ client: new S3Client({ region: 'us-east-1' }) });
}

function serviceError(name: string, httpStatusCode: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message: name });
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function bodyOf(text: string): never {
  // The SDK's stream mixin is not needed to iterate: a Readable is what Node returns.
  return Readable.from([Buffer.from(text)]) as never;
}

afterEach(() => {
  s3.reset();
});

describe('read', () => {
  it('pins the read to the quoted ETag and streams the body', async () => {
    s3.on(GetObjectCommand).resolves({ Body: bodyOf('a,b\n1,2\n') });

    const body = await store().read('landing', 'sales/x.csv', { ifMatch: 'abc123' });

    await expect(collect(body)).resolves.toBe('a,b\n1,2\n');
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'landing',
      Key: 'sales/x.csv',
      IfMatch: '"abc123"',
    });
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).not.toHaveProperty(
      'Range',
      expect.anything(),
    );
  });

  it('reads only the requested bytes of a range, inclusive at both ends', async () => {
    s3.on(GetObjectCommand).resolves({ Body: bodyOf('PAR1') });
    const subject = store();

    await subject.read('bronze', 'x.parquet', { ifMatch: 'e', range: { start: 100, end: 107 } });
    await subject.read('bronze', 'x.parquet', { range: { start: 100 } });

    const ranges = s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Range);
    expect(ranges).toEqual(['bytes=100-107', 'bytes=100-']);
    expect(() => rangeHeader({ start: 5, end: 4 })).toThrow(RangeError);
    expect(() => rangeHeader({ start: -1 })).toThrow(RangeError);
  });

  it('turns 412 PreconditionFailed into ObjectChangedError with the cause kept', async () => {
    const error = serviceError('PreconditionFailed', 412);
    s3.on(GetObjectCommand).rejects(error);

    const read = store().read('landing', 'sales/x.csv', { ifMatch: 'abc123' });

    await expect(read).rejects.toBeInstanceOf(ObjectChangedError);
    await expect(read).rejects.toMatchObject({ cause: error });
  });

  it('turns a vanished object into ObjectChangedError when the read was pinned', async () => {
    s3.on(GetObjectCommand).rejects(serviceError('NoSuchKey', 404));

    await expect(store().read('landing', 'x', { ifMatch: 'abc' })).rejects.toBeInstanceOf(ObjectChangedError);
  });

  it('turns other errors into InfrastructureError', async () => {
    const error = serviceError('AccessDenied', 403);
    s3.on(GetObjectCommand).rejects(error);

    const read = store().read('landing', 'x', { ifMatch: 'abc' });

    await expect(read).rejects.toBeInstanceOf(InfrastructureError);
    await expect(read).rejects.toMatchObject({ cause: error });
  });

  it('reports a failure in the middle of the body as InfrastructureError', async () => {
    async function* broken() {
      yield Buffer.from('a,b\n');
      throw new Error('socket hang up');
    }
    s3.on(GetObjectCommand).resolves({ Body: Readable.from(broken()) as never });

    const body = await store().read('landing', 'x');

    await expect(collect(body)).rejects.toBeInstanceOf(InfrastructureError);
  });
});

describe('head', () => {
  it('returns the ETag without quotes, the size, the version and the metadata', async () => {
    const lastModified = new Date('2026-01-01T00:00:00Z');
    s3.on(HeadObjectCommand).resolves({
      ETag: '"abc-2"',
      ContentLength: 42,
      LastModified: lastModified,
      VersionId: 'v1',
      Metadata: { source_etag: 'e' },
    });

    await expect(store().head('bronze', 'k')).resolves.toEqual({
      bucket: 'bronze',
      key: 'k',
      etag: 'abc-2',
      size: 42,
      lastModified,
      versionId: 'v1',
      metadata: { source_etag: 'e' },
    });
  });

  it('returns undefined for a missing object', async () => {
    s3.on(HeadObjectCommand).rejects(serviceError('NotFound', 404));

    await expect(store().head('bronze', 'k')).resolves.toBeUndefined();
  });

  it('reports a forbidden HEAD as InfrastructureError', async () => {
    s3.on(HeadObjectCommand).rejects(serviceError('Forbidden', 403));

    await expect(store().head('bronze', 'k')).rejects.toBeInstanceOf(InfrastructureError);
  });
});

describe('put, copy, delete', () => {
  it('puts a small object with its content type and metadata and returns the bare ETag', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"d41d8"' });

    await expect(
      store().put('q', 'r.json', '{}', { contentType: 'application/json', metadata: { run: 'r1' } }),
    ).resolves.toEqual({ etag: 'd41d8' });
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'q',
      Key: 'r.json',
      Body: '{}',
      ContentType: 'application/json',
      Metadata: { run: 'r1' },
    });
  });

  it('URL-encodes the copy source key segment by segment', () => {
    expect(copySourceFor('landing', 'a b/c+d%/é#?.csv')).toBe('landing/a%20b/c%2Bd%25/%C3%A9%23%3F.csv');
  });

  it('copies conditionally on the source ETag and replaces metadata when some is given', async () => {
    s3.on(CopyObjectCommand).resolves({});

    await store().copy(
      { bucket: 'landing', key: 'sales/a b.csv', ifMatch: 'e1' },
      { bucket: 'quarantine', key: 'sales/landing/a b.csv' },
      { metadata: { error_code: 'HEADER_MISMATCH' } },
    );

    expect(s3.commandCalls(CopyObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'quarantine',
      Key: 'sales/landing/a b.csv',
      CopySource: 'landing/sales/a%20b.csv',
      CopySourceIfMatch: '"e1"',
      MetadataDirective: 'REPLACE',
      Metadata: { error_code: 'HEADER_MISMATCH' },
    });
  });

  it('keeps the source metadata when none is given', async () => {
    s3.on(CopyObjectCommand).resolves({});

    await store().copy({ bucket: 'landing', key: 'k' }, { bucket: 'quarantine', key: 'k' });

    const input = s3.commandCalls(CopyObjectCommand)[0]!.args[0].input;
    expect(input.MetadataDirective).toBeUndefined();
    expect(input.CopySourceIfMatch).toBeUndefined();
  });

  it('turns a 412 on copy into ObjectChangedError', async () => {
    s3.on(CopyObjectCommand).rejects(serviceError('PreconditionFailed', 412));

    await expect(
      store().copy({ bucket: 'landing', key: 'k', ifMatch: 'e1' }, { bucket: 'quarantine', key: 'k' }),
    ).rejects.toBeInstanceOf(ObjectChangedError);
  });

  it('reports a failed delete as InfrastructureError', async () => {
    s3.on(DeleteObjectCommand).rejects(serviceError('InternalError', 500));

    await expect(store().delete('bronze', 'k')).rejects.toBeInstanceOf(InfrastructureError);
  });
});

describe('copy of a source larger than CopyObject takes', () => {
  const MIB = 1024 ** 2;
  const big = () =>
    new S3ObjectStore({
      client: new S3Client({ region: 'us-east-1' }),
      multipartCopyAboveBytes: 10 * MIB,
      copyPartBytes: 5 * MIB,
    });

  it('copies in ETag-guarded ranges, carrying the source metadata and content type over', async () => {
    s3.on(HeadObjectCommand).resolves({ Metadata: { source: 'x' }, ContentType: 'text/csv' });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    s3.on(UploadPartCopyCommand).callsFake((input: { PartNumber: number }) => ({
      CopyPartResult: { ETag: `"p${input.PartNumber}"` },
    }));
    s3.on(CompleteMultipartUploadCommand).resolves({});

    await big().copy(
      { bucket: 'landing', key: 'a b.csv', ifMatch: 'e1', size: 12 * MIB + 1 },
      { bucket: 'quarantine', key: 'q/a b.csv' },
    );

    expect(s3.commandCalls(HeadObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'landing',
      Key: 'a b.csv',
      IfMatch: '"e1"',
    });
    expect(s3.commandCalls(CreateMultipartUploadCommand)[0]!.args[0].input).toEqual({
      Bucket: 'quarantine',
      Key: 'q/a b.csv',
      Metadata: { source: 'x' },
      ContentType: 'text/csv',
    });
    expect(s3.commandCalls(UploadPartCopyCommand).map((c) => c.args[0].input)).toEqual(
      [1, 2, 3].map((n) => ({
        Bucket: 'quarantine',
        Key: 'q/a b.csv',
        UploadId: 'u1',
        PartNumber: n,
        CopySource: 'landing/a%20b.csv',
        CopySourceIfMatch: '"e1"',
        CopySourceRange: ['bytes=0-5242879', 'bytes=5242880-10485759', 'bytes=10485760-12582912'][n - 1],
      })),
    );
    expect(s3.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input.MultipartUpload).toEqual({
      Parts: [1, 2, 3].map((n) => ({ ETag: `"p${n}"`, PartNumber: n })),
    });
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
  });

  it('uses CopyObject up to the threshold', async () => {
    s3.on(CopyObjectCommand).resolves({});
    await big().copy({ bucket: 'landing', key: 'k', size: 10 * MIB }, { bucket: 'quarantine', key: 'k' });
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(1);
    expect(s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
  });

  it.each([
    ['a changed source', serviceError('PreconditionFailed', 412), ObjectChangedError],
    ['a failing part', serviceError('InternalError', 500), InfrastructureError],
  ])('aborts the upload on %s', async (_, error, type) => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u2' });
    s3.on(UploadPartCopyCommand)
      .resolvesOnce({ CopyPartResult: { ETag: '"p1"' } })
      .rejects(error);
    s3.on(AbortMultipartUploadCommand).resolves({});

    await expect(
      big().copy(
        { bucket: 'landing', key: 'k', ifMatch: 'e1', size: 12 * MIB },
        { bucket: 'quarantine', key: 'k' },
        { metadata: { reason: 'r' } },
      ),
    ).rejects.toBeInstanceOf(type);
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(AbortMultipartUploadCommand)[0]!.args[0].input).toEqual({
      Bucket: 'quarantine',
      Key: 'k',
      UploadId: 'u2',
    });
  });

  it('sizes parts so that even a 5 TiB object needs no more than 10,000', () => {
    const fiveTiB = 5 * 1024 ** 4;
    const part = copyPartSize(fiveTiB, 512 * MIB);
    expect(Math.ceil(fiveTiB / part)).toBeLessThanOrEqual(10_000);
    expect(part % MIB).toBe(0);
    expect(copyPartSize(6 * 1024 ** 3, 512 * MIB)).toBe(512 * MIB);
  });
});

describe('list', () => {
  it('yields a page per ListObjectsV2 call, from the start key on, following tokens', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: [{ Key: 'p/b', ETag: '"e-b"', Size: 1 }],
        IsTruncated: true,
        NextContinuationToken: 't1',
      })
      .resolvesOnce({ Contents: [{ Key: 'p/c', ETag: '"e-c"', Size: 2 }], IsTruncated: false });

    const pages: string[][] = [];
    for await (const page of store().list('landing', 'p/', { startAfter: 'p/a' })) {
      pages.push(page.map((head) => `${head.key}:${head.etag}:${head.size}`));
    }

    expect(pages).toEqual([['p/b:e-b:1'], ['p/c:e-c:2']]);
    const inputs = s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input);
    expect(inputs).toEqual([
      { Bucket: 'landing', Prefix: 'p/', StartAfter: 'p/a' },
      { Bucket: 'landing', Prefix: 'p/', ContinuationToken: 't1' },
    ]);
  });

  it('yields nothing for an empty prefix', async () => {
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 0, IsTruncated: false });

    const pages = [];
    for await (const page of store().list('landing', 'none/')) pages.push(page);

    expect(pages).toEqual([]);
  });
});

import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { MIN_PART_SIZE_BYTES } from '../../../lambdas/adapters/s3-multipart-writer.js';
import { S3ObjectStore } from '../../../lambdas/adapters/s3-object-store.js';
import { InfrastructureError } from '../../../lambdas/core/errors.js';
import type { ObjectWriter } from '../../../lambdas/core/ports.js';

const MIB = 1024 * 1024;
const PART = MIN_PART_SIZE_BYTES;
const s3 = mockClient(S3Client);

function openWriter(partSizeBytes = PART): Promise<ObjectWriter> {
  const store = new S3ObjectStore({ client: new S3Client({ region: 'us-east-1' }) });
  return store.openWriter('bronze', 'sales/x.parquet', {
    partSizeBytes,
    contentType: 'application/vnd.apache.parquet',
    metadata: { source_etag: 'e1' },
  });
}

/** Bytes whose value depends on their position, so a misplaced byte is noticed. */
function patterned(size: number, seed = 0): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + seed) & 0xff;
  return bytes;
}

function mockMultipart(): void {
  s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
  s3.on(UploadPartCommand).callsFake((input) => ({
    ETag: `"part-${input.PartNumber}"`,
    ChecksumCRC32: 'crc',
  }));
  s3.on(CompleteMultipartUploadCommand).resolves({ ETag: '"whole-3"' });
  s3.on(AbortMultipartUploadCommand).resolves({});
}

function uploadedParts(): Buffer[] {
  return s3.commandCalls(UploadPartCommand).map((call) => Buffer.from(call.args[0].input.Body as Uint8Array));
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

afterEach(() => {
  s3.reset();
});

describe('S3MultipartWriter', () => {
  it('sends a body smaller than one part as one PutObject, never starting a multipart upload', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"small"' });
    const writer = await openWriter();

    await writer.write(Buffer.from('PAR1'));
    await writer.write(Buffer.from('...'));
    const result = await writer.complete();
    await writer.abort();

    expect(result).toEqual({ etag: 'small' });
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(Buffer.from(put.Body as Uint8Array).toString()).toBe('PAR1...');
    expect(put).toMatchObject({
      ContentType: 'application/vnd.apache.parquet',
      Metadata: { source_etag: 'e1' },
    });
    expect(s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
  });

  it('sends a body of exactly one part as a single PutObject', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"one"' });
    const writer = await openWriter();

    await writer.write(patterned(PART));
    await writer.complete();

    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect(s3.commandCalls(UploadPartCommand)).toHaveLength(0);
  });

  it('uploads a big body in numbered parts and completes them with their checksums', async () => {
    mockMultipart();
    const data = patterned(12 * MIB);
    const writer = await openWriter();

    for (let offset = 0; offset < data.length; offset += MIB)
      await writer.write(data.subarray(offset, offset + MIB));
    const result = await writer.complete();

    expect(result).toEqual({ etag: 'whole-3' });
    expect(s3.commandCalls(CreateMultipartUploadCommand)[0]!.args[0].input).toEqual({
      Bucket: 'bronze',
      Key: 'sales/x.parquet',
      ContentType: 'application/vnd.apache.parquet',
      Metadata: { source_etag: 'e1' },
      ChecksumAlgorithm: 'CRC32',
    });
    const parts = s3.commandCalls(UploadPartCommand).map((call) => call.args[0].input);
    expect(parts.map((part) => [part.PartNumber, part.UploadId, part.ChecksumAlgorithm])).toEqual([
      [1, 'upload-1', 'CRC32'],
      [2, 'upload-1', 'CRC32'],
      [3, 'upload-1', 'CRC32'],
    ]);
    expect(uploadedParts().map((part) => part.length)).toEqual([PART, PART, 12 * MIB - 2 * PART]);
    expect(Buffer.concat(uploadedParts()).equals(data)).toBe(true);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input.MultipartUpload).toEqual({
      Parts: [1, 2, 3].map((n) => ({ PartNumber: n, ETag: `"part-${n}"`, ChecksumCRC32: 'crc' })),
    });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('copies written bytes, so a caller may reuse its chunk buffer', async () => {
    mockMultipart();
    const chunk = Buffer.alloc(MIB);
    const expected: Buffer[] = [];
    const writer = await openWriter();

    for (let i = 0; i < 7; i++) {
      chunk.fill(i + 1);
      expected.push(Buffer.from(chunk));
      await writer.write(chunk);
    }
    await writer.complete();

    expect(Buffer.concat(uploadedParts()).equals(Buffer.concat(expected))).toBe(true);
  });

  it('clamps a part size below 5 MiB to 5 MiB', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"x"' });
    const writer = await openWriter(MIB);

    await writer.write(patterned(4 * MIB));
    await writer.complete();

    expect(s3.commandCalls(UploadPartCommand)).toHaveLength(0);
  });

  it('holds at most two parts: a write waits while one part uploads and the next part is full', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
    s3.on(CompleteMultipartUploadCommand).resolves({ ETag: '"done-5"' });
    const waiting: Array<() => void> = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let uploadedBytes = 0;
    s3.on(UploadPartCommand).callsFake(
      (input) =>
        new Promise((resolve) => {
          maxInFlight = Math.max(maxInFlight, ++inFlight);
          waiting.push(() => {
            inFlight--;
            uploadedBytes += (input.Body as Uint8Array).byteLength;
            resolve({ ETag: `"p${input.PartNumber}"` });
          });
        }),
    );
    const writer = await openWriter();
    const chunk = patterned(MIB);
    let acceptedBytes = 0;
    let blockedWrites = 0;

    const untilSettled = async (operation: Promise<unknown>) => {
      let done = false;
      void operation.then(() => {
        done = true;
      });
      await settle();
      if (!done) blockedWrites++;
      while (!done) {
        // Held: every accepted byte not yet uploaded, bounded by two parts.
        expect(acceptedBytes - uploadedBytes).toBeLessThanOrEqual(2 * PART);
        waiting.shift()?.();
        await settle();
      }
      await operation;
    };
    for (let i = 0; i < 23; i++) {
      await untilSettled(writer.write(chunk));
      acceptedBytes += chunk.length;
      expect(acceptedBytes - uploadedBytes).toBeLessThanOrEqual(2 * PART);
    }
    await untilSettled(writer.complete());

    expect(maxInFlight).toBe(1);
    expect(blockedWrites).toBeGreaterThan(0);
    expect(uploadedBytes).toBe(23 * MIB);
  });

  it('aborts a started upload once, however often abort is called, and refuses writes after', async () => {
    mockMultipart();
    const writer = await openWriter();

    await writer.write(patterned(PART));
    await writer.write(patterned(MIB));
    await writer.abort();
    await writer.abort();

    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
    expect(s3.commandCalls(AbortMultipartUploadCommand)[0]!.args[0].input).toEqual({
      Bucket: 'bronze',
      Key: 'sales/x.parquet',
      UploadId: 'upload-1',
    });
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    await expect(writer.write(Buffer.from('x'))).rejects.toThrow(/aborted/);
  });

  it('sends nothing when aborted before a part was ever full', async () => {
    const writer = await openWriter();

    await writer.write(Buffer.from('abc'));
    await writer.abort();

    expect(s3.calls()).toHaveLength(0);
  });

  it('reports a failed part on the next write and still lets the caller abort', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
    s3.on(UploadPartCommand).rejects(new Error('connection reset'));
    s3.on(AbortMultipartUploadCommand).resolves({});
    const writer = await openWriter();

    await writer.write(patterned(PART));
    await writer.write(patterned(PART));
    const next = writer.write(patterned(1));

    await expect(next).rejects.toBeInstanceOf(InfrastructureError);
    await expect(next).rejects.toThrow(/UploadPart failed for s3:\/\/bronze\/sales\/x\.parquet/);
    await writer.abort();
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
  });

  it('reports a failed completion as InfrastructureError', async () => {
    mockMultipart();
    s3.on(CompleteMultipartUploadCommand).rejects(new Error('InternalError'));
    const writer = await openWriter();

    await writer.write(patterned(PART + 1));

    await expect(writer.complete()).rejects.toBeInstanceOf(InfrastructureError);
  });
});

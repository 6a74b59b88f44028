import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { InfrastructureError } from '../core/errors.js';
import type { ObjectWriter, PutOptions } from '../core/ports.js';
import { describeError, errorName } from './aws-errors.js';

const MIB = 1024 * 1024;
/** S3 refuses parts below 5 MiB (except the last). */
export const MIN_PART_SIZE_BYTES = 5 * MIB;
export const DEFAULT_PART_SIZE_BYTES = 8 * MIB;
const MAX_PARTS = 10_000;

type WriterState = 'open' | 'closing' | 'done' | 'aborted';

/** Where a writer puts its object and what it labels it with. */
export interface WriterTarget extends PutOptions {
  readonly bucket: string;
  readonly key: string;
}

/** Removes the quotes S3 puts around ETags. */
export function unquoteEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^"(.*)"$/, '$1');
}

/** Clamps a requested part size to what S3 accepts. */
export function effectivePartSize(requested: number | undefined): number {
  return Math.max(MIN_PART_SIZE_BYTES, Math.floor(requested ?? DEFAULT_PART_SIZE_BYTES));
}

/**
 * A streamed S3 write with bounded memory: one part buffer fills while at most one earlier
 * part uploads, so the writer holds at most two parts. A body that never fills a part is
 * sent with one PutObject and no multipart upload is ever created.
 */
export class S3MultipartWriter implements ObjectWriter {
  private readonly partSize: number;
  // Allocated lazily; allocUnsafe pages are only touched as bytes arrive.
  private buffer: Buffer | undefined;
  private filled = 0;
  private partsStarted = 0;
  private readonly parts: CompletedPart[] = [];
  private uploadId: string | undefined;
  private inFlight: Promise<void> | undefined;
  private failure: unknown;
  private state: WriterState = 'open';
  private aborting: Promise<void> | undefined;
  // Calls run one after another even when a caller forgets to await write().
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: S3Client,
    private readonly target: WriterTarget,
    partSizeBytes?: number,
  ) {
    this.partSize = effectivePartSize(partSizeBytes);
  }

  /** Appends bytes; resolves once they are buffered and at most one part is uploading. */
  write(chunk: Uint8Array): Promise<void> {
    return this.serialize(() => this.append(chunk));
  }

  /** Uploads what is left and makes the object visible; returns its ETag without quotes. */
  complete(): Promise<{ etag: string }> {
    return this.serialize(() => this.finish());
  }

  /** Abandons the upload; safe to call more than once and after a failed write or complete. */
  abort(): Promise<void> {
    if (this.state === 'done') return Promise.resolve();
    this.aborting ??= this.abandon().catch((error: unknown) => {
      // A failed abort may be tried again.
      this.aborting = undefined;
      throw error;
    });
    return this.aborting;
  }

  private serialize<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.tail.then(operation);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async append(chunk: Uint8Array): Promise<void> {
    this.assertState('open', 'write');
    // A part that failed in the background fails the next write, not only the next part.
    this.throwIfFailed();
    let offset = 0;
    while (offset < chunk.byteLength) {
      // A full buffer is shipped only once more bytes arrive, so a body of exactly one part
      // still goes out as a single PutObject.
      if (this.filled === this.partSize) await this.shipBuffer();
      this.buffer ??= Buffer.allocUnsafe(this.partSize);
      const n = Math.min(this.partSize - this.filled, chunk.byteLength - offset);
      this.buffer.set(chunk.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
    }
  }

  private async shipBuffer(): Promise<void> {
    // Backpressure: the previous part must land before this one leaves.
    await this.inFlight;
    this.throwIfFailed();
    this.assertNotAborted();
    const partNumber = ++this.partsStarted;
    if (partNumber > MAX_PARTS) {
      throw new InfrastructureError(`${this.describeTarget()} needs more than ${MAX_PARTS} parts`);
    }
    const body = (this.buffer ?? Buffer.alloc(0)).subarray(0, this.filled);
    this.buffer = undefined;
    this.filled = 0;
    this.inFlight = this.uploadPart(partNumber, body).catch((error: unknown) => {
      this.failure ??= error;
    });
  }

  private async uploadPart(partNumber: number, body: Buffer): Promise<void> {
    const uploadId = await this.ensureUpload();
    if (this.state === 'aborted') return;
    const out = await this.client.send(
      new UploadPartCommand({
        Bucket: this.target.bucket,
        Key: this.target.key,
        UploadId: uploadId,
        PartNumber: partNumber,
        Body: body,
        ChecksumAlgorithm: 'CRC32',
      }),
    );
    this.parts.push({ PartNumber: partNumber, ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32 });
  }

  private async ensureUpload(): Promise<string> {
    if (this.uploadId) return this.uploadId;
    const out = await this.client
      .send(
        new CreateMultipartUploadCommand({
          Bucket: this.target.bucket,
          Key: this.target.key,
          ContentType: this.target.contentType,
          Metadata: this.target.metadata,
          // Declared up front so that the per-part CRC32 the SDK sends matches the upload's type.
          ChecksumAlgorithm: 'CRC32',
        }),
      )
      .catch((error: unknown) => {
        throw this.infrastructureError('CreateMultipartUpload', error);
      });
    if (!out.UploadId) throw new InfrastructureError(`${this.describeTarget()}: no UploadId returned`);
    this.uploadId = out.UploadId;
    return out.UploadId;
  }

  private async finish(): Promise<{ etag: string }> {
    this.assertState('open', 'complete');
    this.state = 'closing';
    const etag = this.partsStarted === 0 ? await this.putWhole() : await this.completeUpload();
    this.state = 'done';
    return { etag };
  }

  private async putWhole(): Promise<string> {
    const body = (this.buffer ?? Buffer.alloc(0)).subarray(0, this.filled);
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.target.bucket,
          Key: this.target.key,
          Body: body,
          ContentType: this.target.contentType,
          Metadata: this.target.metadata,
        }),
      );
      this.buffer = undefined;
      return unquoteEtag(out.ETag);
    } catch (error) {
      throw this.infrastructureError('PutObject', error);
    }
  }

  private async completeUpload(): Promise<string> {
    if (this.filled > 0) await this.shipBuffer();
    await this.inFlight;
    this.throwIfFailed();
    this.assertNotAborted();
    try {
      const out = await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.target.bucket,
          Key: this.target.key,
          UploadId: this.uploadId,
          MultipartUpload: {
            Parts: [...this.parts].sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0)),
          },
        }),
      );
      return unquoteEtag(out.ETag);
    } catch (error) {
      throw this.infrastructureError('CompleteMultipartUpload', error);
    }
  }

  private async abandon(): Promise<void> {
    this.state = 'aborted';
    this.buffer = undefined;
    this.filled = 0;
    // A part still uploading would otherwise land after the abort and be billed.
    await this.inFlight;
    if (!this.uploadId) return;
    try {
      await this.client.send(
        new AbortMultipartUploadCommand({
          Bucket: this.target.bucket,
          Key: this.target.key,
          UploadId: this.uploadId,
        }),
      );
    } catch (error) {
      if (errorName(error) === 'NoSuchUpload') return;
      throw this.infrastructureError('AbortMultipartUpload', error);
    }
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.infrastructureError('UploadPart', this.failure);
  }

  private assertNotAborted(): void {
    if (this.state === 'aborted') throw new Error(`${this.describeTarget()}: the upload was aborted`);
  }

  private assertState(expected: WriterState, operation: string): void {
    if (this.state !== expected) {
      throw new Error(`cannot ${operation} ${this.describeTarget()}: the writer is ${this.state}`);
    }
  }

  private infrastructureError(operation: string, error: unknown): InfrastructureError {
    if (error instanceof InfrastructureError) return error;
    const message = `${operation} failed for ${this.describeTarget()}: ${describeError(error)}`;
    return new InfrastructureError(message, { cause: error });
  }

  private describeTarget(): string {
    return `s3://${this.target.bucket}/${this.target.key}`;
  }
}

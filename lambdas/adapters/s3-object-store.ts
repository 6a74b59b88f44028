import { Readable } from 'node:stream';
import {
  type _Object,
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  type S3ClientConfig,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { InfrastructureError, ObjectChangedError } from '../core/errors.js';
import type { ByteRange, ObjectHead, ObjectStore, ObjectWriter, PutOptions } from '../core/ports.js';
import { describeError, errorName, httpStatusOf } from './aws-errors.js';
import { S3MultipartWriter, unquoteEtag } from './s3-multipart-writer.js';

export interface S3ObjectStoreOptions {
  /** A ready client; by default one is built from `clientConfig`. */
  readonly client?: S3Client;
  /** Used only when no client is given. */
  readonly clientConfig?: S3ClientConfig;
  /**
   * Sources larger than this are copied part by part (UploadPartCopy): CopyObject stops at 5 GB.
   * Default 5 GiB; lower only in tests.
   */
  readonly multipartCopyAboveBytes?: number;
  /** The smallest part of a multipart copy (S3's floor is 5 MiB); default 512 MiB. */
  readonly copyPartBytes?: number;
}

/** CopyObject's limit: larger sources must be copied part by part. */
const COPY_OBJECT_MAX_BYTES = 5 * 1024 ** 3;
const DEFAULT_COPY_PART_BYTES = 512 * 1024 ** 2;
const MAX_PARTS = 10_000;

/** Part size for copying `size` bytes: at least `minimum`, and few enough parts for S3's limit. */
export function copyPartSize(size: number, minimum: number): number {
  const mib = 1024 ** 2;
  return Math.max(minimum, Math.ceil(size / MAX_PARTS / mib) * mib);
}

/** Puts an ETag in the quoted form S3 compares conditional headers against. */
export function quoteEtag(etag: string): string {
  return etag.startsWith('"') ? etag : `"${etag}"`;
}

/** The CopySource header value: bucket, then the key URL-encoded segment by segment, then the version. */
export function copySourceFor(bucket: string, key: string, versionId?: string): string {
  const path = `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  return versionId ? `${path}?versionId=${encodeURIComponent(versionId)}` : path;
}

/** The HTTP Range header for inclusive byte offsets; an open end reads to the end of the object. */
export function rangeHeader(range: ByteRange): string {
  if (!Number.isSafeInteger(range.start) || range.start < 0) {
    throw new RangeError(`bad range start: ${range.start}`);
  }
  if (range.end !== undefined && !(Number.isSafeInteger(range.end) && range.end >= range.start)) {
    throw new RangeError(`bad range end: ${range.end}`);
  }
  return `bytes=${range.start}-${range.end ?? ''}`;
}

function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  return (
    name === 'NoSuchKey' || name === 'NoSuchVersion' || name === 'NotFound' || httpStatusOf(error) === 404
  );
}

function isPreconditionFailed(error: unknown): boolean {
  return errorName(error) === 'PreconditionFailed' || httpStatusOf(error) === 412;
}

function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

function infrastructureError(operation: string, uri: string, error: unknown): InfrastructureError {
  return new InfrastructureError(`${operation} failed for ${uri}: ${describeError(error)}`, { cause: error });
}

/** A network failure in the middle of a body is an infrastructure problem like any other. */
async function* withDomainErrors(body: AsyncIterable<Uint8Array>, uri: string): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (error) {
    throw infrastructureError('reading the body of GetObject', uri, error);
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function headFromListing(bucket: string, object: _Object): ObjectHead {
  return {
    bucket,
    key: object.Key ?? '',
    etag: unquoteEtag(object.ETag),
    size: object.Size ?? 0,
    lastModified: object.LastModified,
  };
}

/** ObjectStore on S3: ETag-pinned reads, bounded-memory multipart writes, conditional copies. */
export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  private readonly multipartCopyAboveBytes: number;
  private readonly copyPartBytes: number;

  constructor(options: S3ObjectStoreOptions = {}) {
    this.client = options.client ?? new S3Client(options.clientConfig ?? {});
    this.multipartCopyAboveBytes = options.multipartCopyAboveBytes ?? COPY_OBJECT_MAX_BYTES;
    this.copyPartBytes = options.copyPartBytes ?? DEFAULT_COPY_PART_BYTES;
  }

  /** HEAD; undefined when the object does not exist. */
  async head(bucket: string, key: string): Promise<ObjectHead | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return {
        bucket,
        key,
        etag: unquoteEtag(out.ETag),
        size: out.ContentLength ?? 0,
        lastModified: out.LastModified,
        versionId: out.VersionId,
        metadata: out.Metadata ?? {},
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw infrastructureError('HeadObject', s3Uri(bucket, key), error);
    }
  }

  /**
   * Streams the object, or a byte range of it; with `ifMatch`, a changed or vanished object is an
   * ObjectChangedError.
   */
  async read(
    bucket: string,
    key: string,
    options: { ifMatch?: string; range?: ByteRange } = {},
  ): Promise<AsyncIterable<Uint8Array>> {
    const uri = s3Uri(bucket, key);
    const ifMatch = options.ifMatch ? quoteEtag(options.ifMatch) : undefined;
    const range = options.range ? rangeHeader(options.range) : undefined;
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: ifMatch, Range: range }),
      );
      if (out.Body === undefined) return Readable.from([]);
      if (!isAsyncIterable(out.Body)) {
        throw new InfrastructureError(`GetObject for ${uri} returned no stream`);
      }
      return Readable.from(withDomainErrors(out.Body, uri), { objectMode: false });
    } catch (error) {
      if (error instanceof InfrastructureError) throw error;
      if (options.ifMatch && (isPreconditionFailed(error) || isNotFound(error))) {
        throw new ObjectChangedError(`${uri} no longer has ETag ${options.ifMatch}`, { cause: error });
      }
      throw infrastructureError('GetObject', uri, error);
    }
  }

  /** Starts a multipart write that holds at most two parts in memory. */
  async openWriter(
    bucket: string,
    key: string,
    options: PutOptions & { partSizeBytes?: number } = {},
  ): Promise<ObjectWriter> {
    const { partSizeBytes, ...putOptions } = options;
    return new S3MultipartWriter(this.client, { bucket, key, ...putOptions }, partSizeBytes);
  }

  /** Writes a small object in one PutObject. */
  async put(
    bucket: string,
    key: string,
    body: Uint8Array | string,
    options: PutOptions = {},
  ): Promise<{ etag: string }> {
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: options.contentType,
          Metadata: options.metadata,
        }),
      );
      return { etag: unquoteEtag(out.ETag) };
    } catch (error) {
      throw infrastructureError('PutObject', s3Uri(bucket, key), error);
    }
  }

  /**
   * Server-side copy; with `ifMatch`, a changed or vanished source is an ObjectChangedError. A
   * source known (`size`) to be larger than CopyObject takes is copied part by part.
   */
  async copy(
    source: { bucket: string; key: string; ifMatch?: string; versionId?: string; size?: number },
    target: { bucket: string; key: string },
    options: PutOptions = {},
  ): Promise<void> {
    const sourceUri = s3Uri(source.bucket, source.key);
    if (source.size !== undefined && source.size > this.multipartCopyAboveBytes) {
      await this.copyInParts({ ...source, size: source.size }, target, options);
      return;
    }
    // COPY would silently drop new metadata and content type, so either one means REPLACE.
    const replace = options.metadata !== undefined || options.contentType !== undefined;
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: target.bucket,
          Key: target.key,
          CopySource: copySourceFor(source.bucket, source.key, source.versionId),
          CopySourceIfMatch: source.ifMatch ? quoteEtag(source.ifMatch) : undefined,
          MetadataDirective: replace ? 'REPLACE' : undefined,
          Metadata: replace ? (options.metadata ?? {}) : undefined,
          ContentType: replace ? options.contentType : undefined,
        }),
      );
    } catch (error) {
      if (source.ifMatch && (isPreconditionFailed(error) || isNotFound(error))) {
        throw new ObjectChangedError(`${sourceUri} no longer has ETag ${source.ifMatch}`, { cause: error });
      }
      throw infrastructureError(`CopyObject to ${s3Uri(target.bucket, target.key)}`, sourceUri, error);
    }
  }

  /**
   * UploadPartCopy in ranges of the source, each guarded by `ifMatch`. The source's metadata and
   * content type are carried over unless `options` gives new ones (CopyObject's COPY directive).
   * A failed copy aborts its upload, leaving no parts behind.
   */
  private async copyInParts(
    source: { bucket: string; key: string; ifMatch?: string; versionId?: string; size: number },
    target: { bucket: string; key: string },
    options: PutOptions,
  ): Promise<void> {
    const sourceUri = s3Uri(source.bucket, source.key);
    const targetUri = s3Uri(target.bucket, target.key);
    const changed = (error: unknown) =>
      source.ifMatch && (isPreconditionFailed(error) || isNotFound(error))
        ? new ObjectChangedError(`${sourceUri} no longer has ETag ${source.ifMatch}`, { cause: error })
        : undefined;
    let metadata = options.metadata;
    let contentType = options.contentType;
    if (metadata === undefined && contentType === undefined) {
      const head = await this.client
        .send(
          new HeadObjectCommand({
            Bucket: source.bucket,
            Key: source.key,
            VersionId: source.versionId,
            IfMatch: source.ifMatch ? quoteEtag(source.ifMatch) : undefined,
          }),
        )
        .catch((error: unknown) => {
          throw changed(error) ?? infrastructureError('HeadObject', sourceUri, error);
        });
      metadata = head.Metadata;
      contentType = head.ContentType;
    }
    let uploadId: string | undefined;
    try {
      const created = await this.client.send(
        new CreateMultipartUploadCommand({
          Bucket: target.bucket,
          Key: target.key,
          Metadata: metadata,
          ContentType: contentType,
        }),
      );
      uploadId = created.UploadId;
      const partBytes = copyPartSize(source.size, this.copyPartBytes);
      const parts: { ETag?: string; PartNumber: number }[] = [];
      for (let start = 0, number = 1; start < source.size; start += partBytes, number++) {
        const end = Math.min(source.size, start + partBytes) - 1;
        const out = await this.client.send(
          new UploadPartCopyCommand({
            Bucket: target.bucket,
            Key: target.key,
            UploadId: uploadId,
            PartNumber: number,
            CopySource: copySourceFor(source.bucket, source.key, source.versionId),
            CopySourceIfMatch: source.ifMatch ? quoteEtag(source.ifMatch) : undefined,
            CopySourceRange: `bytes=${start}-${end}`,
          }),
        );
        parts.push({ ETag: out.CopyPartResult?.ETag, PartNumber: number });
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: target.bucket,
          Key: target.key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (error) {
      if (uploadId) {
        await this.client
          .send(
            new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId }),
          )
          .catch(() => undefined);
      }
      throw changed(error) ?? infrastructureError(`UploadPartCopy to ${targetUri}`, sourceUri, error);
    }
  }

  /** Lists a prefix page by page (ListObjectsV2), in key order, after `startAfter` when given. */
  async *list(
    bucket: string,
    prefix: string,
    options: { startAfter?: string } = {},
  ): AsyncIterable<ObjectHead[]> {
    let continuationToken: string | undefined;
    do {
      const out = await this.listPage(bucket, prefix, options.startAfter, continuationToken);
      const page = (out.Contents ?? []).map((object) => headFromListing(bucket, object));
      if (page.length > 0) yield page;
      continuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  /** Deletes an object or one version (S3 answers the same whether or not it existed). */
  async delete(bucket: string, key: string, options: { versionId?: string } = {}): Promise<void> {
    try {
      await this.client.send(
        new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: options.versionId }),
      );
    } catch (error) {
      if (options.versionId && isNotFound(error)) return;
      throw infrastructureError('DeleteObject', s3Uri(bucket, key), error);
    }
  }

  /** PutObjectTagging: the tags replace the object's (or version's) tag set. */
  async tag(
    bucket: string,
    key: string,
    tags: Readonly<Record<string, string>>,
    options: { versionId?: string } = {},
  ): Promise<void> {
    const uri = s3Uri(bucket, key);
    try {
      await this.client.send(
        new PutObjectTaggingCommand({
          Bucket: bucket,
          Key: key,
          VersionId: options.versionId,
          Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
        }),
      );
    } catch (error) {
      if (isNotFound(error)) throw new ObjectChangedError(`${uri} no longer exists`, { cause: error });
      throw infrastructureError('PutObjectTagging', uri, error);
    }
  }

  private async listPage(bucket: string, prefix: string, startAfter?: string, continuationToken?: string) {
    try {
      return await this.client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          // The continuation token already encodes the position; StartAfter only seeds it.
          StartAfter: continuationToken ? undefined : startAfter,
          ContinuationToken: continuationToken,
        }),
      );
    } catch (error) {
      throw infrastructureError('ListObjectsV2', `s3://${bucket}/${prefix}`, error);
    }
  }
}

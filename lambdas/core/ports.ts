/**
 * The small interfaces the core talks to. S3, DynamoDB and SQS adapters implement them in
 * `lambdas/adapters`; tests and the benchmark use in-memory or local-file versions.
 * Nothing in `lambdas/core` imports an AWS SDK module.
 */

/** What a listing or HEAD tells about an object. */
export interface ObjectHead {
  readonly bucket: string;
  readonly key: string;
  /** ETag without surrounding quotes. */
  readonly etag: string;
  readonly size: number;
  readonly lastModified?: Date;
  readonly versionId?: string;
  /** User metadata (x-amz-meta-*), lower-case keys, when the call returns it. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Byte offsets as in an HTTP Range header: both inclusive; no `end` means to the end of the object. */
export interface ByteRange {
  readonly start: number;
  readonly end?: number;
}

export interface PutOptions {
  readonly contentType?: string;
  readonly metadata?: Record<string, string>;
}

/** A multipart upload in progress: parts are sent as they fill, so memory stays at one part. */
export interface ObjectWriter {
  /** Appends bytes; resolves when the writer can take more (backpressure). */
  write(chunk: Uint8Array): Promise<void>;
  /** Completes the upload and returns the new object's ETag. */
  complete(): Promise<{ etag: string }>;
  /** Abandons the upload; nothing becomes visible. */
  abort(): Promise<void>;
}

export interface ObjectStore {
  /** HEAD; undefined when the object does not exist. */
  head(bucket: string, key: string): Promise<ObjectHead | undefined>;
  /**
   * Streams the object's bytes. With `ifMatch`, throws ObjectChangedError when the object's
   * ETag differs (412) or the object is gone (404). With `range`, only those bytes (a footer read).
   */
  read(
    bucket: string,
    key: string,
    options?: { ifMatch?: string; range?: ByteRange },
  ): Promise<AsyncIterable<Uint8Array>>;
  /** Starts a streamed (multipart) write. */
  openWriter(
    bucket: string,
    key: string,
    options?: PutOptions & { partSizeBytes?: number },
  ): Promise<ObjectWriter>;
  /** Writes a small object in one request. */
  put(
    bucket: string,
    key: string,
    body: Uint8Array | string,
    options?: PutOptions,
  ): Promise<{ etag: string }>;
  /**
   * Server-side copy; with `ifMatch`, only when the source still has that ETag (else
   * ObjectChangedError); with `versionId`, that version. `size`, when known, lets a store pick a
   * way that works for very large objects.
   */
  copy(
    source: { bucket: string; key: string; ifMatch?: string; versionId?: string; size?: number },
    target: { bucket: string; key: string },
    options?: PutOptions,
  ): Promise<void>;
  /** Lists a prefix page by page, in key order. */
  list(bucket: string, prefix: string, options?: { startAfter?: string }): AsyncIterable<ObjectHead[]>;
  /** Deletes an object, or with `versionId` that one version; a missing one is not an error. */
  delete(bucket: string, key: string, options?: { versionId?: string }): Promise<void>;
  /**
   * Sets the tags of an object (or of one version): they replace its tag set. ObjectChangedError
   * when the object or version no longer exists.
   */
  tag(
    bucket: string,
    key: string,
    tags: Readonly<Record<string, string>>,
    options?: { versionId?: string },
  ): Promise<void>;
}

/** One message for the ingest queue: a file to (re)consider. */
export interface IngestRequest {
  readonly bucket: string;
  readonly key: string;
  /** Set by the sweep or the CLI; events from S3 carry none. */
  readonly reason?: 'sweep' | 'reprocess' | 'event' | 'resume';
  /**
   * Set by `bronze reprocess` and `bronze sweep --force`: the ledger item carries a matching
   * reprocess request, which lets one claim of an already finished ETag through.
   */
  readonly reprocess?: boolean;
  /**
   * The ETag and size the S3 event reports for the version it announces: with both, the engine
   * skips the HEAD and reads that version (a HEAD follows only when it has been replaced since).
   */
  readonly etag?: string;
  readonly size?: number;
  /** The announced version's id (versioned buckets) and the event's time (ISO 8601). */
  readonly versionId?: string;
  readonly eventTime?: string;
}

export interface IngestQueue {
  /** Enqueues requests in the given order (batched by the adapter). */
  send(requests: readonly IngestRequest[]): Promise<void>;
}

/** A received queue message, addressed as the handler can reach it again. */
export interface ReceivedMessage {
  /** The queue's ARN (an SQS record's eventSourceARN). */
  readonly queueArn: string;
  readonly receiptHandle: string;
}

export interface MessageVisibility {
  /**
   * Makes a received message visible again in `seconds` (0: at once) rather than after the
   * queue's visibility timeout: a newer version must not wait behind a full timeout.
   */
  changeVisibility(message: ReceivedMessage, seconds: number): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

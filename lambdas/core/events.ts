import type { IngestRequest } from './ports.js';

/** What one queue message asks for. */
export type ParsedMessage =
  | { readonly kind: 'files'; readonly requests: IngestRequest[] }
  | { readonly kind: 'test' }
  | { readonly kind: 'unrecognised'; readonly reason: string };

/** S3 notification keys are URL-encoded with "+" for space. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/** decodeS3Key, or undefined for a malformed escape (a stray `%`, or bytes that are not UTF-8). */
function decodedS3Key(key: string): string | undefined {
  try {
    return decodeS3Key(key);
  } catch {
    return undefined;
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a queue message body: an EventBridge "Object Created" event, a classic S3 notification
 * (possibly several records), an `s3:TestEvent`, or a request from the sweep or the CLI.
 */
export function parseMessage(body: string): ParsedMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: 'unrecognised', reason: 'body is not JSON' };
  }
  if (!isObject(json)) return { kind: 'unrecognised', reason: 'body is not a JSON object' };

  if (json['detail-type'] === 'Object Created' && isObject(json.detail)) {
    const bucket = isObject(json.detail.bucket) ? json.detail.bucket.name : undefined;
    const key = isObject(json.detail.object) ? json.detail.object.key : undefined;
    if (typeof bucket === 'string' && typeof key === 'string') {
      const object = json.detail.object as Json;
      const version = announced(object.etag, object.size, object['version-id'], json.time);
      return { kind: 'files', requests: [{ bucket, key, reason: 'event', ...version }] };
    }
    return {
      kind: 'unrecognised',
      reason: 'EventBridge event without detail.bucket.name and detail.object.key',
    };
  }
  if (json.Event === 's3:TestEvent') return { kind: 'test' };
  if (Array.isArray(json.Records)) {
    const requests: IngestRequest[] = [];
    for (const record of json.Records) {
      const s3 = isObject(record) && isObject(record.s3) ? record.s3 : undefined;
      const bucket = s3 && isObject(s3.bucket) ? s3.bucket.name : undefined;
      const key = s3 && isObject(s3.object) ? s3.object.key : undefined;
      if (typeof bucket !== 'string' || typeof key !== 'string') {
        return {
          kind: 'unrecognised',
          reason: 'S3 notification record without s3.bucket.name and s3.object.key',
        };
      }
      if (typeof record.eventName === 'string' && !record.eventName.startsWith('ObjectCreated')) continue;
      const decoded = decodedS3Key(key);
      if (decoded === undefined) {
        return { kind: 'unrecognised', reason: `S3 notification key is not valid URL encoding: ${key}` };
      }
      const object = s3!.object as Json;
      const version = announced(object.eTag, object.size, object.versionId, record.eventTime);
      requests.push({ bucket, key: decoded, reason: 'event', ...version });
    }
    return { kind: 'files', requests };
  }
  if ('bucket' in json || 'key' in json) return parseIngestRequest(json);
  return { kind: 'unrecognised', reason: 'not an S3 event, an EventBridge event or an ingest request' };
}

/**
 * The version an S3 event announces, when it gives both its ETag and size. ETags are kept without
 * the quotes S3's API puts around them, as events carry them and the object store returns them.
 */
function announced(
  etag: unknown,
  size: unknown,
  versionId: unknown,
  time: unknown,
): Pick<IngestRequest, 'etag' | 'size' | 'versionId' | 'eventTime'> {
  if (
    typeof etag !== 'string' ||
    !etag ||
    typeof size !== 'number' ||
    !Number.isSafeInteger(size) ||
    size < 0
  )
    return {};
  return {
    etag: etag.replace(/^"(.*)"$/, '$1'),
    size,
    ...(typeof versionId === 'string' && versionId ? { versionId } : {}),
    ...(typeof time === 'string' && !Number.isNaN(Date.parse(time)) ? { eventTime: time } : {}),
  };
}

const REASONS: ReadonlySet<unknown> = new Set(['sweep', 'reprocess', 'event', 'resume']);

/** A request written by ingestRequestBody, checked field by field. */
function parseIngestRequest(json: Json): ParsedMessage {
  const { bucket, key, reason, reprocess } = json;
  if (typeof bucket !== 'string' || !bucket || typeof key !== 'string' || !key) {
    return { kind: 'unrecognised', reason: 'ingest request without a bucket and a key' };
  }
  if (reason !== undefined && !REASONS.has(reason)) {
    return { kind: 'unrecognised', reason: `ingest request with unknown reason ${JSON.stringify(reason)}` };
  }
  if (reprocess !== undefined && typeof reprocess !== 'boolean') {
    return { kind: 'unrecognised', reason: 'ingest request whose reprocess flag is not a boolean' };
  }
  const request: IngestRequest = {
    bucket,
    key,
    ...(reason !== undefined ? { reason: reason as IngestRequest['reason'] } : {}),
    ...(reprocess !== undefined ? { reprocess } : {}),
  };
  return { kind: 'files', requests: [request] };
}

/** The message body the sweep and the CLI send: `{"bucket","key","reason","reprocess"}`. */
export function ingestRequestBody(request: IngestRequest): string {
  return JSON.stringify({
    bucket: request.bucket,
    key: request.key,
    reason: request.reason,
    reprocess: request.reprocess,
  });
}

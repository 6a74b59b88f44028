import { createHash } from 'node:crypto';

const MAX_KEY_BYTES = 1024;

/**
 * Athena skips objects under path segments starting with "_" or "." and S3 keys are at most
 * 1024 bytes. Escaping "%", and a leading "_" or ".", keeps the mapping injective.
 */
function escapeSegment(segment: string): string {
  const s = segment.replaceAll('%', '%25');
  if (s.startsWith('_')) return `%5F${s.slice(1)}`;
  if (s.startsWith('.')) return `%2E${s.slice(1)}`;
  return s;
}

function mirror(ingestionKey: string, bucket: string, key: string, suffix: string): string {
  const path = `${ingestionKey}/${escapeSegment(bucket)}/${key.split('/').map(escapeSegment).join('/')}${suffix}`;
  if (Buffer.byteLength(path) <= MAX_KEY_BYTES) return path;
  const digest = createHash('sha256').update(`${bucket}/${key}`).digest('hex').slice(0, 32);
  return `${ingestionKey}/${escapeSegment(bucket)}/%5Flong/${digest}${suffix}`;
}

/** The one bronze key for a source file: a pure function of (ingestion_key, bucket, key). */
export function bronzeKeyFor(ingestionKey: string, bucket: string, key: string): string {
  return mirror(ingestionKey, bucket, key, '.parquet');
}

/** Prefix under which a dataset's bronze objects live (the Glue table location). */
export function bronzePrefixFor(ingestionKey: string): string {
  return `${ingestionKey}/`;
}

/** Where a rejected file's copy, its error report and set-aside rows go in the quarantine bucket. */
export function quarantineKeysFor(
  ingestionKey: string,
  bucket: string,
  key: string,
): { copy: string; report: string; rows: string } {
  const base = mirror(ingestionKey, bucket, key, '');
  return { copy: base, report: `${base}.error.json`, rows: `${base}.rejected-rows.jsonl` };
}

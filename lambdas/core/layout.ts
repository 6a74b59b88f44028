import { createHash } from 'node:crypto';
import { compileKeyPattern } from './key-pattern.js';

const MAX_KEY_BYTES = 1024;
/** The Hive partition column of every bronze table (and of load history). */
export const PARTITION_COLUMN = 'dt';
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
/** Matches the `dt=YYYY-MM-DD/` segment right after the dataset prefix. */
const PARTITION_SEGMENT = /^([^/]+)\/dt=(\d{4}-\d{2}-\d{2})\//;

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

function mirror(base: string, bucket: string, key: string, suffix: string): string {
  const path = `${base}/${escapeSegment(bucket)}/${key.split('/').map(escapeSegment).join('/')}${suffix}`;
  if (Buffer.byteLength(path) <= MAX_KEY_BYTES) return path;
  const digest = createHash('sha256').update(`${bucket}/${key}`).digest('hex').slice(0, 32);
  return `${base}/${escapeSegment(bucket)}/%5Flong/${digest}${suffix}`;
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isPartitionDate(value: string): boolean {
  // Files of a day share their date: the last one that passed is answered without a Date.
  if (value === lastPartitionDate) return true;
  if (!DATE_PATTERN.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  const valid = !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
  if (valid) lastPartitionDate = value;
  return valid;
}

let lastPartitionDate: string | undefined;

/**
 * The one bronze key for a source file: a pure function of (ingestion_key, partition date,
 * bucket, key), laid out as `<ingestion_key>/dt=YYYY-MM-DD/<bucket>/<key>.parquet`.
 */
export function bronzeKeyFor(
  ingestionKey: string,
  partitionDate: string,
  bucket: string,
  key: string,
): string {
  if (!isPartitionDate(partitionDate)) throw new Error(`not a YYYY-MM-DD partition date: ${partitionDate}`);
  return mirror(`${ingestionKey}/${PARTITION_COLUMN}=${partitionDate}`, bucket, key, '.parquet');
}

/**
 * What identifies a bronze object's source file whatever its partition: the key without its
 * `dt=` segment. Two objects with one slot are two copies of one source file. A key written
 * before the partitioned layout is its own slot, so it pairs with its partitioned successor.
 */
export function bronzeSlotOf(bronzeKey: string): string {
  return bronzeKey.replace(PARTITION_SEGMENT, '$1/');
}

/** The slot of a source file's bronze objects (see `bronzeSlotOf`): its key in no partition. */
export function bronzeSlotFor(ingestionKey: string, bucket: string, key: string): string {
  return mirror(ingestionKey, bucket, key, '.parquet');
}

/** The partition date of a bronze key, or undefined for a key of the unpartitioned layout. */
export function partitionOfBronzeKey(bronzeKey: string): string | undefined {
  return PARTITION_SEGMENT.exec(bronzeKey)?.[2];
}

/**
 * The date partition of a source file (YYYY-MM-DD). The contract's `partition_date.key_pattern`
 * decides when it matches the key with a real date; otherwise the LastModified of the version
 * being ingested, in UTC: S3 fixes it when that version is written, so re-ingesting the same
 * version (reprocess, sweep --force, a wiped ledger) lands in the same partition.
 */
export function partitionDateFor(
  keyPattern: string | undefined,
  source: { readonly key: string; readonly lastModified?: Date },
): string {
  const fromKey = keyPartitionDate(keyPattern, source.key);
  if (fromKey) return fromKey;
  if (!source.lastModified) throw new Error(`no LastModified for ${source.key} to date its partition`);
  return source.lastModified.toISOString().slice(0, 10);
}

/** The real date (YYYY-MM-DD) the contract's key pattern reads from a key, if any. */
export function keyPartitionDate(keyPattern: string | undefined, key: string): string | undefined {
  if (!keyPattern) return undefined;
  // Only through the check that refuses patterns which could backtrack super-linearly.
  const groups = compileKeyPattern(keyPattern).exec(key)?.groups;
  if (!groups?.year || !groups.month) return undefined;
  const date = `${groups.year}-${groups.month}-${groups.day ?? '01'}`;
  return isPartitionDate(date) ? date : undefined;
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

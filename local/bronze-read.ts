/** Reads bronze objects back with hyparquet, a reader independent of the engine's writer. */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { bronzePrefixFor, bronzeSlotFor, bronzeSlotOf } from '../lambdas/core/layout.js';

/** Every row of one Parquet object. */
export async function readBronzeRows(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<Record<string, unknown>[]> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = await out.Body!.transformToByteArray();
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rows = (await parquetReadObjects({ file })) as Record<string, unknown>[];
  return withDecimalText(rows, file);
}

/**
 * hyparquet reads a DECIMAL as a double: shown with its scale ("549.10", not 549.1), as the
 * value is stored. Exact for the precisions of the samples (up to 15 digits).
 */
function withDecimalText(rows: Record<string, unknown>[], file: ArrayBuffer): Record<string, unknown>[] {
  const decimals = parquetMetadata(file)
    .schema.filter((e) => e.logical_type?.type === 'DECIMAL')
    .map((e) => [e.name, e.scale ?? 0] as const);
  if (decimals.length === 0) return rows;
  for (const row of rows) {
    for (const [name, scale] of decimals) {
      const v = row[name];
      if (typeof v === 'number') row[name] = v.toFixed(scale);
    }
  }
  return rows;
}

/** The bronze keys of one source file, whatever their partition (one, by invariant 1). */
export async function bronzeKeysOfSource(
  s3: S3Client,
  bronzeBucket: string,
  dataset: string,
  source: { bucket: string; key: string },
): Promise<string[]> {
  const slot = bronzeSlotFor(dataset, source.bucket, source.key);
  return (await listKeys(s3, bronzeBucket, bronzePrefixFor(dataset))).filter((k) => bronzeSlotOf(k) === slot);
}

/** Keys under a prefix, all pages. */
export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

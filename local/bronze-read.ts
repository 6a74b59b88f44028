/** Reads bronze objects back with hyparquet, a reader independent of the engine's writer. */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { parquetReadObjects } from 'hyparquet';
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
  return (await parquetReadObjects({ file })) as Record<string, unknown>[];
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

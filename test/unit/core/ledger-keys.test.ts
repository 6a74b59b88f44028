import { describe, expect, it } from 'vitest';
import {
  filePathFor,
  filePathOf,
  MAX_FILE_PATH_BYTES,
  parseS3Uri,
  RESERVED_PREFIX,
  sourcePathFor,
  sourcePathOf,
} from '../../../lambdas/core/ledger.js';

const BUCKET = 'landing';
const keyOfBytes = (bytes: number) => `orders/${'x'.repeat(bytes - 'orders/'.length)}`;

describe('the ledger sort key of a source file', () => {
  it('is s3://bucket/key while that fits in 1,024 bytes', () => {
    const key = keyOfBytes(MAX_FILE_PATH_BYTES - 's3://landing/'.length);
    expect(filePathFor(BUCKET, key)).toBe(`s3://${BUCKET}/${key}`);
    expect(filePathFor(BUCKET, 'orders/日本語.csv')).toBe('s3://landing/orders/日本語.csv');
  });

  it('is a digest under the bucket for a longer path, and the same digest every time', () => {
    const key = keyOfBytes(1024);
    const path = filePathFor(BUCKET, key);
    expect(path).toMatch(/^s3:\/\/landing\/#sha256:[0-9a-f]{64}$/);
    expect(filePathFor(BUCKET, key)).toBe(path);
    expect(filePathFor(BUCKET, `${key.slice(0, -1)}y`)).not.toBe(path);
    expect(path.startsWith(RESERVED_PREFIX)).toBe(false);
  });

  it('never equals the path of a real key that looks like a digest', () => {
    const long = filePathFor(BUCKET, keyOfBytes(1024));
    const lookalike = long.slice(`s3://${BUCKET}/`.length);
    expect(filePathFor(BUCKET, lookalike)).not.toBe(long);
    expect(filePathFor(BUCKET, lookalike)).toMatch(/#sha256:[0-9a-f]{64}$/);
  });

  it('is found again from the real path, and the real path from an item of either form', () => {
    const key = `orders/${'漢'.repeat(400)}.csv`;
    const source = sourcePathFor(BUCKET, key);
    expect(filePathOf(source)).toBe(filePathFor(BUCKET, key));
    expect(sourcePathOf({ file_path: filePathOf(source), source_path: source })).toBe(source);
    expect(sourcePathOf({ file_path: 's3://landing/a.csv' })).toBe('s3://landing/a.csv');
  });

  it('parses URIs whose key holds line breaks and control characters', () => {
    expect(parseS3Uri('s3://landing/a\nb\u0007.csv')).toEqual({ bucket: BUCKET, key: 'a\nb\u0007.csv' });
  });
});

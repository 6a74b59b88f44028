import { describe, expect, it } from 'vitest';
import {
  SOURCE_FILE_B64_KEY,
  SOURCE_FILE_KEY,
  sourceFileFromMetadata,
  sourceFileMetadata,
} from '../../../lambdas/core/object-metadata.js';

const HEADER_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
const PATHS = [
  's3://landing/orders/2024-03-01.csv',
  's3://landing/orders/2024-03-01-日本語.csv',
  's3://landing/orders/📦🚚.csv',
  's3://landing/orders/\u001b[31mred\u0007.csv',
  's3://landing/orders/50% off+more %41.csv',
  's3://landing/orders/café.csv',
  's3://landing/orders/trailing space .csv ',
  's3://landing/orders/line\nbreak.csv',
  `s3://landing/orders/${'漢'.repeat(333)}.csv`,
];

describe('source paths in S3 user metadata', () => {
  it.each(PATHS)('round-trips %j through a value HTTP can carry', (path) => {
    const metadata = sourceFileMetadata(path);
    for (const value of Object.values(metadata)) expect(value).toMatch(HEADER_VALUE);
    expect(sourceFileFromMetadata(metadata)).toBe(path);
  });

  it('keeps a printable ASCII path readable as it is', () => {
    expect(sourceFileMetadata('s3://landing/orders/50% off+more.csv')).toEqual({
      [SOURCE_FILE_KEY]: 's3://landing/orders/50% off+more.csv',
    });
  });

  it('reads the raw form older objects carry, percent signs included', () => {
    expect(sourceFileFromMetadata({ [SOURCE_FILE_KEY]: 's3://landing/a%20b.csv' })).toBe(
      's3://landing/a%20b.csv',
    );
  });

  it('keeps the metadata of a 1,024-byte CJK key inside the 2 KB user-metadata limit', () => {
    const key = `orders/${'漢'.repeat(339)}.csv`;
    const metadata = sourceFileMetadata(
      `s3://a-63-character-bucket-name-is-the-longest-name-s3-accepts-xx/${key}`,
    );
    const bytes = Object.entries(metadata).reduce((n, [k, v]) => n + k.length + v.length, 0);
    expect(Object.keys(metadata)).toEqual([SOURCE_FILE_B64_KEY]);
    expect(bytes).toBeLessThan(1500);
  });
});

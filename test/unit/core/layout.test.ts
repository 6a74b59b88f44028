import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bronzeKeyFor, quarantineKeysFor } from '../../../lambdas/core/layout.js';

describe('bronzeKeyFor', () => {
  it('mirrors the source under the dataset and bucket', () => {
    expect(bronzeKeyFor('orders', 'landing-bucket', 'orders/2024/03/01.csv')).toBe(
      'orders/landing-bucket/orders/2024/03/01.csv.parquet',
    );
  });

  it('escapes segments Athena would skip', () => {
    expect(bronzeKeyFor('orders', 'b', 'orders/_tmp/.hidden.csv')).toBe(
      'orders/b/orders/%5Ftmp/%2Ehidden.csv.parquet',
    );
  });

  it('is a pure function of its inputs', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (bucket, key) => {
        expect(bronzeKeyFor('d', bucket, key)).toBe(bronzeKeyFor('d', bucket, key));
      }),
    );
  });

  it('maps different source keys to different bronze keys', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
        fc.pre(a !== b);
        expect(bronzeKeyFor('d', 'bucket', a)).not.toBe(bronzeKeyFor('d', 'bucket', b));
      }),
    );
  });

  it('keeps keys within the S3 limit by hashing very long ones', () => {
    const key = bronzeKeyFor('d', 'b', `${'x/'.repeat(600)}f.csv`);
    expect(Buffer.byteLength(key)).toBeLessThanOrEqual(1024);
    expect(key).toMatch(/^d\/b\/%5Flong\/[0-9a-f]{32}\.parquet$/);
  });

  it('puts quarantine copy, report and rows side by side', () => {
    expect(quarantineKeysFor('orders', 'b', 'orders/x.csv')).toEqual({
      copy: 'orders/b/orders/x.csv',
      report: 'orders/b/orders/x.csv.error.json',
      rows: 'orders/b/orders/x.csv.rejected-rows.jsonl',
    });
  });
});

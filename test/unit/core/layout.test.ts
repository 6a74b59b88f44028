import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bronzeKeyFor,
  bronzeSlotFor,
  bronzeSlotOf,
  partitionOfBronzeKey,
  quarantineKeysFor,
} from '../../../lambdas/core/layout.js';

const DT = '2024-03-01';

describe('bronzeKeyFor', () => {
  it('mirrors the source under the dataset, its date partition and the bucket', () => {
    expect(bronzeKeyFor('orders', DT, 'landing-bucket', 'orders/2024/03/01.csv')).toBe(
      'orders/dt=2024-03-01/landing-bucket/orders/2024/03/01.csv.parquet',
    );
  });

  it('escapes segments Athena would skip', () => {
    expect(bronzeKeyFor('orders', DT, 'b', 'orders/_tmp/.hidden.csv')).toBe(
      'orders/dt=2024-03-01/b/orders/%5Ftmp/%2Ehidden.csv.parquet',
    );
  });

  it('is a pure function of its inputs', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (bucket, key) => {
        expect(bronzeKeyFor('d', DT, bucket, key)).toBe(bronzeKeyFor('d', DT, bucket, key));
      }),
    );
  });

  it('maps different source keys to different bronze keys', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
        fc.pre(a !== b);
        expect(bronzeKeyFor('d', DT, 'bucket', a)).not.toBe(bronzeKeyFor('d', DT, 'bucket', b));
      }),
    );
  });

  it('keeps keys within the S3 limit by hashing very long ones', () => {
    const key = bronzeKeyFor('d', DT, 'b', `${'x/'.repeat(600)}f.csv`);
    expect(Buffer.byteLength(key)).toBeLessThanOrEqual(1024);
    expect(key).toMatch(/^d\/dt=2024-03-01\/b\/%5Flong\/[0-9a-f]{32}\.parquet$/);
  });

  it('refuses a partition date that is not a real YYYY-MM-DD date', () => {
    expect(() => bronzeKeyFor('d', '2024-02-30', 'b', 'k.csv')).toThrow(/partition date/);
    expect(() => bronzeKeyFor('d', '20240301', 'b', 'k.csv')).toThrow(/partition date/);
  });
});

describe('bronzeSlotOf', () => {
  it('gives every partition of one source file, and its unpartitioned key, the same slot', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
        (bucket, key, d) => {
          const dt = d.toISOString().slice(0, 10);
          const slot = bronzeSlotFor('d', bucket, key);
          expect(bronzeSlotOf(bronzeKeyFor('d', dt, bucket, key))).toBe(slot);
          expect(bronzeSlotOf(bronzeKeyFor('d', DT, bucket, key))).toBe(slot);
          expect(bronzeSlotOf(slot)).toBe(slot);
          expect(partitionOfBronzeKey(bronzeKeyFor('d', dt, bucket, key))).toBe(dt);
        },
      ),
    );
  });

  it('tells different source files apart across partitions', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
        fc.pre(a !== b);
        expect(bronzeSlotOf(bronzeKeyFor('d', DT, 'bucket', a))).not.toBe(
          bronzeSlotOf(bronzeKeyFor('d', '2025-01-01', 'bucket', b)),
        );
      }),
    );
  });

  it('puts quarantine copy, report and rows side by side', () => {
    expect(quarantineKeysFor('orders', 'b', 'orders/x.csv')).toEqual({
      copy: 'orders/b/orders/x.csv',
      report: 'orders/b/orders/x.csv.error.json',
      rows: 'orders/b/orders/x.csv.rejected-rows.jsonl',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { bronzeKeyFor, bronzeSlotFor, partitionDateFor } from '../../../lambdas/core/layout.js';
import { FileStatus } from '../../../lambdas/core/ledger.js';
import { testContract } from '../../helpers/csv.js';
import { BUCKETS, bronzeKeysIn, memoryEngine } from '../../helpers/engine.js';

const plain = testContract();
const dated = testContract({
  partition_date: { key_pattern: '(?<year>\\d{4})-(?<month>\\d{2})-(?<day>\\d{2})' },
});

/** Lands a file whose version S3 would have stamped at `lastModified`. */
function landAt(engine: ReturnType<typeof memoryEngine>, key: string, body: string, lastModified: string) {
  const etag = engine.land(key, body);
  engine.store.get(BUCKETS.landing, key)!.lastModified = new Date(lastModified);
  return etag;
}

describe('partitionDateFor', () => {
  it('takes the date from the key when the contract pattern matches a real date', () => {
    const pattern = dated.partition_date!.key_pattern;
    expect(partitionDateFor(pattern, { key: 'things/2024-03-01.csv' })).toBe('2024-03-01');
  });

  it('falls back to the version LastModified in UTC when the key has no date or an impossible one', () => {
    const pattern = dated.partition_date!.key_pattern;
    const lastModified = new Date('2024-05-31T23:30:00-02:00');
    expect(partitionDateFor(pattern, { key: 'things/2024-13-40.csv', lastModified })).toBe('2024-06-01');
    expect(partitionDateFor(undefined, { key: 'things/a.csv', lastModified })).toBe('2024-06-01');
  });

  it('refuses to guess when there is neither a key date nor a LastModified', () => {
    expect(() => partitionDateFor(undefined, { key: 'things/a.csv' })).toThrow(/LastModified/);
  });
});

describe('the engine writes one bronze object per source file, in its date partition', () => {
  it('puts a file under the key date and records the partition on the item and the outcome', async () => {
    const engine = memoryEngine([dated]);
    landAt(engine, 'things/2024-03-01.csv', 'id,name\n1,a\n', '2024-04-10T08:00:00Z');
    const outcome = await engine.ingest('things/2024-03-01.csv');
    const key = bronzeKeyFor('things', '2024-03-01', 'landing', 'things/2024-03-01.csv');
    expect(outcome).toMatchObject({ status: 'completed', partitionDate: '2024-03-01', bronzeKey: key });
    expect(bronzeKeysIn(engine.store, 'things', 'things/2024-03-01.csv')).toEqual([key]);
    const item = await engine.ledger.getFile({
      ingestionKey: 'things',
      filePath: 's3://landing/things/2024-03-01.csv',
    });
    expect(item).toMatchObject({ partition_date: '2024-03-01', bronze_path: `s3://bronze/${key}` });
  });

  it('re-ingesting the same version lands in the same partition, whatever day it runs', async () => {
    const engine = memoryEngine([plain]);
    landAt(engine, 'things/a.csv', 'id,name\n1,a\n', '2024-03-01T10:00:00Z');
    await engine.ingest('things/a.csv');
    engine.clock.advance(40 * 24 * 3600_000);
    await engine.ledger.requestReprocess(
      { ingestionKey: 'things', filePath: 's3://landing/things/a.csv' },
      { by: 'test', reason: 'again', now: engine.clock.now() },
    );
    await engine.ingest('things/a.csv');
    expect(bronzeKeysIn(engine.store, 'things', 'things/a.csv')).toEqual([
      bronzeKeyFor('things', '2024-03-01', 'landing', 'things/a.csv'),
    ]);
  });

  it("a new version in another partition removes the earlier version's object", async () => {
    const engine = memoryEngine([plain]);
    landAt(engine, 'things/a.csv', 'id,name\n1,a\n', '2024-03-01T10:00:00Z');
    await engine.ingest('things/a.csv');
    landAt(engine, 'things/a.csv', 'id,name\n1,b\n', '2024-03-05T10:00:00Z');
    const outcome = await engine.ingest('things/a.csv');
    expect(outcome).toMatchObject({ status: 'completed', partitionDate: '2024-03-05' });
    expect(bronzeKeysIn(engine.store, 'things', 'things/a.csv')).toEqual([
      bronzeKeyFor('things', '2024-03-05', 'landing', 'things/a.csv'),
    ]);
  });

  it('a rejected new version leaves no bronze in either partition', async () => {
    const engine = memoryEngine([plain]);
    landAt(engine, 'things/a.csv', 'id,name\n1,a\n', '2024-03-01T10:00:00Z');
    await engine.ingest('things/a.csv');
    landAt(engine, 'things/a.csv', 'wrong,header\n1,b\n', '2024-03-05T10:00:00Z');
    expect((await engine.ingest('things/a.csv')).status).toBe('rejected');
    expect(bronzeKeysIn(engine.store, 'things', 'things/a.csv')).toEqual([]);
  });

  it("a new version with no data rows removes the earlier version's object", async () => {
    const engine = memoryEngine([plain]);
    landAt(engine, 'things/a.csv', 'id,name\n1,a\n', '2024-03-01T10:00:00Z');
    await engine.ingest('things/a.csv');
    landAt(engine, 'things/a.csv', 'id,name\n', '2024-03-05T10:00:00Z');
    expect((await engine.ingest('things/a.csv')).status).toBe('completed');
    expect(bronzeKeysIn(engine.store, 'things', 'things/a.csv')).toEqual([]);
  });

  it('re-ingesting a file written under the unpartitioned layout moves it into its partition', async () => {
    const engine = memoryEngine([plain]);
    landAt(engine, 'things/a.csv', 'id,name\n1,a\n', '2024-03-01T10:00:00Z');
    await engine.ingest('things/a.csv');
    const [current] = bronzeKeysIn(engine.store, 'things', 'things/a.csv');
    // The state an old deployment left: the object at its unpartitioned key, the item pointing to it.
    const legacy = bronzeSlotFor('things', 'landing', 'things/a.csv');
    engine.store.objects.set(`bronze/${legacy}`, engine.store.get(BUCKETS.bronze, current!)!);
    engine.store.objects.delete(`bronze/${current}`);
    const filePath = 's3://landing/things/a.csv';
    const item = (await engine.ledger.getFile({ ingestionKey: 'things', filePath }))!;
    await engine.ledger.deleteFile({ ingestionKey: 'things', filePath });
    await engine.ledger.restoreFile({ ...item, bronze_path: `s3://bronze/${legacy}` });
    await engine.ledger.requestReprocess(
      { ingestionKey: 'things', filePath },
      { by: 'test', reason: 'move', now: engine.clock.now() },
    );
    expect((await engine.ingest('things/a.csv')).status).toBe('completed');
    expect(engine.store.keys(BUCKETS.bronze)).toEqual([current]);
    expect((await engine.ledger.getFile({ ingestionKey: 'things', filePath }))?.status).toBe(
      FileStatus.Completed,
    );
  });
});

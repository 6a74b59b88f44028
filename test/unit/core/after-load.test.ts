import { describe, expect, it } from 'vitest';
import { archiveRelistProblem, parseContract } from '../../../lambdas/core/contract.js';
import { FileStatus } from '../../../lambdas/core/ledger.js';
import { testContract } from '../../helpers/csv.js';
import { BUCKETS, memoryEngine } from '../../helpers/engine.js';

const GOOD = 'id,name\n1,x\n';
const deleting = testContract({ after_load: { action: 'delete' } });
const archiving = testContract({ after_load: { action: 'archive', prefix: 'archive/' } });
const archivingElsewhere = testContract({
  after_load: { action: 'archive', bucket: 'cold-store', prefix: 'landing-archive/' },
});
const tagging = testContract({ after_load: { action: 'tag', key: 'bronze-ingest', value: 'completed' } });

function versionedEngine(contract = deleting) {
  const engine = memoryEngine([contract]);
  engine.store.versioned = true;
  return engine;
}

async function ledgerStatus(engine: ReturnType<typeof memoryEngine>, key: string) {
  const item = await engine.ledger.getFile({ ingestionKey: 'things', filePath: `s3://landing/${key}` });
  return item?.status;
}

describe('after_load', () => {
  it('keep, the default, leaves the source and reports nothing', async () => {
    const engine = memoryEngine([testContract()]);
    engine.land('things/a.csv', GOOD);
    const outcome = await engine.ingest('things/a.csv');
    expect(outcome.status).toBe('completed');
    expect(outcome.afterLoad).toBeUndefined();
    expect(engine.store.get(BUCKETS.landing, 'things/a.csv')).toBeDefined();
  });

  it('delete removes the ingested version, named by its version id, once the ledger says completed', async () => {
    const engine = versionedEngine(deleting);
    engine.land('things/a.csv', GOOD);
    const versionId = engine.store.get(BUCKETS.landing, 'things/a.csv')!.versionId!;
    const outcome = await engine.ingest('things/a.csv');
    expect(outcome).toMatchObject({ status: 'completed', afterLoad: { action: 'delete', result: 'done' } });
    expect(engine.store.get(BUCKETS.landing, 'things/a.csv')).toBeUndefined();
    expect(engine.store.versionedCalls).toEqual([{ op: 'delete', key: 'things/a.csv', versionId }]);
    expect(await ledgerStatus(engine, 'things/a.csv')).toBe(FileStatus.Completed);
  });

  it('archive copies the version below the prefix, keeping its key, then deletes the source', async () => {
    const engine = versionedEngine(archiving);
    engine.land('things/2024/a.csv', GOOD);
    const outcome = await engine.ingest('things/2024/a.csv');
    expect(outcome.afterLoad).toEqual({
      action: 'archive',
      result: 'done',
      archivedTo: 's3://landing/archive/things/2024/a.csv',
    });
    expect(engine.store.get(BUCKETS.landing, 'archive/things/2024/a.csv')?.body.toString()).toBe(GOOD);
    expect(engine.store.get(BUCKETS.landing, 'things/2024/a.csv')).toBeUndefined();
    expect(engine.store.versionedCalls.map((c) => c.op)).toEqual(['copy', 'delete']);
  });

  it('archive to another bucket keeps the key below the prefix there', async () => {
    const engine = memoryEngine([archivingElsewhere]);
    engine.land('things/a.csv', GOOD);
    const outcome = await engine.ingest('things/a.csv');
    expect(outcome.afterLoad).toMatchObject({
      result: 'done',
      archivedTo: 's3://cold-store/landing-archive/things/a.csv',
    });
    expect(engine.store.get('cold-store', 'landing-archive/things/a.csv')).toBeDefined();
  });

  it('tag sets the contract tag on the ingested version and leaves the object in place', async () => {
    const engine = versionedEngine(tagging);
    engine.land('things/a.csv', GOOD);
    const outcome = await engine.ingest('things/a.csv');
    expect(outcome.afterLoad).toEqual({ action: 'tag', result: 'done' });
    expect(engine.store.get(BUCKETS.landing, 'things/a.csv')?.tags).toEqual({ 'bronze-ingest': 'completed' });
    expect(engine.store.versionedCalls.map((c) => c.op)).toEqual(['tag']);
  });

  it('a newer version that landed during the run is neither deleted nor archived nor tagged', async () => {
    for (const contract of [deleting, archiving, tagging]) {
      const engine = memoryEngine([contract]);
      engine.land('things/a.csv', GOOD);
      let newer: string | undefined;
      engine.store.beforeRead = () => {
        engine.store.beforeRead = undefined;
        // A GET keeps streaming the version it started on; the overwrite lands meanwhile.
        queueMicrotask(() => {
          newer = engine.land('things/a.csv', 'id,name\n2,y\n');
        });
      };
      const outcome = await engine.ingest('things/a.csv');
      expect(outcome).toMatchObject({ status: 'completed', retry: true, afterLoad: { result: 'skipped' } });
      const current = engine.store.get(BUCKETS.landing, 'things/a.csv');
      expect(current?.etag).toBe(newer);
      expect(current?.tags).toBeUndefined();
      expect(engine.store.keys(BUCKETS.landing)).toEqual(['things/a.csv']);
    }
  });

  it('a rejected file is left in place, whatever the contract says', async () => {
    for (const contract of [deleting, archiving, tagging]) {
      const engine = memoryEngine([contract]);
      engine.land('things/bad.csv', 'wrong,header\n1,x\n');
      const outcome = await engine.ingest('things/bad.csv');
      expect(outcome.status).toBe('rejected');
      expect(outcome.afterLoad).toBeUndefined();
      expect(engine.store.get(BUCKETS.landing, 'things/bad.csv')?.tags).toBeUndefined();
      expect(engine.store.keys(BUCKETS.landing)).toEqual(['things/bad.csv']);
    }
  });

  it('a failed clean-up is reported and counted, and the file stays completed', async () => {
    const engine = memoryEngine([tagging]);
    engine.land('things/a.csv', GOOD);
    engine.store.tag = async () => {
      throw new Error('AccessDenied');
    };
    const outcome = await engine.ingest('things/a.csv');
    expect(outcome).toMatchObject({
      status: 'completed',
      retry: false,
      afterLoad: { action: 'tag', result: 'failed', reason: 'AccessDenied' },
    });
    expect(await ledgerStatus(engine, 'things/a.csv')).toBe(FileStatus.Completed);
  });

  it('a redelivery of a completed version finishes a clean-up a crash interrupted, and is harmless after', async () => {
    const engine = memoryEngine([archiving]);
    engine.land('things/a.csv', GOOD);
    const copy = engine.store.copy.bind(engine.store);
    engine.store.copy = async () => {
      throw new Error('connection reset');
    };
    expect((await engine.ingest('things/a.csv')).afterLoad?.result).toBe('failed');
    engine.store.copy = copy;
    const again = await engine.ingest('things/a.csv');
    expect(again).toMatchObject({ status: 'duplicate', afterLoad: { result: 'done' } });
    expect(engine.store.keys(BUCKETS.landing)).toEqual(['archive/things/a.csv']);
    const third = await engine.ingest('things/a.csv');
    expect(third.status).toBe('ignored');
  });
});

describe('after_load in the contract', () => {
  it('accepts each action and defaults to keep', () => {
    expect(testContract().after_load).toEqual({ action: 'keep' });
    expect(tagging.after_load).toEqual({ action: 'tag', key: 'bronze-ingest', value: 'completed' });
  });

  it('refuses an archive prefix whose copies the same source would list again', () => {
    expect(() =>
      parseContract(
        {
          ingestion_key: 'things',
          sources: [{ prefix: 'things/' }],
          columns: [{ name: 'id' }],
          after_load: { action: 'archive', prefix: 'things/done/' },
        },
        'things.json',
      ),
    ).toThrow(/after_load\.prefix: .*would fall under source "things\/" .* be ingested again/);
  });

  it('accepts the same prefix in another bucket', () => {
    expect(() =>
      testContract({ after_load: { action: 'archive', bucket: 'cold', prefix: 'things/done/' } }),
    ).not.toThrow();
  });

  it("refuses an archive that lands under another dataset's source", () => {
    const other = testContract({ ingestion_key: 'others', sources: [{ prefix: 'archive/things/' }] });
    expect(archiveRelistProblem([archiving, other])).toMatch(/under source "archive\/things\/" .* of others/);
    expect(
      archiveRelistProblem([
        archiving,
        testContract({ ingestion_key: 'others', sources: [{ prefix: 'other/' }] }),
      ]),
    ).toBeUndefined();
  });

  it('refuses a tag without a key', () => {
    expect(() => testContract({ after_load: { action: 'tag', value: 'x' } })).toThrow(/after_load/);
  });
});

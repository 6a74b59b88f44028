import { describe, expect, it } from 'vitest';
import { ingestObject, PAUSE_CACHE_MS } from '../../../lambdas/core/engine.js';
import { FileStatus, filePathFor, type PauseMark } from '../../../lambdas/core/ledger.js';
import { planPausedFiles, SweepClass, sweep } from '../../../lambdas/core/sweep.js';
import { testContract } from '../../helpers/csv.js';
import { BUCKETS, bronzeKeysIn, memoryEngine } from '../../helpers/engine.js';

const contract = testContract({
  partition_date: { key_pattern: '(?<year>\\d{4})-(?<month>\\d{2})-(?<day>\\d{2})' },
  max_attempts: 2,
});
const MARK: PauseMark = {
  by: 'ops',
  reason: 'vendor resends',
  at: '2024-03-01T11:00:00.000Z',
  runId: 'pause-1',
};
const keyOf = (key: string) => ({ ingestionKey: 'things', filePath: filePathFor('landing', key) });

describe('ingesting a paused dataset', () => {
  it('records the file as paused without reading it, counting an attempt or asking for a retry', async () => {
    const engine = memoryEngine([contract]);
    await engine.ledger.setPause('things', MARK);
    const etag = engine.land('things/2024-03-01.csv', 'id,name\n1,x\n');
    let reads = 0;
    engine.store.beforeRead = () => void reads++;

    const outcome = await engine.ingest('things/2024-03-01.csv');

    expect(outcome).toMatchObject({ status: 'paused', retry: false, dataset: 'things', etag });
    expect(outcome.reason).toContain('paused by ops');
    expect(reads).toBe(0);
    expect(engine.store.keys(BUCKETS.bronze)).toEqual([]);
    expect(await engine.ledger.getFile(keyOf('things/2024-03-01.csv'))).toMatchObject({
      status: FileStatus.Paused,
      file_etag: etag,
      attempts: 0,
    });
  });

  it('keeps the attempts a failed file had, and answers a completed file of the same ETag as a duplicate', async () => {
    const engine = memoryEngine([contract]);
    engine.land('things/2024-03-01.csv', 'id,name\n1,x\n');
    engine.land('things/2024-03-02.csv', 'id,name\n1,x\n');
    await engine.ingest('things/2024-03-01.csv');
    engine.store.beforeRead = (_b, key) => {
      if (key.endsWith('03-02.csv')) throw new Error('network down');
    };
    expect(await engine.ingest('things/2024-03-02.csv')).toMatchObject({ status: 'failed' });
    engine.store.beforeRead = undefined;
    await engine.ledger.setPause('things', MARK);
    engine.clock.advance(PAUSE_CACHE_MS);

    expect(await engine.ingest('things/2024-03-01.csv')).toMatchObject({ status: 'duplicate' });
    expect(await engine.ingest('things/2024-03-02.csv')).toMatchObject({ status: 'paused' });
    expect(await engine.ledger.getFile(keyOf('things/2024-03-01.csv'))).toMatchObject({
      status: 'completed',
    });
    expect(await engine.ledger.getFile(keyOf('things/2024-03-02.csv'))).toMatchObject({
      status: 'paused',
      attempts: 1,
    });
  });

  it('reads the pause once per dataset for a while, and afresh for a message sent by resume', async () => {
    const engine = memoryEngine([contract]);
    let reads = 0;
    const getPause = engine.ledger.getPause.bind(engine.ledger);
    engine.ledger.getPause = (dataset) => {
      reads++;
      return getPause(dataset);
    };
    engine.land('things/2024-03-01.csv', 'id,name\n1,x\n');
    engine.land('things/2024-03-02.csv', 'id,name\n1,x\n');
    await engine.ledger.setPause('things', MARK);
    await engine.ingest('things/2024-03-01.csv');
    await engine.ingest('things/2024-03-02.csv');
    expect(reads).toBe(1);

    await engine.ledger.clearPause('things');
    const resumed = await ingestObject(
      engine.deps,
      { bucket: 'landing', key: 'things/2024-03-01.csv', reason: 'resume' },
      { runId: 'run-resume', remainingMs: () => 60_000 },
    );
    expect(reads).toBe(2);
    expect(resumed).toMatchObject({ status: 'completed', rowsIngested: 1 });
    expect(bronzeKeysIn(engine.store, 'things', 'things/2024-03-01.csv')).toHaveLength(1);
    expect(await engine.ledger.getFile(keyOf('things/2024-03-01.csv'))).toMatchObject({
      status: 'completed',
      attempts: 1,
    });
  });

  it('records a new version of a completed file as paused and keeps the old one in history', async () => {
    const engine = memoryEngine([contract]);
    const first = engine.land('things/2024-03-01.csv', 'id,name\n1,x\n');
    await engine.ingest('things/2024-03-01.csv');
    await engine.ledger.setPause('things', MARK);
    engine.clock.advance(PAUSE_CACHE_MS);
    const second = engine.land('things/2024-03-01.csv', 'id,name\n1,y\n');

    expect(await engine.ingest('things/2024-03-01.csv')).toMatchObject({ status: 'paused', etag: second });
    const item = await engine.ledger.getFile(keyOf('things/2024-03-01.csv'));
    expect(item).toMatchObject({ status: 'paused', file_etag: second, attempts: 0 });
    expect(item?.bronze_path).toBeDefined();
    expect(item?.history?.[0]).toMatchObject({ file_etag: first, status: 'completed' });
  });
});

/** One sweep over the engine's store and ledger, and the messages it sent. */
async function sweepOf(engine: ReturnType<typeof memoryEngine>) {
  const sent: unknown[] = [];
  const report = await sweep(
    {
      store: engine.store,
      ledger: engine.ledger,
      queue: { send: async (r) => void sent.push(...r) },
      contracts: [contract],
      landingBucket: 'landing',
      clock: engine.clock,
    },
    { by: 'test' },
  );
  return { sent, report };
}

describe('the sweep and a paused dataset', () => {
  it('skips a paused dataset and says who paused it', async () => {
    const engine = memoryEngine([contract]);
    engine.land('things/2024-03-01.csv', 'id,name\n1,x\n');
    await engine.ledger.setPause('things', MARK);
    const { sent, report } = await sweepOf(engine);
    expect(sent).toEqual([]);
    expect(report.datasets[0]).toMatchObject({ dataset: 'things', paused: MARK, listed: 0, enqueued: 0 });
  });

  it('enqueues a paused file left behind once the dataset is no longer paused', async () => {
    const engine = memoryEngine([contract]);
    engine.land('things/2024-03-01.csv', 'id,name\n1,x\n');
    await engine.ledger.setPause('things', MARK);
    await engine.ingest('things/2024-03-01.csv');
    await engine.ledger.clearPause('things');
    const { sent, report } = await sweepOf(engine);
    expect(report.datasets[0]?.byClass[SweepClass.Paused]).toBe(1);
    expect(sent).toHaveLength(1);
  });

  it('orders paused files as the sweep would: backfill, new, forward, oldest first', async () => {
    const engine = memoryEngine([contract]);
    await engine.ledger.setPause('things', MARK);
    for (const d of ['07', '01', '05', '03']) {
      engine.land(`things/2024-03-${d}.csv`, 'id,name\n1,x\n');
      await engine.ingest(`things/2024-03-${d}.csv`);
    }
    const items = [...engine.ledger.items.values()];
    const plan = planPausedFiles(contract, items, '2024-03-05');
    expect(plan.map((p) => [p.key, p.group])).toEqual([
      ['things/2024-03-01.csv', 'backfill'],
      ['things/2024-03-03.csv', 'backfill'],
      ['things/2024-03-05.csv', 'new'],
      ['things/2024-03-07.csv', 'forward'],
    ]);
  });
});

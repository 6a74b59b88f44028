import { describe, expect, it } from 'vitest';
import { FileStatus, filePathFor, type LedgerItem } from '../../../lambdas/core/ledger.js';
import type { IngestRequest, ObjectHead } from '../../../lambdas/core/ports.js';
import {
  classifyFile,
  comparePlanned,
  groupOf,
  type PlannedFile,
  partitionDateOf,
  SweepClass,
  sweep,
} from '../../../lambdas/core/sweep.js';
import { testContract } from '../../helpers/csv.js';
import { MemoryLedger, MemoryObjectStore, TestClock } from '../../helpers/memory.js';

const now = new Date('2024-03-10T00:00:00Z');
const head: ObjectHead = { bucket: 'landing', key: 'things/2024-03-01.csv', etag: 'e1', size: 10 };

function item(fields: Partial<LedgerItem>): LedgerItem {
  return {
    ingestion_key: 'things',
    file_path: 's3://landing/things/2024-03-01.csv',
    status: FileStatus.Completed,
    status_at: 'completed#x',
    file_etag: 'e1',
    file_size: 10,
    attempts: 1,
    run_id: 'r',
    first_seen_at: 'x',
    updated_at: 'x',
    ...fields,
  };
}

describe('classifyFile', () => {
  it.each([
    ['no item', undefined, SweepClass.New],
    ['another ETag', item({ file_etag: 'e0' }), SweepClass.Changed],
    ['completed', item({}), SweepClass.Done],
    ['rejected', item({ status: FileStatus.Rejected }), SweepClass.Done],
    ['failed under the limit', item({ status: FileStatus.Failed, attempts: 2 }), SweepClass.Retry],
    ['failed at the limit', item({ status: FileStatus.Failed, attempts: 5 }), SweepClass.Exhausted],
    [
      'processing, lease expired',
      item({ status: FileStatus.Processing, lease_until: now.getTime() - 1 }),
      SweepClass.Stuck,
    ],
    [
      'processing, lease live',
      item({ status: FileStatus.Processing, lease_until: now.getTime() + 1 }),
      SweepClass.Busy,
    ],
    [
      'processing another ETag under a live lease',
      item({ status: FileStatus.Processing, file_etag: 'e0', lease_until: now.getTime() + 1 }),
      SweepClass.Busy,
    ],
  ])('calls a file with %s %s', (_what, ledgerItem, expected) => {
    expect(classifyFile(head, ledgerItem, now, 5)).toBe(expected);
  });
});

describe('partitionDateOf', () => {
  const dated = testContract({
    partition_date: { key_pattern: '(?<year>\\d{4})/(?<month>\\d{2})(?:/(?<day>\\d{2}))?' },
  });

  it('takes the date from the key by the contract pattern', () => {
    expect(partitionDateOf(dated, { ...head, key: 'things/2023/11/05/x.csv' })).toBe('2023-11-05');
  });

  it('takes the first of the month when the pattern has no day', () => {
    expect(partitionDateOf(dated, { ...head, key: 'things/2023/11/x.csv' })).toBe('2023-11-01');
  });

  it('falls back to LastModified when the key has no date', () => {
    expect(partitionDateOf(dated, { ...head, key: 'things/x.csv', lastModified: now })).toBe('2024-03-10');
  });

  it('gives no date when neither is known', () => {
    expect(partitionDateOf(testContract(), { ...head, key: 'things/x.csv' })).toBeUndefined();
  });
});

describe('ordering', () => {
  it('puts files older than the mark in backfill, the mark date or undated in new, newer in forward', () => {
    expect(groupOf('2024-03-01', '2024-03-05')).toBe('backfill');
    expect(groupOf('2024-03-05', '2024-03-05')).toBe('new');
    expect(groupOf(undefined, '2024-03-05')).toBe('new');
    expect(groupOf('2024-03-06', '2024-03-05')).toBe('forward');
    expect(groupOf('2024-03-01', undefined)).toBe('forward');
  });

  it('orders backfill before new before forward, oldest first, ties by key, undated first in their group', () => {
    const f = (key: string, group: PlannedFile['group'], partitionDate?: string): PlannedFile => ({
      dataset: 'd',
      bucket: 'b',
      key,
      filePath: `s3://b/${key}`,
      etag: 'e',
      size: 1,
      class: SweepClass.New,
      group,
      ...(partitionDate ? { partitionDate } : {}),
    });
    const files = [
      f('z', 'forward', '2024-03-09'),
      f('y', 'new'),
      f('b', 'backfill', '2024-03-02'),
      f('a', 'backfill', '2024-03-02'),
      f('c', 'backfill', '2024-02-28'),
      f('x', 'new', '2024-03-05'),
      f('w', 'forward', '2024-03-06'),
    ];
    expect(files.sort(comparePlanned).map((x) => x.key)).toEqual(['c', 'a', 'b', 'y', 'x', 'w', 'z']);
  });
});

function setup(contract = testContract()) {
  const store = new MemoryObjectStore();
  const ledger = new MemoryLedger();
  const sent: IngestRequest[] = [];
  const deps = {
    store,
    ledger,
    queue: { send: async (r: readonly IngestRequest[]) => void sent.push(...r) },
    contracts: [contract],
    landingBucket: 'landing',
    clock: new TestClock(now),
  };
  return { store, ledger, sent, deps };
}

async function complete(ledger: MemoryLedger, store: MemoryObjectStore, key: string, rows = 1) {
  const filePath = filePathFor('landing', key);
  const etag = store.get('landing', key)!.etag;
  await ledger.claimFile({
    ingestionKey: 'things',
    filePath,
    etag,
    size: 1,
    runId: 'r',
    now,
    leaseMs: 1,
    maxAttempts: 5,
  });
  await ledger.markCompleted(
    { ingestionKey: 'things', filePath, runId: 'r', etag, now },
    { rowsIngested: rows, rowsRejected: 0 },
  );
}

describe('sweep over in-memory storage', () => {
  const contract = testContract({
    partition_date: { key_pattern: '(?<year>\\d{4})-(?<month>\\d{2})-(?<day>\\d{2})' },
  });

  it('enqueues what the ledger has not finished, backfill before new before forward, and raises the mark', async () => {
    const { store, ledger, sent, deps } = setup(contract);
    for (const d of ['01', '02', '03', '05', '07'])
      store.putSync('landing', `things/2024-03-${d}.csv`, 'id,name\n');
    await complete(ledger, store, 'things/2024-03-01.csv');
    await complete(ledger, store, 'things/2024-03-05.csv');
    await ledger.raiseHighWaterMark('things', '2024-03-05');
    store.putSync('landing', 'things/2024-03-05b 2024-03-05.csv', 'id,name\n');

    const report = await sweep(deps, { by: 'test' });
    expect(sent.map((r) => r.key)).toEqual([
      'things/2024-03-02.csv',
      'things/2024-03-03.csv',
      'things/2024-03-05b 2024-03-05.csv',
      'things/2024-03-07.csv',
    ]);
    expect(report.plan.map((p) => p.group)).toEqual(['backfill', 'backfill', 'new', 'forward']);
    expect(report.datasets[0]).toMatchObject({
      listed: 6,
      enqueued: 4,
      byClass: { NEW: 4, DONE: 2 },
      highWaterMarkAfter: '2024-03-07',
    });
    expect(await ledger.getHighWaterMark('things')).toBe('2024-03-07');
    expect(ledger.runs).toHaveLength(1);
  });

  it('changes nothing on a dry run, and reports where the mark would move', async () => {
    const { store, ledger, sent, deps } = setup(contract);
    store.putSync('landing', 'things/2024-03-01.csv', 'id,name\n');
    const report = await sweep(deps, { by: 'test', dryRun: true });
    expect(report.plan).toHaveLength(1);
    expect(report.datasets[0]?.highWaterMarkAfter).toBe('2024-03-01');
    expect(sent).toEqual([]);
    expect(ledger.runs).toEqual([]);
    expect(await ledger.getHighWaterMark('things')).toBeUndefined();
  });

  it('stops at the file and byte caps and reports what it deferred', async () => {
    const { store, sent, deps } = setup(contract);
    for (const d of ['01', '02', '03']) store.putSync('landing', `things/2024-03-${d}.csv`, 'id,name\n');
    const report = await sweep(deps, { by: 'test', maxFiles: 2 });
    expect(sent).toHaveLength(2);
    expect(report.datasets[0]).toMatchObject({ enqueued: 2, deferredByCap: 1 });
    sent.length = 0;
    await sweep(deps, { by: 'test', maxBytes: 8 });
    expect(sent).toHaveLength(1);
  });

  it('re-enqueues finished files with a reprocess request when forced', async () => {
    const { store, ledger, sent, deps } = setup(contract);
    store.putSync('landing', 'things/2024-03-01.csv', 'id,name\n');
    await complete(ledger, store, 'things/2024-03-01.csv');
    await sweep(deps, { by: 'alice', force: true, reason: 'rebuild' });
    expect(sent).toEqual([
      { bucket: 'landing', key: 'things/2024-03-01.csv', reason: 'sweep', reprocess: true },
    ]);
    const stored = await ledger.getFile({
      ingestionKey: 'things',
      filePath: 's3://landing/things/2024-03-01.csv',
    });
    expect(stored).toMatchObject({ reprocess_requested_by: 'alice', reprocess_reason: 'rebuild' });
  });

  it('refuses an unknown dataset by name', async () => {
    const { deps } = setup(contract);
    await expect(sweep(deps, { by: 'test', datasets: ['nope'] })).rejects.toThrow(
      'no dataset contract named nope',
    );
  });
});

describe('sweep of a time-ordered source', () => {
  const contract = testContract({ sweep: { time_ordered_keys: true } });

  it('lists only after the key up to which every file is finished, and moves that key forward', async () => {
    const { store, ledger, sent, deps } = setup(contract);
    const keys = ['01', '02', '03', '04'].map((d) => `things/2024/03/${d}.csv`);
    for (const key of keys) store.putSync('landing', key, 'id,name\n');
    const finish = (key: string) => complete(ledger, store, key, 0);
    await finish(keys[0]!);
    await finish(keys[1]!);
    await finish(keys[3]!);

    const first = await sweep(deps, { by: 'test' });
    expect(first.datasets[0]).toMatchObject({
      listed: 4,
      checkpoints: [{ source: 's3://landing/things/', finishedThrough: keys[1] }],
    });
    expect(sent.map((r) => r.key)).toEqual([keys[2]]);

    await finish(keys[2]!);
    sent.length = 0;
    const second = await sweep(deps, { by: 'test' });
    expect(second.datasets[0]).toMatchObject({
      listed: 2,
      checkpoints: [{ listedAfter: keys[1], finishedThrough: keys[3] }],
    });
    expect(sent).toEqual([]);

    const forced = await sweep(deps, { by: 'test', force: true, dryRun: true });
    expect(forced.datasets[0]!.listed).toBe(4);
  });
});

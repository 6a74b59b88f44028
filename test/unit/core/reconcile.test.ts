import { describe, expect, it } from 'vitest';
import { bronzeKeyFor, quarantineKeysFor } from '../../../lambdas/core/layout.js';
import { FileStatus, type LedgerItem } from '../../../lambdas/core/ledger.js';
import type { ObjectHead } from '../../../lambdas/core/ports.js';
import {
  type BronzeEvidence,
  bronzeEvidence,
  planReconcile,
  RECONCILED_FIELDS,
  type ReconcileInput,
  reconcile,
  rejectionEvidence,
} from '../../../lambdas/core/reconcile.js';
import { fixture, testContract } from '../../helpers/csv.js';
import { BUCKETS, bronzeKeysIn, memoryEngine } from '../../helpers/engine.js';

const NOW = new Date('2024-03-05T00:00:00Z');
const lenient = testContract({ error_policy: { mode: 'quarantine_rows', max_bad_rows: 5 } });

function pick(item: LedgerItem | undefined) {
  return item && Object.fromEntries(RECONCILED_FIELDS.map((k) => [k, item[k]]));
}

function reconcileDeps(engine: ReturnType<typeof memoryEngine>) {
  return { store: engine.store, ledger: engine.ledger, clock: engine.clock, buckets: BUCKETS };
}

describe('reconcile over in-memory storage', () => {
  it('rebuilds completed, partly rejected and rejected items exactly after the ledger is wiped', async () => {
    const engine = memoryEngine([lenient]);
    engine.land('things/good.csv', fixture('csv', 'quoted-newlines.csv'));
    engine.land('things/ragged.csv', fixture('csv', 'ragged.csv'));
    engine.land('things/bad.csv', fixture('csv', 'invalid-utf8.csv'));
    for (const key of ['things/good.csv', 'things/ragged.csv', 'things/bad.csv']) await engine.ingest(key);
    const before = new Map([...engine.ledger.items.values()].map((i) => [i.file_path, i]));
    expect([...before.values()].map((i) => i.status).sort()).toEqual(['completed', 'completed', 'rejected']);

    engine.ledger.items.clear();
    const report = await reconcile(reconcileDeps(engine), { dataset: 'things', by: 'ops' });

    expect(report.restored).toHaveLength(3);
    expect(report.orphans).toEqual([]);
    for (const [path, item] of before) {
      const restored = await engine.ledger.getFile({ ingestionKey: 'things', filePath: path });
      expect(pick(restored)).toEqual(pick(item));
      expect(restored?.quarantine_path).toBe(item.quarantine_path);
    }
    const rejected = await engine.ledger.getFile({
      ingestionKey: 'things',
      filePath: 's3://landing/things/bad.csv',
    });
    expect(rejected?.error).toMatchObject({ code: before.get('s3://landing/things/bad.csv')!.error!.code });
    expect(engine.ledger.runs.at(-1)).toMatchObject({
      kind: 'reconcile',
      by: 'ops',
      summary: { restored_completed: 2 },
    });
  });

  it('restores the columns missing and unexpected and the values rescued of a completed file', async () => {
    const evolving = testContract({
      columns: [{ name: 'id' }, { name: 'name' }, { name: 'amount', type: 'double' }],
      schema_evolution: { unexpected_columns: 'rescue', missing_columns: 'null', bad_values: 'rescue' },
    });
    const engine = memoryEngine([evolving]);
    engine.land('things/d.csv', 'id,name,region\n1,a,north\n');
    await engine.ingest('things/d.csv');
    const path = 's3://landing/things/d.csv';
    const before = await engine.ledger.getFile({ ingestionKey: 'things', filePath: path });
    expect(before).toMatchObject({ columns_missing: ['amount'], values_rescued: { region: 1 } });
    engine.ledger.items.clear();
    await reconcile(reconcileDeps(engine), { dataset: 'things', by: 'ops' });
    expect(await engine.ledger.getFile({ ingestionKey: 'things', filePath: path })).toMatchObject({
      columns_missing: ['amount'],
      columns_unexpected: ['region'],
      values_rescued: { region: 1 },
    });
  });

  it('reads nothing the ledger already points to, and restores nothing twice', async () => {
    const engine = memoryEngine([lenient]);
    engine.land('things/a.csv', 'id,name\n1,x\n');
    await engine.ingest('things/a.csv');
    const first = await reconcile(reconcileDeps(engine), { dataset: 'things', by: 'ops' });
    expect(first).toMatchObject({ bronzeObjects: 1, footersRead: 0, restored: [], orphans: [] });
  });

  it('changes nothing in a dry run but says what it would restore', async () => {
    const engine = memoryEngine([lenient]);
    engine.land('things/a.csv', 'id,name\n1,x\n');
    await engine.ingest('things/a.csv');
    engine.ledger.items.clear();
    const report = await reconcile(reconcileDeps(engine), { dataset: 'things', by: 'ops', dryRun: true });
    expect(report.restored.map((r) => r.filePath)).toEqual(['s3://landing/things/a.csv']);
    expect(engine.ledger.items.size).toBe(0);
    expect(engine.ledger.runs).toEqual([]);
  });

  it('reports a completed item whose bronze object is gone, and bronze that is not Parquet', async () => {
    const engine = memoryEngine([lenient]);
    engine.land('things/a.csv', 'id,name\n1,x\n');
    await engine.ingest('things/a.csv');
    const [bronzeKey] = bronzeKeysIn(engine.store, 'things', 'things/a.csv');
    await engine.store.delete(BUCKETS.bronze, bronzeKey!);
    engine.store.putSync(BUCKETS.bronze, 'things/landing/things/stray.parquet', 'not parquet');
    const report = await reconcile(reconcileDeps(engine), { dataset: 'things', by: 'ops' });
    expect(report.orphans).toEqual([
      expect.objectContaining({
        kind: 'bronze_without_ledger',
        path: 's3://bronze/things/landing/things/stray.parquet',
      }),
      expect.objectContaining({ kind: 'ledger_without_bronze', path: 's3://landing/things/a.csv' }),
    ]);
  });
});

const head = (key: string, lastModified = '2024-03-02T00:00:00Z'): ObjectHead => ({
  bucket: 'bronze',
  key,
  etag: 'b',
  size: 100,
  lastModified: new Date(lastModified),
});

function evidence(
  file: string,
  fields: Record<string, string> = {},
  at = '2024-03-02T00:00:00Z',
): BronzeEvidence {
  return bronzeEvidence(head(bronzeKeyFor('things', at.slice(0, 10), 'landing', file), at), {
    numRows: 3,
    keyValues: {
      'source-file': `s3://landing/${file}`,
      'source-etag': 'e1',
      'source-size': '42',
      'run-id': 'run-1',
      'ingested-at': at,
      rows_ingested: '3',
      rows_rejected: '1',
      ...fields,
    },
  });
}

function report(file: string, at: string): string {
  return JSON.stringify({
    dataset: 'things',
    file: `s3://landing/${file}`,
    etag: 'e0',
    version_id: null,
    size: 40,
    reason_code: 'BAD_ROW',
    message: 'line 3: bad',
    first_bad_line: 3,
    rows_ingested: 0,
    rows_rejected: 5,
    run_id: 'run-0',
    rejected_at: at,
  });
}

function input(overrides: Partial<ReconcileInput>): ReconcileInput {
  return {
    dataset: 'things',
    bronze: [],
    rejections: [],
    existing: new Map(),
    completed: [],
    bronzeObjects: new Set(),
    quarantineObjects: new Set(),
    quarantineBucket: 'quarantine',
    now: NOW,
    ...overrides,
  };
}

describe('planReconcile', () => {
  it('rebuilds a completed item from footer metadata, with set-aside rows when their file exists', () => {
    const rows = `s3://quarantine/${quarantineKeysFor('things', 'landing', 'things/a.csv').rows}`;
    const plan = planReconcile(
      input({ bronze: [evidence('things/a.csv')], quarantineObjects: new Set([rows]) }),
    );
    expect(plan.restore).toEqual([
      expect.objectContaining({
        file_path: 's3://landing/things/a.csv',
        status: FileStatus.Completed,
        file_etag: 'e1',
        file_size: 42,
        run_id: 'run-1',
        rows_ingested: 3,
        rows_rejected: 1,
        quarantine_path: rows,
        bronze_path: `s3://bronze/${bronzeKeyFor('things', '2024-03-02', 'landing', 'things/a.csv')}`,
        restored_at: NOW.toISOString(),
      }),
    ]);
  });

  it('falls back to the row count when a footer has no rows_ingested key', () => {
    const e = bronzeEvidence(head('things/landing/x.parquet'), {
      numRows: 7,
      keyValues: {
        'source-file': 's3://landing/x.csv',
        'source-etag': 'e',
        'source-size': '1',
        'run-id': 'r',
      },
    });
    expect(e).toMatchObject({ rowsIngested: 7 });
    expect(e.rowsRejected).toBeUndefined();
  });

  it('takes missing footer keys from the object metadata and refuses objects without lineage', () => {
    const fromMetadata = bronzeEvidence(
      {
        ...head('things/landing/x.parquet'),
        metadata: { 'source-file': 's3://landing/x.csv', 'source-etag': 'e' },
      },
      { numRows: 1, keyValues: { 'source-size': '1', 'run-id': 'r' } },
    );
    expect(fromMetadata.problem).toBeUndefined();
    expect(bronzeEvidence(head('things/landing/y.parquet'), { numRows: 1, keyValues: {} }).problem).toMatch(
      /lack source-file, source-etag, source-size, run-id/,
    );
  });

  it('lets the newest evidence of a file win: bronze written after an old rejection report', () => {
    const plan = planReconcile(
      input({
        bronze: [evidence('things/a.csv', {}, '2024-03-03T00:00:00Z')],
        rejections: [
          rejectionEvidence(
            's3://quarantine/r.error.json',
            'things',
            report('things/a.csv', '2024-03-01T00:00:00Z'),
          ),
        ],
      }),
    );
    expect(plan.restore).toHaveLength(1);
    expect(plan.restore[0]).toMatchObject({ status: FileStatus.Completed, file_etag: 'e1' });
    expect(plan.superseded).toBe(1);
  });

  it('rebuilds a rejected item from its error report when that is the newest evidence', () => {
    const plan = planReconcile(
      input({
        rejections: [
          rejectionEvidence(
            's3://quarantine/r.error.json',
            'things',
            report('things/b.csv', '2024-03-04T00:00:00Z'),
          ),
        ],
      }),
    );
    expect(plan.restore[0]).toMatchObject({
      status: FileStatus.Rejected,
      file_etag: 'e0',
      file_size: 40,
      rows_ingested: 0,
      rows_rejected: 5,
      run_id: 'run-0',
      quarantine_path: 's3://quarantine/r.error.json',
      error: { code: 'BAD_ROW', message: 'line 3: bad', line: 3 },
    });
  });

  it('leaves files with an item alone; a copy of a finished file is removed, an object elsewhere is an orphan', () => {
    const item = (status: FileStatus, bronze_path?: string): LedgerItem => ({
      ingestion_key: 'things',
      file_path: 's3://landing/things/a.csv',
      status,
      status_at: 'x',
      file_etag: 'e2',
      file_size: 1,
      attempts: 1,
      run_id: 'r',
      first_seen_at: 'x',
      updated_at: 'x',
      ...(bronze_path ? { bronze_path } : {}),
    });
    const bronze = [evidence('things/a.csv')];
    const existing = (i: LedgerItem) => new Map([[i.file_path, i]]);
    expect(planReconcile(input({ bronze, existing: existing(item(FileStatus.Processing)) }))).toMatchObject({
      restore: [],
      alreadyInLedger: 1,
      orphans: [],
    });
    const rejected = planReconcile(input({ bronze, existing: existing(item(FileStatus.Rejected)) }));
    expect(rejected.orphans).toEqual([]);
    expect(rejected.duplicates).toEqual([
      { path: bronze[0]!.bronzePath, sourceFile: 's3://landing/things/a.csv' },
    ]);
    // Outside the file's own keys (a copy someone made by hand): reported, never deleted.
    const elsewhere = bronzeEvidence(head('things/manual/copy.parquet'), {
      numRows: 1,
      keyValues: {
        'source-file': 's3://landing/things/a.csv',
        'source-etag': 'e1',
        'source-size': '1',
        'run-id': 'r',
      },
    });
    const kept = `s3://bronze/${bronzeKeyFor('things', '2024-03-09', 'landing', 'things/a.csv')}`;
    const plan = planReconcile(
      input({ bronze: [elsewhere], existing: existing(item(FileStatus.Completed, kept)) }),
    );
    expect(plan.duplicates).toEqual([]);
    expect(plan.orphans).toEqual([expect.objectContaining({ kind: 'bronze_not_referenced' })]);
  });

  it('after a wiped ledger, restores a file from its newest bronze object and removes its older partitions', () => {
    const older = evidence('things/a.csv', { 'source-etag': 'e-old' }, '2024-03-01T00:00:00Z');
    const newer = evidence('things/a.csv', { 'source-etag': 'e-new' }, '2024-03-05T00:00:00Z');
    const plan = planReconcile(input({ bronze: [newer, older] }));
    expect(plan.restore).toEqual([
      expect.objectContaining({ file_etag: 'e-new', bronze_path: newer.bronzePath }),
    ]);
    expect(plan.duplicates).toEqual([
      { path: older.bronzePath, sourceFile: 's3://landing/things/a.csv', kept: newer.bronzePath },
    ]);
  });

  it('reports an unreadable error report instead of guessing', () => {
    const plan = planReconcile(
      input({ rejections: [rejectionEvidence('s3://quarantine/x.error.json', 'things', '{oops')] }),
    );
    expect(plan.restore).toEqual([]);
    expect(plan.unreadableReports[0]?.problem).toMatch(/not a readable error report/);
  });
});

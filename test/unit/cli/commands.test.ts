import { describe, expect, it } from 'vitest';
import { files } from '../../../cli/commands/files.js';
import { reconcileCommand } from '../../../cli/commands/reconcile.js';
import { reprocess } from '../../../cli/commands/reprocess.js';
import { reset } from '../../../cli/commands/reset.js';
import { runs } from '../../../cli/commands/runs.js';
import { show } from '../../../cli/commands/show.js';
import { status } from '../../../cli/commands/status.js';
import { sweepCommand } from '../../../cli/commands/sweep.js';
import { ExitCode, UsageError } from '../../../cli/errors.js';
import { FileStatus, type LedgerItem } from '../../../lambdas/core/ledger.js';
import { fakes, NOW } from './fakes.js';

describe('status', () => {
  it('counts by status and finds the last success, the backlog and the oldest pending file', async () => {
    const f = fakes();
    f.land('things/2024-03-01.csv');
    f.land('things/2024-03-02.csv');
    f.land('things/2024-03-03.csv');
    f.land('things/2024-03-04.csv');
    await f.finish('things/2024-03-01.csv', 'completed');
    await f.finish('things/2024-03-02.csv', 'rejected');
    await f.finish('things/2024-03-03.csv', 'failed');
    // The memory store stamps LastModified with the wall clock: make the age deterministic.
    f.store.get('landing', 'things/2024-03-04.csv')!.lastModified = new Date('2024-03-10T10:00:00Z');
    f.store.get('landing', 'things/2024-03-03.csv')!.lastModified = new Date('2024-03-10T11:00:00Z');

    const report = await status(f.deps, {});

    expect(report.exitCode).toBe(ExitCode.Ok);
    expect(report.data.datasets).toEqual([
      {
        dataset: 'things',
        files: 3,
        counts: { processing: 0, completed: 1, rejected: 1, failed: 1, paused: 0 },
        lastSuccess: NOW.toISOString(),
        backlog: 2,
        backlogByClass: { NEW: 1, CHANGED: 0, RETRY: 1, STUCK: 0, BUSY: 0 },
        exhausted: 0,
        oldestPendingAt: '2024-03-10T10:00:00.000Z',
        oldestPendingAgeSeconds: 7_200,
        duplicateEvents: 0,
        valuesRescued: 0,
        partitions: 0,
      },
    ]);
    expect(report.text).toContain('2 (new 1, retry 1)');
    expect(report.text).toContain('2h');
    expect(f.sent).toEqual([]);
    expect(f.ledger.runs).toEqual([]);
  });

  it('sums duplicate events and rescued values and counts the bronze dt= partitions', async () => {
    const f = fakes();
    f.land('things/2024-03-01.csv');
    f.land('things/2024-03-02.csv');
    await f.finish('things/2024-03-01.csv', 'completed');
    await f.finish('things/2024-03-02.csv', 'completed');
    const extras: Partial<LedgerItem>[] = [
      {
        duplicate_events: 2,
        values_rescued: { name: 3 },
        bronze_path: 's3://b/things/dt=2024-03-01/x.parquet',
      },
      {
        duplicate_events: 1,
        values_rescued: { name: 1, id: 1 },
        bronze_path: 's3://b/things/dt=2024-03-05/y.parquet',
      },
    ];
    for (const [i, [id, item]] of [...f.ledger.items.entries()].entries())
      f.ledger.items.set(id, { ...item, ...extras[i] });
    const report = await status(f.deps, {});
    expect(report.data.datasets[0]).toMatchObject({
      duplicateEvents: 3,
      valuesRescued: 5,
      partitions: 2,
      firstPartition: '2024-03-01',
      lastPartition: '2024-03-05',
    });
    expect(report.text).toMatch(/DUPLICATES\s+RESCUED\s+PARTITIONS/);
    expect(report.text).toContain('2 (2024-03-01..2024-03-05)');
    const listed = await files(f.deps, { dataset: 'things' });
    expect(listed.text).toMatch(/DUPLICATES/);
  });

  it('refuses an unknown dataset as a usage error', async () => {
    await expect(status(fakes().deps, { dataset: 'nope' })).rejects.toThrow(UsageError);
  });
});

describe('files', () => {
  it('lists one status through the ledger and renders a table', async () => {
    const f = fakes();
    f.land('things/a.csv');
    f.land('things/b.csv');
    await f.finish('things/a.csv', 'completed');
    await f.finish('things/b.csv', 'rejected');
    const report = await files(f.deps, { dataset: 'things', status: FileStatus.Rejected });
    expect(report.data.items.map((i) => i.file_path)).toEqual(['s3://landing/things/b.csv']);
    expect(report.text).toMatch(/s3:\/\/landing\/things\/b\.csv\s+rejected/);
    expect(report.text).not.toContain('a.csv');
  });

  it('prints the command for the next page, with the same filters and page size, when the ledger returns a cursor', async () => {
    const f = fakes();
    f.land('things/a.csv');
    await f.finish('things/a.csv', 'completed');
    f.ledger.listFiles = async () => ({ items: [...f.ledger.items.values()], cursor: 'abc' });
    const report = await files(f.deps, { dataset: 'things', status: FileStatus.Completed, limit: 1 });
    expect(report.data.cursor).toBe('abc');
    expect(report.text).toContain('more: bronze files things --status completed --limit 1 --cursor abc');
  });
});

describe('show', () => {
  it('finds the dataset from the URI and shows the whole item with its error', async () => {
    const f = fakes();
    f.land('things/a.csv');
    await f.finish('things/a.csv', 'rejected');
    const report = await show(f.deps, { uri: 's3://landing/things/a.csv' });
    expect(report.exitCode).toBe(ExitCode.Ok);
    expect(report.data.item).toMatchObject({ status: 'rejected', error: { code: 'BAD_ROW' } });
    expect(report.text).toContain('BAD_ROW at line 2: line 2: bad');
    expect(report.text).toContain('history: none');
  });

  it('ends with exit 2 for a file the ledger does not know', async () => {
    const report = await show(fakes().deps, { uri: 's3://landing/things/nope.csv' });
    expect(report).toMatchObject({ exitCode: ExitCode.Attention, data: { found: false } });
  });

  it('asks for --dataset when no contract claims the URI', async () => {
    await expect(show(fakes().deps, { uri: 's3://elsewhere/x.csv' })).rejects.toThrow(/pass --dataset NAME/);
  });
});

describe('reprocess', () => {
  it('records who and why on each selected item, enqueues it and audits the run', async () => {
    const f = fakes();
    f.land('things/a.csv');
    f.land('things/b.csv');
    f.land('things/c.csv');
    await f.finish('things/a.csv', 'failed');
    await f.finish('things/b.csv', 'failed');
    await f.finish('things/c.csv', 'completed');

    const report = await reprocess(f.deps, {
      uris: [],
      dataset: 'things',
      status: FileStatus.Failed,
      reason: 'throttling fixed',
      by: 'alice',
    });

    expect(report.exitCode).toBe(ExitCode.Ok);
    expect(f.sent).toEqual([
      { bucket: 'landing', key: 'things/a.csv', reason: 'reprocess', reprocess: true },
      { bucket: 'landing', key: 'things/b.csv', reason: 'reprocess', reprocess: true },
    ]);
    const item = await f.ledger.getFile({ ingestionKey: 'things', filePath: 's3://landing/things/a.csv' });
    expect(item).toMatchObject({ reprocess_requested_by: 'alice', reprocess_reason: 'throttling fixed' });
    expect(f.ledger.runs).toEqual([
      expect.objectContaining({
        kind: 'reprocess',
        by: 'alice',
        reason: 'throttling fixed',
        summary: { enqueued: 2, not_in_ledger: 0, status: 'failed' },
      }),
    ]);
  });

  it('enqueues nothing for a URI without a ledger item and ends with exit 2', async () => {
    const f = fakes();
    const report = await reprocess(f.deps, { uris: ['s3://landing/things/new.csv'], reason: 'r', by: 'bob' });
    expect(report.exitCode).toBe(ExitCode.Attention);
    expect(report.data.notInLedger).toEqual(['s3://landing/things/new.csv']);
    expect(f.sent).toEqual([]);
  });

  it('refuses completed files by status, and a call that names no files', async () => {
    const f = fakes();
    await expect(
      reprocess(f.deps, { uris: [], dataset: 'things', status: FileStatus.Completed, reason: 'r', by: 'b' }),
    ).rejects.toThrow(/--status must be failed or rejected/);
    await expect(reprocess(f.deps, { uris: [], reason: 'r', by: 'b' })).rejects.toThrow(UsageError);
  });
});

describe('reset', () => {
  it('refuses without --yes and deletes nothing', async () => {
    const f = fakes();
    f.land('things/a.csv');
    await f.finish('things/a.csv', 'completed');
    await expect(reset(f.deps, { dataset: 'things', yes: false, by: 'ops' })).rejects.toThrow(
      /reset deletes every ledger item of things; nothing is deleted without --yes/,
    );
    expect(f.ledger.items.size).toBe(1);
    expect(f.ledger.runs).toEqual([]);
  });

  it('deletes the items, records a run and says what the next sweep will do', async () => {
    const f = fakes();
    f.land('things/a.csv');
    f.land('things/b.csv');
    f.land('things/gone.csv');
    f.land('things/pending.csv');
    for (const key of ['things/a.csv', 'things/b.csv', 'things/gone.csv']) await f.finish(key, 'completed');
    await f.store.delete('landing', 'things/gone.csv');

    const report = await reset(f.deps, { dataset: 'things', yes: true, by: 'ops', reason: 'rebuild' });

    expect(f.ledger.items.size).toBe(0);
    expect(report.data).toMatchObject({
      deleted: 3,
      nextSweep: { willIngest: 2, sourceGone: 1, otherPending: 1 },
    });
    expect(report.text).toContain(
      'The next sweep will find 2 file(s) NEW and re-ingest them; bronze objects are replaced in place.',
    );
    expect(report.text).toContain('bronze reconcile things');
    expect(f.ledger.runs).toEqual([
      expect.objectContaining({ kind: 'reset', by: 'ops', reason: 'rebuild', summary: { deleted: 3 } }),
    ]);
  });

  it('resets one file with --file', async () => {
    const f = fakes();
    f.land('things/a.csv');
    f.land('things/b.csv');
    await f.finish('things/a.csv', 'completed');
    await f.finish('things/b.csv', 'completed');
    const report = await reset(f.deps, {
      dataset: 'things',
      file: 's3://landing/things/a.csv',
      yes: true,
      by: 'ops',
    });
    expect(report.data).toMatchObject({ deleted: 1, nextSweep: { willIngest: 1, sourceGone: 0 } });
    expect([...f.ledger.items.values()].map((i) => i.file_path)).toEqual(['s3://landing/things/b.csv']);
  });
});

describe('sweep', () => {
  it('prints the plan in enqueue order and a summary per dataset', async () => {
    const f = fakes();
    await f.ledger.raiseHighWaterMark('things', '2024-03-05');
    for (const d of ['03', '05', '07']) f.land(`things/2024-03-${d}.csv`);
    const report = await sweepCommand(f.deps, { by: 'ops', dryRun: true });
    expect(report.data.plan.map((p) => [p.group, p.key])).toEqual([
      ['backfill', 'things/2024-03-03.csv'],
      ['new', 'things/2024-03-05.csv'],
      ['forward', 'things/2024-03-07.csv'],
    ]);
    const lines = report.text.split('\n');
    expect(lines.findIndex((l) => l.includes('backfill'))).toBeLessThan(
      lines.findIndex((l) => l.includes('forward')),
    );
    expect(report.text).toContain('dry run: nothing changed; would enqueue 3 file(s)');
    expect(f.sent).toEqual([]);
  });

  it('refuses an unknown dataset before listing anything', async () => {
    await expect(sweepCommand(fakes().deps, { by: 'ops', datasets: ['nope'] })).rejects.toThrow(UsageError);
  });
});

describe('runs', () => {
  it('shows the audit trail newest first with who, why and what changed', async () => {
    const f = fakes();
    const base = { ingestionKey: 'things', by: 'ops', summary: { deleted: 2 } };
    await f.ledger.recordRun({
      ...base,
      runId: 'r1',
      kind: 'reset',
      startedAt: '2024-03-01T00:00:00Z',
      reason: 'why',
    });
    await f.ledger.recordRun({ ...base, runId: 'r2', kind: 'sweep', startedAt: '2024-03-02T00:00:00Z' });
    const report = await runs(f.deps, {});
    expect(report.data.runs.map((r) => r.runId)).toEqual(['r2', 'r1']);
    expect(report.text).toMatch(/2024-03-01T00:00:00Z\s+things\s+reset\s+ops\s+why\s+deleted=2/);
  });
});

describe('reconcile', () => {
  it('ends with exit 2 when a dry run finds something to restore or an orphan', async () => {
    const f = fakes();
    f.store.putSync('bronze', 'things/landing/things/x.csv.parquet', 'not parquet');
    const report = await reconcileCommand(
      { ...f.deps, buckets: { bronze: 'bronze', quarantine: 'quarantine' } },
      { dataset: 'things', dryRun: true, by: 'ops' },
    );
    expect(report.exitCode).toBe(ExitCode.Attention);
    expect(report.text).toContain('bronze_without_ledger');
    expect(report.text).toContain('dry run: nothing was written');
  });

  it('ends with exit 0 when everything is in order', async () => {
    const f = fakes();
    const report = await reconcileCommand(
      { ...f.deps, buckets: { bronze: 'bronze', quarantine: 'quarantine' } },
      { dataset: 'things', by: 'ops' },
    );
    expect(report.exitCode).toBe(ExitCode.Ok);
    expect(report.text).toContain('no orphans');
  });
});

import { describe, expect, it } from 'vitest';
import { pause, resume } from '../../../cli/commands/pause.js';
import { status } from '../../../cli/commands/status.js';
import { ExitCode, UsageError } from '../../../cli/errors.js';
import { FileStatus, filePathFor } from '../../../lambdas/core/ledger.js';
import { fakes, NOW } from './fakes.js';

/** A paused ledger item for a landed file, as the engine leaves it. */
async function pausedFile(f: ReturnType<typeof fakes>, key: string): Promise<void> {
  const etag = f.land(key);
  await f.ledger.markPaused({
    ingestionKey: 'things',
    filePath: filePathFor('landing', key),
    etag,
    size: 12,
    runId: 'run-p',
    now: NOW,
    maxAttempts: 5,
  });
}

describe('pause', () => {
  it('sets the mark with who, why and when, and records a pause run', async () => {
    const f = fakes();
    const report = await pause(f.deps, { dataset: 'things', reason: 'vendor resends', by: 'ops' });
    expect(report.exitCode).toBe(ExitCode.Ok);
    expect(await f.ledger.getPause('things')).toMatchObject({
      by: 'ops',
      reason: 'vendor resends',
      at: NOW.toISOString(),
    });
    expect(f.ledger.runs).toEqual([
      expect.objectContaining({ kind: 'pause', by: 'ops', reason: 'vendor resends' }),
    ]);
    expect(report.text).toContain('bronze resume things');
  });

  it('keeps the first mark when the dataset is paused already', async () => {
    const f = fakes();
    await pause(f.deps, { dataset: 'things', reason: 'first', by: 'ops' });
    const again = await pause(f.deps, { dataset: 'things', reason: 'second', by: 'other' });
    expect(again.data.changed).toBe(false);
    expect((await f.ledger.getPause('things'))?.reason).toBe('first');
    expect(f.ledger.runs).toHaveLength(1);
  });

  it('refuses to pause without a reason, before anything is written', async () => {
    const f = fakes();
    await expect(pause(f.deps, { dataset: 'things', by: 'ops' })).rejects.toThrow(UsageError);
    expect(await f.ledger.getPause('things')).toBeUndefined();
  });
});

describe('resume', () => {
  it("lifts the pause and enqueues the paused files in the sweep's order, and records the run", async () => {
    const f = fakes();
    await pause(f.deps, { dataset: 'things', reason: 'vendor resends', by: 'ops' });
    await f.ledger.raiseHighWaterMark('things', '2024-03-05');
    for (const d of ['07', '05', '01']) await pausedFile(f, `things/2024-03-${d}.csv`);
    f.land('things/2024-03-02.csv');
    await f.finish('things/2024-03-02.csv', 'completed');

    const report = await resume(f.deps, { dataset: 'things', by: 'ops' });

    expect(await f.ledger.getPause('things')).toBeUndefined();
    expect(f.sent).toEqual([
      { bucket: 'landing', key: 'things/2024-03-01.csv', reason: 'resume' },
      { bucket: 'landing', key: 'things/2024-03-05.csv', reason: 'resume' },
      { bucket: 'landing', key: 'things/2024-03-07.csv', reason: 'resume' },
    ]);
    expect(report.text).toContain('backfill 1, new 1, forward 1');
    expect(f.ledger.runs.at(-1)).toMatchObject({
      kind: 'resume',
      summary: { enqueued: 3, was_paused: true, paused_by: 'ops' },
    });
  });

  it('enqueues files left paused even when the dataset is no longer paused', async () => {
    const f = fakes();
    await pausedFile(f, 'things/2024-03-01.csv');
    const report = await resume(f.deps, { dataset: 'things', by: 'ops' });
    expect(report.data.lifted).toBeUndefined();
    expect(f.sent).toHaveLength(1);
    expect(report.text).toContain('was not paused');
  });
});

describe('status of a paused dataset', () => {
  it('shows who paused it and how many files wait', async () => {
    const f = fakes();
    await pause(f.deps, { dataset: 'things', reason: 'vendor resends', by: 'ops' });
    await pausedFile(f, 'things/2024-03-01.csv');
    const report = await status(f.deps, {});
    const things = report.data.datasets[0]!;
    expect(things.paused).toMatchObject({ by: 'ops', reason: 'vendor resends' });
    expect(things.counts[FileStatus.Paused]).toBe(1);
    expect(report.text).toContain('things: paused by ops');
    expect(report.text).toContain('1 file(s) waiting');
  });
});

/**
 * The transitions of DESIGN.md as outcomes, run against any Ledger: the DynamoDB ledger on moto
 * and the in-memory ledger the engine's unit tests use, so the two cannot drift apart.
 */
import { expect, it } from 'vitest';
import type { ClaimRequest, Ledger } from '../../lambdas/core/ledger.js';

const T0 = Date.parse('2026-05-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

function request(dataset: string, overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    ingestionKey: dataset,
    filePath: `s3://landing/${dataset}/file.csv`,
    etag: 'etag-1',
    size: 10,
    runId: 'run-1',
    now: at(0),
    leaseMs: 60_000,
    maxAttempts: 2,
    ...overrides,
  };
}

/** Registers one test per transition; `ledger()` is called inside the tests. */
export function ledgerTransitionContract(ledger: () => Ledger, prefix: string): void {
  const owned = (r: ClaimRequest, seconds: number) => ({ ...r, now: at(seconds) });

  it('claims a new file, completes it, and counts a second event for the same ETag as a duplicate', async () => {
    const first = request(`${prefix}_done`);
    expect((await ledger().claimFile(first)).kind).toBe('claimed');
    await ledger().markCompleted(owned(first, 1), { rowsIngested: 1, rowsRejected: 0 });
    const again = await ledger().claimFile(request(`${prefix}_done`, { runId: 'run-2', now: at(2) }));
    expect(again).toMatchObject({ kind: 'duplicate', item: { status: 'completed', duplicate_events: 1 } });
  });

  it("claims a new file on an event's word, and leaves an item of another ETag alone on it", async () => {
    const first = request(`${prefix}_event`, { etagFromEvent: true });
    expect((await ledger().claimFile(first)).kind).toBe('claimed');
    await ledger().markCompleted(owned(first, 1), { rowsIngested: 1, rowsRejected: 0 });
    const again = await ledger().claimFile({ ...first, runId: 'run-2', now: at(2) });
    expect(again).toMatchObject({ kind: 'duplicate', item: { duplicate_events: 1 } });
    const stale = await ledger().claimFile({ ...first, etag: 'etag-0', runId: 'run-3', now: at(3) });
    expect(stale).toMatchObject({ kind: 'other_version', item: { file_etag: 'etag-1', run_id: 'run-1' } });
  });

  it('never takes over a live lease, whatever the ETag, and takes over an expired one', async () => {
    const first = request(`${prefix}_lease`);
    await ledger().claimFile(first);
    const live = await ledger().claimFile(
      request(`${prefix}_lease`, { runId: 'run-2', etag: 'etag-2', now: at(30) }),
    );
    expect(live.kind).toBe('busy');
    const late = await ledger().claimFile(request(`${prefix}_lease`, { runId: 'run-3', now: at(61) }));
    expect(late).toMatchObject({ kind: 'claimed', item: { run_id: 'run-3', attempts: 2 } });
    await expect(
      ledger().markCompleted(owned(first, 62), { rowsIngested: 1, rowsRejected: 0 }),
    ).rejects.toThrow();
  });

  it('counts a delivery of the version a live run holds as a duplicate event, and no other', async () => {
    const first = request(`${prefix}_busy_dup`);
    await ledger().claimFile(first);
    const again = request(`${prefix}_busy_dup`, { runId: 'run-2', now: at(5) });
    expect((await ledger().claimFile(again)).kind).toBe('busy');
    await ledger().countDuplicateEvent(again, again.etag);
    await ledger().countDuplicateEvent(again, 'etag-other');
    expect(await ledger().getFile(first)).toMatchObject({ status: 'processing', duplicate_events: 1 });
  });

  it('replaces a finished version when the ETag changes and keeps the old one in history', async () => {
    const first = request(`${prefix}_version`);
    await ledger().claimFile(first);
    await ledger().markRejected(owned(first, 1), {
      error: { code: 'BAD_ROW', message: 'bad' },
      rowsIngested: 0,
      rowsRejected: 1,
      quarantinePath: 's3://q/r.json',
    });
    const next = await ledger().claimFile(
      request(`${prefix}_version`, { etag: 'etag-2', runId: 'run-2', now: at(2) }),
    );
    expect(next).toMatchObject({ kind: 'claimed', item: { file_etag: 'etag-2', attempts: 1 } });
    expect(next.item.history?.[0]).toMatchObject({ file_etag: 'etag-1', status: 'rejected' });
  });

  it('retries a failed file up to the attempt limit, then waits for a reprocess request', async () => {
    const first = request(`${prefix}_failed`);
    await ledger().claimFile(first);
    await ledger().markFailed(owned(first, 1), { code: 'X', message: 'down' });
    const retry = request(`${prefix}_failed`, { runId: 'run-2', now: at(2) });
    expect((await ledger().claimFile(retry)).kind).toBe('claimed');
    await ledger().markFailed(owned(retry, 3), { code: 'X', message: 'down again' });
    expect((await ledger().claimFile(request(`${prefix}_failed`, { runId: 'run-3', now: at(4) }))).kind).toBe(
      'exhausted',
    );
    await ledger().requestReprocess(
      { ingestionKey: `${prefix}_failed`, filePath: first.filePath },
      { by: 'ops', reason: 'fixed', now: at(5) },
    );
    const forced = await ledger().claimFile(request(`${prefix}_failed`, { runId: 'run-4', now: at(6) }));
    expect(forced).toMatchObject({ kind: 'claimed', item: { attempts: 1 } });
  });

  it('stops taking over a run that keeps dying at the attempt limit', async () => {
    await ledger().claimFile(request(`${prefix}_dying`));
    await ledger().claimFile(request(`${prefix}_dying`, { runId: 'run-2', now: at(61) }));
    const third = await ledger().claimFile(request(`${prefix}_dying`, { runId: 'run-3', now: at(122) }));
    expect(third).toMatchObject({ kind: 'exhausted', item: { attempts: 2 } });
  });

  it('records a new file as paused without an attempt, and a later claim counts the first attempt', async () => {
    const r = request(`${prefix}_paused`);
    const paused = await ledger().markPaused(r);
    expect(paused).toMatchObject({ kind: 'paused', item: { status: 'paused', attempts: 0 } });
    expect(await ledger().markPaused({ ...r, runId: 'run-2', now: at(1) })).toMatchObject({ kind: 'paused' });
    const claim = await ledger().claimFile(request(`${prefix}_paused`, { runId: 'run-3', now: at(2) }));
    expect(claim).toMatchObject({ kind: 'claimed', item: { status: 'processing', attempts: 1 } });
    expect(claim.kind === 'claimed' && claim.previous?.status).toBe('paused');
  });

  it('never pauses over a live run, a finished item of the same ETag or a file failed to its limit', async () => {
    const live = request(`${prefix}_pause_live`);
    await ledger().claimFile(live);
    expect(await ledger().markPaused({ ...live, runId: 'run-2', now: at(5) })).toMatchObject({
      kind: 'busy',
    });
    await ledger().markCompleted(owned(live, 6), { rowsIngested: 1, rowsRejected: 0 });
    expect(await ledger().markPaused({ ...live, runId: 'run-3', now: at(7) })).toMatchObject({
      kind: 'duplicate',
      item: { status: 'completed' },
    });
    const dying = request(`${prefix}_pause_exhausted`);
    await ledger().claimFile(dying);
    await ledger().markFailed(owned(dying, 1), { code: 'X', message: 'down' });
    const again = request(`${prefix}_pause_exhausted`, { runId: 'run-2', now: at(2) });
    await ledger().claimFile(again);
    await ledger().markFailed(owned(again, 3), { code: 'X', message: 'down' });
    expect(await ledger().markPaused({ ...dying, runId: 'run-3', now: at(4) })).toMatchObject({
      kind: 'exhausted',
    });
  });

  it('pauses a failed file keeping its attempts, and a new version of a completed file keeping history', async () => {
    const failed = request(`${prefix}_pause_failed`);
    await ledger().claimFile(failed);
    await ledger().markFailed(owned(failed, 1), { code: 'X', message: 'down' });
    expect(await ledger().markPaused({ ...failed, runId: 'run-2', now: at(2) })).toMatchObject({
      kind: 'paused',
      item: { status: 'paused', attempts: 1, run_id: 'run-2' },
    });
    const done = request(`${prefix}_pause_version`);
    await ledger().claimFile(done);
    await ledger().markCompleted(owned(done, 1), {
      rowsIngested: 1,
      rowsRejected: 0,
      bronzePath: 's3://b/x',
    });
    const next = await ledger().markPaused({ ...done, etag: 'etag-2', runId: 'run-2', now: at(2) });
    expect(next).toMatchObject({
      kind: 'paused',
      item: { file_etag: 'etag-2', attempts: 0, bronze_path: 's3://b/x' },
    });
    expect(next.item.history?.[0]).toMatchObject({ file_etag: 'etag-1', status: 'completed' });
    const stale = await ledger().markPaused({ ...done, etagFromEvent: true, runId: 'run-3', now: at(3) });
    expect(stale).toMatchObject({ kind: 'other_version', item: { file_etag: 'etag-2' } });
  });

  it('sets, reads and clears the pause of a dataset, which is never listed as a file', async () => {
    const dataset = `${prefix}_pause_mark`;
    expect(await ledger().getPause(dataset)).toBeUndefined();
    const mark = { by: 'ops', reason: 'vendor resends', at: at(0).toISOString(), runId: 'pause-1' };
    await ledger().setPause(dataset, mark);
    expect(await ledger().getPause(dataset)).toEqual(mark);
    expect((await ledger().listFiles(dataset)).items).toEqual([]);
    await ledger().clearPause(dataset);
    await ledger().clearPause(dataset);
    expect(await ledger().getPause(dataset)).toBeUndefined();
  });
}

import { describe, expect, it } from 'vitest';
import { type FileOutcome, ingestObject } from '../../../lambdas/core/engine.js';
import { FileStatus } from '../../../lambdas/core/ledger.js';
import type { IngestRequest } from '../../../lambdas/core/ports.js';
import { testContract } from '../../helpers/csv.js';
import { BUCKETS, memoryEngine } from '../../helpers/engine.js';

const contract = testContract();
const CSV_1 = 'id,name\n1,one\n';
const CSV_2 = 'id,name\n1,one\n2,two\n';
const KEY = 'things/a.csv';
const PATH = `s3://landing/${KEY}`;

/**
 * An engine whose store counts HEAD and read calls. Every finished version costs one HEAD, after
 * completion, to see whether a newer version landed while it was read; the counts include it.
 */
function countingEngine() {
  const engine = memoryEngine([contract]);
  const calls = { head: 0, read: 0 };
  const { head, read } = engine.store;
  engine.store.head = (...args) => {
    calls.head++;
    return head.apply(engine.store, args);
  };
  engine.store.read = (...args) => {
    calls.read++;
    return read.apply(engine.store, args);
  };
  const announce = (etag: string, size: number, runId: string) => {
    const request: IngestRequest = {
      bucket: BUCKETS.landing,
      key: KEY,
      reason: 'event',
      etag,
      size,
      eventTime: '2024-03-01T10:00:00.000Z',
    };
    return ingestObject(engine.deps, request, { runId, remainingMs: () => 60_000 });
  };
  return { engine, calls, announce };
}

describe('ingestObject on an event that announces the ETag and size', () => {
  it('ingests the announced version without a HEAD', async () => {
    const { engine, calls, announce } = countingEngine();
    const etag = engine.land(KEY, CSV_1);

    const outcome = await announce(etag, CSV_1.length, 'run-1');

    expect(outcome).toMatchObject({ status: 'completed', rowsIngested: 1, etag });
    expect(calls).toEqual({ head: 1, read: 1 });
  });

  it('answers a repeated event as a duplicate without touching the object', async () => {
    const { engine, calls, announce } = countingEngine();
    const etag = engine.land(KEY, CSV_1);
    await announce(etag, CSV_1.length, 'run-1');

    const again = await announce(etag, CSV_1.length, 'run-2');

    expect(again).toMatchObject({ status: 'duplicate', retry: false });
    expect(calls).toEqual({ head: 1, read: 1 });
  });

  it('ingests the current version when the object was replaced after the event', async () => {
    const { engine, calls, announce } = countingEngine();
    const stale = engine.land(KEY, CSV_1);
    const current = engine.land(KEY, CSV_2);

    const outcome = await announce(stale, CSV_1.length, 'run-1');

    expect(outcome).toMatchObject({ status: 'completed', rowsIngested: 2, etag: current, retry: false });
    expect(calls.head).toBe(2);
    const item = await engine.ledger.getFile({ ingestionKey: 'things', filePath: PATH });
    expect(item).toMatchObject({ status: FileStatus.Completed, file_etag: current, rows_ingested: 2 });
  });

  it("does not replace a newer version's completed item on a stale event's word", async () => {
    const { engine, calls, announce } = countingEngine();
    const stale = engine.land(KEY, CSV_1);
    const current = engine.land(KEY, CSV_2);
    await engine.ingest(KEY, { runId: 'run-current' });

    const outcome = await announce(stale, CSV_1.length, 'run-late');

    expect(outcome).toMatchObject({ status: 'duplicate', etag: current, retry: false });
    expect(calls.head).toBe(3);
    const item = await engine.ledger.getFile({ ingestionKey: 'things', filePath: PATH });
    expect(item).toMatchObject({ status: FileStatus.Completed, file_etag: current, run_id: 'run-current' });
  });

  it('reports one outcome per file, the final one, when the event was stale', async () => {
    const { engine } = countingEngine();
    const seen: string[] = [];
    const deps = { ...engine.deps, onOutcome: (o: FileOutcome) => void seen.push(o.status) };
    const stale = engine.land(KEY, CSV_1);
    engine.land(KEY, CSV_2);

    const request = { bucket: BUCKETS.landing, key: KEY, etag: stale, size: CSV_1.length };
    await ingestObject(deps, request, { runId: 'run-1', remainingMs: () => 60_000 });

    expect(seen).toEqual(['completed']);
  });
});

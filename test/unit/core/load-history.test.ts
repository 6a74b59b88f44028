import { describe, expect, it } from 'vitest';
import type { FileOutcome } from '../../../lambdas/core/engine.js';
import {
  LOAD_HISTORY_COLUMNS,
  LoadHistorySink,
  parseLoadHistory,
} from '../../../lambdas/core/load-history.js';
import { MemoryObjectStore, TestClock } from '../../helpers/memory.js';

const base = { retry: false, bucket: 'landing', runId: 'req:msg', dataset: 'things', durationMs: 5 } as const;
const completed: FileOutcome = {
  ...base,
  key: 'things/a.csv',
  status: 'completed',
  etag: 'e1',
  versionId: 'v1',
  rowsIngested: 3,
  rowsRejected: 1,
  bronzeKey: 'things/dt=2024-03-01/landing/things/a.csv.parquet',
  partitionDate: '2024-03-01',
  startedAt: '2024-03-01T12:00:00.000Z',
  finishedAt: '2024-03-01T12:00:00.005Z',
};
const rejected: FileOutcome = {
  ...base,
  key: 'things/b.csv',
  status: 'rejected',
  etag: 'e2',
  rowsIngested: 0,
  rowsRejected: 2,
  error: { code: 'HEADER_MISMATCH', message: 'missing column "id"', line: 1 },
};
const duplicate: FileOutcome = { ...base, key: 'things/c.csv', status: 'duplicate', etag: 'e3' };

function sink() {
  const store = new MemoryObjectStore();
  const clock = new TestClock(new Date('2024-03-02T00:00:01Z'));
  return { store, history: new LoadHistorySink({ store, clock, bronzeBucket: 'bronze', newId: () => 'id' }) };
}

describe('LoadHistorySink', () => {
  it('writes the final outcomes of an invocation as one JSON Lines object under the day it writes', async () => {
    const { store, history } = sink();
    await history.publish([completed, duplicate, rejected]);
    expect(store.keys('bronze')).toEqual(['_load_history/dt=2024-03-02/20240302T000001000Z-id.jsonl']);
    const records = parseLoadHistory(store.get('bronze', store.keys('bronze')[0]!)!.body.toString());
    expect(records).toEqual([
      {
        dataset: 'things',
        file: 's3://landing/things/a.csv',
        etag: 'e1',
        version_id: 'v1',
        file_size: null,
        status: 'completed',
        rows_ingested: 3,
        rows_rejected: 1,
        rows_rescued: null,
        bronze_path: 's3://bronze/things/dt=2024-03-01/landing/things/a.csv.parquet',
        partition_date: '2024-03-01',
        error_code: null,
        error_message: null,
        first_bad_line: null,
        reason: null,
        run_id: 'req:msg',
        started_at: '2024-03-01T12:00:00.000Z',
        finished_at: '2024-03-01T12:00:00.005Z',
        duration_ms: 5,
      },
      expect.objectContaining({
        status: 'rejected',
        error_code: 'HEADER_MISMATCH',
        error_message: 'missing column "id"',
        first_bad_line: 1,
        bronze_path: null,
      }),
    ]);
    for (const record of records)
      expect(Object.keys(record)).toEqual(LOAD_HISTORY_COLUMNS.map((c) => c.name));
  });

  it('records an exhausted file, and writes nothing for an invocation with no final outcome', async () => {
    const { store, history } = sink();
    await history.publish([duplicate, { ...base, key: 'things/d.csv', status: 'failed', retry: true }]);
    expect(store.keys('bronze')).toEqual([]);
    await history.publish([
      { ...base, key: 'things/e.csv', status: 'exhausted', error: { code: 'X', message: 'm' } },
    ]);
    expect(store.keys('bronze')).toHaveLength(1);
  });
});

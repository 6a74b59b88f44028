/** In-memory dependencies for the CLI's commands. */

import { noProgress } from '../../../cli/progress.js';
import { filePathFor } from '../../../lambdas/core/ledger.js';
import type { IngestRequest } from '../../../lambdas/core/ports.js';
import { testContract } from '../../helpers/csv.js';
import { MemoryLedger, MemoryObjectStore, TestClock } from '../../helpers/memory.js';

export const NOW = new Date('2024-03-10T12:00:00Z');

/** The test dataset `things`, with partition dates in its keys. */
export const things = testContract({
  partition_date: { key_pattern: '(?<year>\\d{4})-(?<month>\\d{2})-(?<day>\\d{2})' },
});

/** Store, ledger, queue and clock in memory, and helpers to land and finish files. */
export function fakes() {
  const store = new MemoryObjectStore();
  const ledger = new MemoryLedger();
  const clock = new TestClock(NOW);
  const sent: IngestRequest[] = [];
  const queue = { send: async (requests: readonly IngestRequest[]) => void sent.push(...requests) };
  const deps = {
    store,
    ledger,
    clock,
    queue,
    contracts: [things],
    landingBucket: 'landing',
    progress: noProgress,
  };

  /** Lands a file and returns its ETag. */
  const land = (key: string, body = 'id,name\n1,x\n') => store.putSync('landing', key, body);

  /** Claims a landed file and moves it to a final state, as the engine would. */
  const finish = async (key: string, status: 'completed' | 'rejected' | 'failed', runId = 'run-1') => {
    const filePath = filePathFor('landing', key);
    const etag = store.get('landing', key)!.etag;
    const fileKey = { ingestionKey: 'things', filePath };
    await ledger.claimFile({
      ...fileKey,
      etag,
      size: 12,
      runId,
      now: clock.now(),
      leaseMs: 1,
      maxAttempts: 5,
    });
    const owned = { ...fileKey, runId, etag, now: clock.now() };
    if (status === 'completed') return ledger.markCompleted(owned, { rowsIngested: 1, rowsRejected: 0 });
    if (status === 'rejected') {
      return ledger.markRejected(owned, {
        error: { code: 'BAD_ROW', message: 'line 2: bad', line: 2 },
        rowsIngested: 0,
        rowsRejected: 1,
        quarantinePath: 's3://quarantine/report.error.json',
      });
    }
    return ledger.markFailed(owned, { code: 'INFRASTRUCTURE', message: 'throttled' });
  };
  return { store, ledger, clock, sent, queue, deps, land, finish };
}

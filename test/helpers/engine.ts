import type { Contract } from '../../lambdas/core/contract.js';
import { type EngineDeps, type FileOutcome, ingestObject } from '../../lambdas/core/engine.js';
import { bronzeSlotFor, bronzeSlotOf } from '../../lambdas/core/layout.js';
import { MemoryLedger, MemoryObjectStore, TestClock } from './memory.js';
import { readParquetRows } from './parquet-read.js';

export { TestClock };

export const BUCKETS = { landing: 'landing', bronze: 'bronze', quarantine: 'quarantine' } as const;

/** An engine over in-memory storage, with helpers to land files and run them. */
export function memoryEngine(contracts: Contract[]) {
  const store = new MemoryObjectStore();
  const ledger = new MemoryLedger();
  const clock = new TestClock();
  const deps: EngineDeps = { store, ledger, clock, contracts, buckets: BUCKETS };
  let run = 0;
  return {
    store,
    ledger,
    clock,
    deps,
    land: (key: string, body: string | Uint8Array) => store.putSync(BUCKETS.landing, key, body),
    ingest: (key: string, options: { runId?: string; remainingMs?: number } = {}): Promise<FileOutcome> =>
      ingestObject(
        deps,
        { bucket: BUCKETS.landing, key },
        { runId: options.runId ?? `run-${++run}`, remainingMs: () => options.remainingMs ?? 60_000 },
      ),
  };
}

/** The bronze keys of a landed file in the memory store, whatever their partition. */
export function bronzeKeysIn(store: MemoryObjectStore, dataset: string, key: string): string[] {
  const slot = bronzeSlotFor(dataset, BUCKETS.landing, key);
  return store.keys(BUCKETS.bronze).filter((k) => bronzeSlotOf(k) === slot);
}

/** Reads every row of a Parquet object with hyparquet, an independent reader. */
export const readParquet = (body: Uint8Array) => readParquetRows(body);

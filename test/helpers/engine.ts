import { parquetReadObjects } from 'hyparquet';
import type { Contract } from '../../lambdas/core/contract.js';
import { type EngineDeps, type FileOutcome, ingestObject } from '../../lambdas/core/engine.js';
import type { Clock } from '../../lambdas/core/ports.js';
import { MemoryLedger, MemoryObjectStore } from './memory.js';

export const BUCKETS = { landing: 'landing', bronze: 'bronze', quarantine: 'quarantine' } as const;

/** A fixed clock that tests move by hand. */
export class TestClock implements Clock {
  constructor(public current = new Date('2024-03-01T12:00:00Z')) {}
  now() {
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

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

/** Reads every row of a Parquet object with hyparquet, an independent reader. */
export async function readParquet(body: Buffer): Promise<Record<string, unknown>[]> {
  const file = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
  return (await parquetReadObjects({ file })) as Record<string, unknown>[];
}

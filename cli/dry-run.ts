/** A dry-run sweep: what the next sweep would enqueue, computed without changing anything. */
import type { Contract } from '../lambdas/core/contract.js';
import type { Ledger } from '../lambdas/core/ledger.js';
import type { Clock, IngestQueue, ObjectStore } from '../lambdas/core/ports.js';
import { type SweepOptions, type SweepReport, sweep } from '../lambdas/core/sweep.js';

/** A dry run never sends; a send would be a bug, so it fails loudly. */
export const DRY_RUN_QUEUE: IngestQueue = {
  send: async () => {
    throw new Error('a dry-run sweep does not enqueue');
  },
};

export interface PlanDeps {
  readonly ledger: Ledger;
  readonly store: ObjectStore;
  readonly contracts: readonly Contract[];
  readonly landingBucket: string;
  readonly clock: Clock;
}

/** Runs the sweep in dry-run mode over the given datasets. */
export function planSweep(
  deps: PlanDeps,
  datasets: readonly string[],
  by: string,
  onProgress?: SweepOptions['onProgress'],
): Promise<SweepReport> {
  return sweep(
    { ...deps, queue: DRY_RUN_QUEUE },
    { dryRun: true, datasets, by, ...(onProgress ? { onProgress } : {}) },
  );
}

/** What the children that run the engine share: the contract they are given, buckets and deps. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Contract, parseContract } from '../../lambdas/core/contract.js';
import type { EngineDeps } from '../../lambdas/core/engine.js';
import type { Ledger } from '../../lambdas/core/ledger.js';
import { type ObjectStore, systemClock } from '../../lambdas/core/ports.js';
import { MemoryLedger } from '../../test/helpers/memory.js';
import { LocalFileObjectStore } from '../local-file-store.js';
import { argValue } from './protocol.js';

export const BUCKETS = { landing: 'landing', bronze: 'bronze', quarantine: 'quarantine' } as const;

/** The contract file named by `--contract`, parsed. */
export function contractArg(): Contract {
  const file = argValue('contract');
  return parseContract(JSON.parse(readFileSync(file, 'utf8')), file);
}

/** Landing reads from `landingDir`; bronze and quarantine objects go under `outDir`. */
export function localFileStore(landingDir: string, outDir: string): LocalFileObjectStore {
  return new LocalFileObjectStore({
    buckets: {
      [BUCKETS.landing]: landingDir,
      [BUCKETS.bronze]: join(outDir, 'bronze'),
      [BUCKETS.quarantine]: join(outDir, 'quarantine'),
    },
  });
}

/** Engine deps on `store`, with the in-memory ledger of the tests unless another is given. */
export function engineDeps(
  store: ObjectStore,
  contract: Contract,
  ledger: Ledger = new MemoryLedger(),
): EngineDeps {
  return { store, ledger, clock: systemClock, contracts: [contract], buckets: BUCKETS };
}

/**
 * Child: one CSV file to bronze through ingestObject, the function the ingest Lambda calls, on a
 * local-file object store and an in-memory ledger.
 *
 *   node engine.mjs --contract FILE --data-dir DIR --key KEY --out-dir DIR
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseContract } from '../../lambdas/core/contract.js';
import { type EngineDeps, ingestObject } from '../../lambdas/core/engine.js';
import { systemClock } from '../../lambdas/core/ports.js';
import { MemoryLedger } from '../../test/helpers/memory.js';
import { LocalFileObjectStore } from '../local-file-store.js';
import { argValue, measure, observeGc } from './protocol.js';

const contractFile = argValue('contract');
const contract = parseContract(JSON.parse(readFileSync(contractFile, 'utf8')), contractFile);
const key = argValue('key');
const outDir = argValue('out-dir');
const buckets = { landing: 'landing', bronze: 'bronze', quarantine: 'quarantine' };
const store = new LocalFileObjectStore({
  buckets: {
    landing: argValue('data-dir'),
    bronze: join(outDir, 'bronze'),
    quarantine: join(outDir, 'quarantine'),
  },
});
const deps: EngineDeps = {
  store,
  ledger: new MemoryLedger(),
  clock: systemClock,
  contracts: [contract],
  buckets,
};

const gcMs = observeGc();

await measure(async () => {
  const outcome = await ingestObject(
    deps,
    { bucket: buckets.landing, key },
    { runId: 'bench-run', remainingMs: () => 15 * 60_000 },
  );
  if (outcome.status !== 'completed') {
    throw new Error(`ingest ended ${outcome.status}: ${JSON.stringify(outcome.error ?? outcome.reason)}`);
  }
  const out = join(outDir, 'bronze', ...(outcome.bronzeKey ?? '').split('/'));
  return { rows: outcome.rowsIngested ?? 0, outBytes: statSync(out).size };
}, gcMs);

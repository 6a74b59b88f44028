/**
 * Child: one CSV file to bronze through ingestObject, the function the ingest Lambda calls, on a
 * local-file object store and an in-memory ledger.
 *
 *   node engine.mjs --contract FILE --data-dir DIR --key KEY --out-dir DIR
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ingestObject } from '../../lambdas/core/engine.js';
import { BUCKETS as buckets, contractArg, engineDeps, localFileStore } from './engine-deps.js';
import { argValue, measure, observeGc } from './protocol.js';

const key = argValue('key');
const outDir = argValue('out-dir');
const deps = engineDeps(localFileStore(argValue('data-dir'), outDir), contractArg());

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

/**
 * Child: many small CSV files, one after the other, through ingestObject on the in-process path
 * (in-memory object store and ledger), so that what is measured is the engine's own cost per file.
 * The first `warmup` files are not measured. The last file's bronze object is written to OUT for
 * the parent to read back.
 *
 *   node engine-small.mjs --contract FILE --dir DIR --count N --warmup W --out FILE
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestObject } from '../../lambdas/core/engine.js';
import { MemoryObjectStore } from '../../test/helpers/memory.js';
import { BUCKETS as buckets, contractArg, engineDeps } from './engine-deps.js';
import { allocationMeter, argValue, measure, observeGc } from './protocol.js';

const dir = argValue('dir');
const count = Number(argValue('count'));
const warmup = Number(argValue('warmup'));
const store = new MemoryObjectStore();
// As an S3 body arrives over HTTP in Node: pieces of up to 16 KiB, so a 5 KB file is one piece.
store.readChunkBytes = 16 * 1024;
const keys = readdirSync(join(dir, 'data'))
  .sort()
  .map((name) => `data/${name}`);
if (keys.length < warmup + count)
  throw new Error(`${dir} holds ${keys.length} files, need ${warmup + count}`);
for (const key of keys.slice(0, warmup + count))
  store.putSync(buckets.landing, key, readFileSync(join(dir, key)));
const deps = engineDeps(store, contractArg());

let lastBronzeKey: string | undefined;

async function ingest(key: string): Promise<number> {
  const outcome = await ingestObject(
    deps,
    { bucket: buckets.landing, key },
    { runId: 'bench-run', remainingMs: () => 15 * 60_000 },
  );
  if (outcome.status !== 'completed') {
    throw new Error(
      `${key}: ingest ended ${outcome.status}: ${JSON.stringify(outcome.error ?? outcome.reason)}`,
    );
  }
  lastBronzeKey = outcome.bronzeKey;
  return outcome.rowsIngested ?? 0;
}

for (const key of keys.slice(0, warmup)) await ingest(key);
const measured = keys.slice(warmup, warmup + count);
const gcMs = observeGc();
const allocated = allocationMeter();
await measure(async () => {
  let rows = 0;
  for (const key of measured) rows += await ingest(key);
  const { heapBytes, externalBytes } = allocated();
  const last = store.get(buckets.bronze, lastBronzeKey!)!;
  writeFileSync(argValue('out'), last.body);
  return { rows, outBytes: last.body.length, files: measured.length, heapBytes, externalBytes };
}, gcMs);

/**
 * Child: the ingest handler on one SQS batch of ten large files (links to one bench CSV under ten
 * keys) on the local-file store and an in-memory ledger, for the peak memory of a batch ingested
 * together: the handler runs a batch's records side by side within a byte budget, a large file
 * alone (lambdas/ingest/bounded-batch.ts).
 *
 *   node batch-large.mjs --contract FILE --data-dir DIR --out-dir DIR
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { createIngestHandler } from '../../lambdas/ingest/handler.js';
import { BUCKETS as buckets, contractArg, engineDeps, localFileStore } from './engine-deps.js';
import { argValue, measure, observeGc } from './protocol.js';

const dataDir = argValue('data-dir');
const outDir = argValue('out-dir');
const store = localFileStore(dataDir, outDir);
const keys = readdirSync(join(dataDir, 'data'))
  .filter((name) => name.endsWith('.csv'))
  .sort()
  .map((name) => `data/${name}`);

// Object Created events as S3 sends them, with each object's ETag and size (the budget needs sizes).
const records = await Promise.all(
  keys.map(async (key, i) => {
    const head = (await store.head(buckets.landing, key))!;
    const event = {
      'detail-type': 'Object Created',
      detail: { bucket: { name: buckets.landing }, object: { key, etag: head.etag, size: head.size } },
    };
    return { messageId: `m-${i}`, body: JSON.stringify(event) };
  }),
);
const deps = engineDeps(store, contractArg());
const handler = createIngestHandler(() => deps);
const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 900_000 };

/** Sizes of the files under `dir`, recursively. */
function outputBytes(dir: string): number[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(entry.parentPath, entry.name);
    return entry.isDirectory() ? outputBytes(path) : [statSync(path).size];
  });
}

const gcMs = observeGc();
await measure(async () => {
  const response = await handler({ Records: records } as unknown as SQSEvent, context);
  if (response.batchItemFailures.length)
    throw new Error(`${response.batchItemFailures.length} of ${records.length} records failed`);
  const outputs = outputBytes(join(outDir, 'bronze'));
  if (outputs.length !== keys.length)
    throw new Error(`${outputs.length} bronze objects for ${keys.length} files`);
  return { rows: outputs.length, outBytes: outputs.reduce((a, b) => a + b, 0), files: keys.length };
}, gcMs);

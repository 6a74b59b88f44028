/**
 * Child: the ingest handler on one SQS batch of small files, with AWS latency modelled on the
 * in-process store and ledger (each S3 request and each DynamoDB request waits a fixed time, as a
 * round trip in a region would), to see what running the records of a batch together buys.
 *
 *   node batch.mjs --contract FILE --dir DIR --files N --s3-ms MS --dynamodb-ms MS
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import type { Ledger } from '../../lambdas/core/ledger.js';
import { createIngestHandler } from '../../lambdas/ingest/handler.js';
import { MemoryLedger, MemoryObjectStore } from '../../test/helpers/memory.js';
import { BUCKETS as buckets, contractArg, engineDeps } from './engine-deps.js';
import { argValue, measure } from './protocol.js';

const dir = argValue('dir');
const count = Number(argValue('files'));
const s3Ms = Number(argValue('s3-ms'));
const dynamoMs = Number(argValue('dynamodb-ms'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The object store with one S3 round trip before each call, and before a writer's upload completes. */
function slowStore(store: MemoryObjectStore): MemoryObjectStore {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (
        typeof value !== 'function' ||
        !['head', 'read', 'openWriter', 'put', 'copy', 'delete'].includes(String(name))
      )
        return value;
      return async (...args: unknown[]) => {
        if (name !== 'openWriter') await sleep(s3Ms);
        const result = await value.apply(target, args);
        if (name !== 'openWriter') return result;
        const writer = result as Awaited<ReturnType<MemoryObjectStore['openWriter']>>;
        const complete = async () => {
          await sleep(s3Ms);
          return writer.complete();
        };
        return { ...writer, complete };
      };
    },
  });
}

/** The ledger with one DynamoDB round trip before each call. */
function slowLedger(ledger: Ledger): Ledger {
  return new Proxy(ledger, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await sleep(dynamoMs);
        return value.apply(target, args);
      };
    },
  });
}

const store = new MemoryObjectStore();
const names = readdirSync(join(dir, 'data')).sort();
/** One Object Created event per file, as SQS records. */
const recordsOf = (files: string[]) =>
  files.map((name, i) => {
    const key = `data/${name}`;
    const body = readFileSync(join(dir, key));
    const etag = store.putSync(buckets.landing, key, body);
    const event = {
      'detail-type': 'Object Created',
      detail: { bucket: { name: buckets.landing }, object: { key, etag, size: body.length } },
    };
    return { messageId: `m-${i}`, body: JSON.stringify(event) };
  });
// Batches of other files first, so that the measured one runs warm code, as on a warm instance.
const WARMUP_BATCHES = 20;
// The first files of the directory warm up; the measured batch takes the next ones.
const WARMUP_FILES = WARMUP_BATCHES * 10;
const records = recordsOf(names.slice(WARMUP_FILES, WARMUP_FILES + count));
const deps = engineDeps(slowStore(store), contractArg(), slowLedger(new MemoryLedger()));
const handler = createIngestHandler(() => deps);
const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 900_000 };
const run = async (batch: typeof records): Promise<void> => {
  const response = await handler({ Records: batch } as unknown as SQSEvent, context);
  if (response.batchItemFailures.length)
    throw new Error(`${response.batchItemFailures.length} records failed`);
};
for (let b = 0; b < WARMUP_BATCHES; b++) await run(recordsOf(names.slice(b * 10, b * 10 + 10)));
await measure(async () => {
  await run(records);
  const outputs = store.keys(buckets.bronze).length - WARMUP_FILES;
  return { rows: outputs, outBytes: 0, files: count };
});

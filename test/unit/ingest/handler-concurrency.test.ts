import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../../lambdas/ingest/handler.js';
import { testContract } from '../../helpers/csv.js';
import { memoryEngine } from '../../helpers/engine.js';

const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 300_000 };
const CSV = 'id,name\n1,a\n';

/** Object Created events announcing each key's ETag and size, one SQS record each. */
function events(files: { key: string; etag: string }[]): SQSEvent {
  return {
    Records: files.map(({ key, etag }, i) => ({
      messageId: `m-${i}`,
      body: JSON.stringify({
        'detail-type': 'Object Created',
        detail: { bucket: { name: 'landing' }, object: { key, etag, size: CSV.length } },
      }),
    })),
  } as unknown as SQSEvent;
}

/** An engine whose reads take a while, counting how many are under way at once. */
function slowEngine(failKey?: string) {
  const engine = memoryEngine([testContract()]);
  const read = engine.store.read.bind(engine.store);
  const seen = { now: 0, most: 0 };
  engine.store.read = async (bucket, key, options) => {
    seen.now++;
    seen.most = Math.max(seen.most, seen.now);
    await new Promise((resolve) => setTimeout(resolve, 20));
    seen.now--;
    if (key === failKey) throw new Error('connection reset');
    return read(bucket, key, options);
  };
  return { engine, seen };
}

describe('ingest handler on a batch of small files', () => {
  it('ingests the records of one invocation at the same time', async () => {
    const { engine, seen } = slowEngine();
    const files = Array.from({ length: 10 }, (_, i) => {
      const key = `things/${i}.csv`;
      return { key, etag: engine.land(key, CSV) };
    });
    const handler = createIngestHandler(() => engine.deps);

    const response = await handler(events(files), context);

    expect(response.batchItemFailures).toEqual([]);
    expect(seen.most).toBe(10);
    for (const { key } of files) {
      const item = await engine.ledger.getFile({ ingestionKey: 'things', filePath: `s3://landing/${key}` });
      expect(item?.status).toBe('completed');
    }
  });

  it('returns only the record whose file failed', async () => {
    const { engine } = slowEngine('things/3.csv');
    const files = Array.from({ length: 6 }, (_, i) => {
      const key = `things/${i}.csv`;
      return { key, etag: engine.land(key, CSV) };
    });
    const handler = createIngestHandler(() => engine.deps);

    const response = await handler(events(files), context);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-3' }]);
  });

  it('hands back untouched the records it has no time left to start', async () => {
    const { engine } = slowEngine();
    const files = [0, 1].map((i) => ({ key: `things/${i}.csv`, etag: engine.land(`things/${i}.csv`, CSV) }));
    const handler = createIngestHandler(() => engine.deps);

    const response = await handler(events(files), { ...context, getRemainingTimeInMillis: () => 1_000 });

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }, { itemIdentifier: 'm-1' }]);
    expect(engine.store.keys('bronze')).toEqual([]);
  });
});

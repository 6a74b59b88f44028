import { describe, expect, it } from 'vitest';
import { type BatchBudget, messageBytes, runWithinBudget } from '../../../lambdas/ingest/bounded-batch.js';

const BUDGET: BatchBudget = { maxBytes: 100, largeBytes: 60, maxConcurrent: 3 };

/** Runs items of the given sizes; records what was in flight whenever one started. */
async function schedule(sizes: (number | undefined)[], fail: number[] = []) {
  const inFlight = new Set<number>();
  const seen: number[][] = [];
  const work = async (i: number) => {
    inFlight.add(i);
    seen.push([...inFlight].sort((a, b) => a - b));
    await new Promise((resolve) => setTimeout(resolve, 5 + (i % 3)));
    inFlight.delete(i);
    if (fail.includes(i)) throw new Error(`item ${i} failed`);
  };
  const items = sizes.map((_, i) => i);
  const result = runWithinBudget(items, (i) => sizes[i], work, BUDGET).then(
    () => undefined,
    (e: Error) => e.message,
  );
  return { error: await result, seen };
}

describe('runWithinBudget', () => {
  it('runs small items together, never more at once than the budget allows', async () => {
    const { seen, error } = await schedule([10, 10, 10, 10, 10, 10, 10]);
    expect(error).toBeUndefined();
    expect(seen).toHaveLength(7);
    expect(Math.max(...seen.map((s) => s.length))).toBe(3);
  });

  it('keeps the source bytes in flight within the budget', async () => {
    const sizes = [50, 40, 30, 20, 50];
    const { seen } = await schedule(sizes);
    for (const running of seen)
      expect(running.reduce((sum, i) => sum + sizes[i]!, 0)).toBeLessThanOrEqual(100);
  });

  it('runs a large item, or one of unknown size, alone', async () => {
    const { seen } = await schedule([10, 80, 10, undefined, 10]);
    const started = (i: number) => seen.find((s) => s.at(-1) === i || s.includes(i))!;
    expect(started(1)).toEqual([1]);
    expect(started(3)).toEqual([3]);
    for (const running of seen)
      if (running.includes(1) || running.includes(3)) expect(running).toHaveLength(1);
  });

  it('finishes every item before rejecting with the first failure', async () => {
    const { seen, error } = await schedule([10, 10, 10, 10], [1]);
    expect(error).toBe('item 1 failed');
    expect(seen).toHaveLength(4);
  });

  it('resolves at once for no items', async () => {
    await expect(
      runWithinBudget(
        [],
        () => 0,
        async () => undefined,
      ),
    ).resolves.toBeUndefined();
  });
});

describe('messageBytes', () => {
  it('takes the size an event states, and none for a request without one', () => {
    const event = JSON.stringify({
      'detail-type': 'Object Created',
      detail: { bucket: { name: 'b' }, object: { key: 'k.csv', etag: 'e', size: 5000 } },
    });
    expect(messageBytes(event)).toBe(5000);
    expect(messageBytes(JSON.stringify({ bucket: 'b', key: 'k.csv' }))).toBeUndefined();
    expect(messageBytes('not json')).toBe(0);
  });
});

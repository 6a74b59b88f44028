import { parseMessage } from '../core/events.js';

/**
 * How many records of one invocation are ingested at once. In Lambda wall time is billed, and a
 * small file spends most of its time waiting on S3 and DynamoDB: ten of them one after the other
 * cost ten times the round trips of one. Memory bounds the overlap: a file's conversion holds
 * about five bytes per source byte up to a row group, so the source bytes in flight are capped
 * and a large file runs alone.
 */
export interface BatchBudget {
  /** Source bytes of the records in flight together, at most. */
  readonly maxBytes: number;
  /** A record larger than this (or of unknown size) runs alone. */
  readonly largeBytes: number;
  /** Records in flight together, at most. */
  readonly maxConcurrent: number;
}

/** For the 1024 MB ingest function and SQS batches of 10 (lib/constructs/ingest-function.ts). */
export const DEFAULT_BATCH_BUDGET: BatchBudget = {
  maxBytes: 32 * 1024 * 1024,
  largeBytes: 16 * 1024 * 1024,
  maxConcurrent: 10,
};

/**
 * Runs `work` on every item, starting them in order, several at once while their sizes fit the
 * budget; an item of unknown or large size waits for the others and runs alone. Resolves when
 * all are done; if any `work` threw, rejects with the first error after the rest have finished,
 * so that no item is left running.
 */
export function runWithinBudget<T>(
  items: readonly T[],
  sizeOf: (item: T) => number | undefined,
  work: (item: T) => Promise<void>,
  budget: BatchBudget = DEFAULT_BATCH_BUDGET,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let running = 0;
    let bytes = 0;
    let alone = false;
    let failure: { error: unknown } | undefined;
    const settle = () => {
      if (next < items.length || running > 0) return;
      if (failure) reject(failure.error);
      else resolve();
    };
    const pump = () => {
      while (next < items.length) {
        const size = sizeOf(items[next]!);
        const large = size === undefined || size > budget.largeBytes;
        const cost = large ? 0 : size;
        const fits =
          running === 0 ||
          (!alone && !large && running < budget.maxConcurrent && bytes + cost <= budget.maxBytes);
        if (!fits) break;
        const item = items[next++]!;
        running++;
        bytes += cost;
        alone = large;
        const done = () => {
          running--;
          bytes -= cost;
          if (large) alone = false;
          pump();
          settle();
        };
        work(item).then(done, (error: unknown) => {
          failure ??= { error };
          done();
        });
      }
    };
    pump();
    settle();
  });
}

/**
 * The source bytes a queue message asks to ingest, as its event states them; undefined when a
 * file's size is not in the message (sweep and CLI requests), so that the record runs alone.
 */
export function messageBytes(body: string): number | undefined {
  const parsed = parseMessage(body);
  if (parsed.kind !== 'files') return 0;
  let bytes = 0;
  for (const request of parsed.requests) {
    if (request.size === undefined) return undefined;
    bytes += request.size;
  }
  return bytes;
}

import { describe, expect, it } from 'vitest';
import type { FileOutcome } from '../../../lambdas/core/engine.js';
import {
  type EventPublisher,
  type OutcomeEvent,
  OutcomeEventSink,
  outcomeEvent,
} from '../../../lambdas/core/outcome-events.js';

const base: FileOutcome = {
  status: 'completed',
  retry: false,
  bucket: 'landing',
  key: 'orders/2026-11-30.csv',
  runId: 'req:m1',
  dataset: 'orders',
  etag: 'abc',
  durationMs: 42,
};
const context = { bronzeBucket: 'bronze', decidedAt: new Date('2026-11-30T08:00:00Z') };

describe('outcome events', () => {
  it('a completed file carries its rows, bronze path, partition, version and landing time', () => {
    const event = outcomeEvent(
      {
        ...base,
        rowsIngested: 10,
        rowsRejected: 0,
        bytes: 300,
        versionId: 'v1',
        landedAt: new Date('2026-11-30T07:59:00Z'),
        bronzeKey: 'orders/dt=2026-11-30/landing/orders/2026-11-30.csv.parquet',
      },
      context,
    );
    expect(event).toEqual({
      detailType: 'Bronze File Completed',
      detail: {
        version: '1',
        status: 'completed',
        dataset: 'orders',
        file: 's3://landing/orders/2026-11-30.csv',
        bucket: 'landing',
        key: 'orders/2026-11-30.csv',
        etag: 'abc',
        versionId: 'v1',
        rowsIngested: 10,
        rowsRejected: 0,
        bytes: 300,
        bronzePath: 's3://bronze/orders/dt=2026-11-30/landing/orders/2026-11-30.csv.parquet',
        partition: 'dt=2026-11-30',
        runId: 'req:m1',
        error: null,
        firstBadLine: null,
        landedAt: '2026-11-30T07:59:00.000Z',
        decidedAt: '2026-11-30T08:00:00.000Z',
        durationMs: 42,
      },
    });
  });

  it('a rejected file carries the error and its line as the first bad line', () => {
    const event = outcomeEvent(
      {
        ...base,
        status: 'rejected',
        error: { code: 'HEADER_MISMATCH', message: 'missing column id', line: 1 },
      },
      context,
    );
    expect(event?.detailType).toBe('Bronze File Rejected');
    expect(event?.detail).toMatchObject({
      error: { code: 'HEADER_MISMATCH', message: 'missing column id', line: 1 },
      firstBadLine: 1,
      bronzePath: null,
      partition: null,
    });
  });

  it('an exhausted file says so in its error even without an error of its own', () => {
    const event = outcomeEvent({ ...base, status: 'exhausted', reason: 'failed 5 times' }, context);
    expect(event?.detailType).toBe('Bronze File Exhausted');
    expect(event?.detail.error).toEqual({ code: 'EXHAUSTED', message: 'failed 5 times', line: null });
  });

  it('an error message is cut to 2000 characters so an event stays far under 256 KB', () => {
    const message = 'x'.repeat(300_000);
    const event = outcomeEvent({ ...base, status: 'rejected', error: { code: 'BAD', message } }, context);
    expect(event?.detail.error?.message).toHaveLength(2000);
  });

  it.each(['failed', 'duplicate', 'busy', 'ignored', 'changed', 'claim_lost'] as const)(
    'a %s outcome is not final and publishes nothing',
    (status) => {
      expect(outcomeEvent({ ...base, status }, context)).toBeUndefined();
    },
  );

  it('the sink publishes all final outcomes of an invocation in one call, and nothing for none', async () => {
    const calls: OutcomeEvent[][] = [];
    const publisher: EventPublisher = { publish: async (events) => void calls.push([...events]) };
    const sink = new OutcomeEventSink(publisher, { bronzeBucket: 'bronze', now: () => context.decidedAt });
    await sink.publish([base, { ...base, status: 'duplicate' }, { ...base, status: 'rejected' }]);
    await sink.publish([{ ...base, status: 'failed' }]);
    expect(calls.map((c) => c.map((e) => e.detail.status))).toEqual([['completed', 'rejected']]);
  });
});

import { describe, expect, it } from 'vitest';
import { OutcomeMetrics } from '../../../lambdas/ingest/metrics.js';

function recordingSink() {
  const records: Array<{ dimension?: string; metrics: Record<string, number[]> }> = [];
  let current: { dimension?: string; metrics: Record<string, number[]> } = { metrics: {} };
  return {
    records,
    addDimension: (_name: string, value: string) => {
      current.dimension = value;
    },
    addMetric: (name: string, _unit: unknown, value: number) => {
      current.metrics[name] = [...(current.metrics[name] ?? []), value];
    },
    publishStoredMetrics: () => {
      records.push(current);
      current = { metrics: {} };
    },
  };
}

describe('OutcomeMetrics', () => {
  it('publishes one record per dataset with every metric under its dataset dimension', () => {
    const sink = recordingSink();
    const metrics = new OutcomeMetrics(sink);
    const base = { retry: false, bucket: 'b', key: 'k', runId: 'r', durationMs: 5 };
    metrics.record({
      ...base,
      status: 'completed',
      dataset: 'orders',
      rowsIngested: 10,
      rowsRejected: 2,
      bytes: 100,
    });
    metrics.record({ ...base, status: 'duplicate', dataset: 'orders' });
    metrics.record({ ...base, status: 'rejected', dataset: 'customers', rowsRejected: 3 });
    metrics.publish();
    expect(sink.records).toEqual([
      {
        dimension: 'orders',
        metrics: {
          FilesIngested: [1],
          RowsIngested: [10],
          RowsRejected: [2],
          BytesIngested: [100],
          FileDuration: [5, 5],
          DuplicateEventsSkipped: [1],
        },
      },
      { dimension: 'customers', metrics: { FilesRejected: [1], RowsRejected: [3], FileDuration: [5] } },
    ]);
  });

  it('publishes nothing when no file was seen, and nothing twice', () => {
    const sink = recordingSink();
    const metrics = new OutcomeMetrics(sink);
    metrics.publish();
    metrics.record({
      retry: false,
      bucket: 'b',
      key: 'k',
      runId: 'r',
      durationMs: 1,
      status: 'completed',
      dataset: 'd',
    });
    metrics.publish();
    metrics.publish();
    expect(sink.records).toHaveLength(1);
  });

  it('counts the values a file rescued', () => {
    const sink = recordingSink();
    const metrics = new OutcomeMetrics(sink);
    metrics.record({
      retry: false,
      bucket: 'b',
      key: 'k',
      runId: 'r',
      durationMs: 1,
      status: 'completed',
      dataset: 'orders',
      drift: { columnsMissing: [], columnsUnexpected: ['x'], valuesRescued: { x: 2, amount: 3 } },
    });
    metrics.publish();
    expect(sink.records[0]?.metrics.ValuesRescued).toEqual([5]);
  });

  it('counts a failed outcome sink once per dataset of the batch and lets the failure through', async () => {
    const sink = recordingSink();
    const metrics = new OutcomeMetrics(sink);
    const failing = metrics.countFailures({
      name: 'load-history',
      publish: async () => {
        throw new Error('bronze bucket unavailable');
      },
    });
    const base = { retry: false, bucket: 'b', key: 'k', runId: 'r', durationMs: 5 } as const;
    const outcomes = [
      { ...base, status: 'completed' as const, dataset: 'orders' },
      { ...base, status: 'completed' as const, dataset: 'orders' },
      { ...base, status: 'rejected' as const, dataset: 'customers' },
    ];

    await expect(failing.publish(outcomes)).rejects.toThrow('bronze bucket unavailable');
    metrics.publish();

    expect(failing.name).toBe('load-history');
    expect(sink.records).toEqual([
      { dimension: 'orders', metrics: { OutcomeSinkFailed: [1] } },
      { dimension: 'customers', metrics: { OutcomeSinkFailed: [1] } },
    ]);
  });
});

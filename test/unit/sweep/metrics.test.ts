import { describe, expect, it } from 'vitest';
import { SweepClass, type SweepReport } from '../../../lambdas/core/sweep.js';
import type { MetricsSink } from '../../../lambdas/ingest/metrics.js';
import { publishSweepMetrics, sweepMetrics } from '../../../lambdas/sweep/metrics.js';

const now = new Date('2026-11-30T08:00:00Z');

function report(): SweepReport {
  const counts = Object.fromEntries(Object.values(SweepClass).map((c) => [c, 0])) as Record<
    SweepClass,
    number
  >;
  const planned = (key: string, lastModified: string) => ({
    dataset: 'orders',
    bucket: 'landing',
    key,
    filePath: `s3://landing/${key}`,
    etag: 'e',
    size: 1,
    class: SweepClass.New,
    group: 'new' as const,
    lastModified,
  });
  return {
    runId: 'run',
    dryRun: false,
    force: false,
    datasets: [
      {
        dataset: 'orders',
        listed: 10,
        listPages: 1,
        ledgerLookups: 1,
        byClass: {
          ...counts,
          [SweepClass.New]: 2,
          [SweepClass.Done]: 6,
          [SweepClass.Exhausted]: 1,
          [SweepClass.Busy]: 1,
        },
        enqueued: 2,
        deferredByCap: 3,
        checkpoints: [],
      },
    ],
    plan: [
      planned('orders/old.csv', '2026-11-30T06:00:00Z'),
      planned('orders/fresh.csv', '2026-11-30T07:59:00Z'),
    ],
  } as SweepReport;
}

describe('sweep metrics', () => {
  it('counts files listed, enqueued and of each class per dataset', () => {
    const [orders] = sweepMetrics(report(), now);
    expect(Object.fromEntries(orders?.values ?? [])).toMatchObject({
      SweepFilesListed: 10,
      SweepFilesEnqueued: 2,
      SweepFilesNew: 2,
      SweepFilesDone: 6,
      SweepFilesExhausted: 1,
      SweepFilesBusy: 1,
    });
  });

  it('backlog is what landed over an hour ago and is not done, what the caps deferred, and the exhausted', () => {
    const [orders] = sweepMetrics(report(), now);
    // old.csv (2 hours), 3 deferred, 1 exhausted; fresh.csv landed a minute ago.
    expect(Object.fromEntries(orders?.values ?? []).SweepBacklog).toBe(5);
  });

  it('publishes one record per dataset with its dimension, then the run duration', () => {
    const records: Array<{ dimensions: string[]; metrics: string[] }> = [];
    let current = { dimensions: [] as string[], metrics: [] as string[] };
    const sink: MetricsSink = {
      addDimension: (name, value) => void current.dimensions.push(`${name}=${value}`),
      addMetric: (name) => void current.metrics.push(name),
      publishStoredMetrics: () => {
        records.push(current);
        current = { dimensions: [], metrics: [] };
      },
    };
    publishSweepMetrics(sink, report(), { now, durationMs: 1234 });
    expect(records.map((r) => r.dimensions)).toEqual([['dataset=orders'], []]);
    expect(records[1]?.metrics).toEqual(['SweepDuration']);
  });
});

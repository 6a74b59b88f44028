import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SweepClass, type SweepReport } from '../core/sweep.js';
import type { MetricsSink } from '../ingest/metrics.js';

/** A file that landed longer ago than this and is still not done counts as backlog. */
export const DEFAULT_BACKLOG_AGE_MS = 60 * 60 * 1000;

/** Metric name of each sweep class's count, e.g. `SweepFilesNew`. */
export function classMetricName(c: SweepClass): string {
  return `SweepFiles${c.charAt(0)}${c.slice(1).toLowerCase()}`;
}

/** What one sweep run publishes for one dataset. */
export interface DatasetSweepMetrics {
  readonly dataset: string;
  readonly values: ReadonlyArray<readonly [string, number]>;
}

/**
 * Files of a dataset landed and not completed for longer than `backlogAgeMs`: those the sweep
 * enqueues again that landed before the cut-off, those left for a later run by the caps (their
 * age is unknown; they are late by definition) and those that exhausted their attempts.
 */
function backlogOf(report: SweepReport, dataset: string, cutoff: number): number {
  const sweep = report.datasets.find((d) => d.dataset === dataset);
  const late = report.plan.filter(
    (f) => f.dataset === dataset && f.lastModified !== undefined && Date.parse(f.lastModified) < cutoff,
  ).length;
  return late + (sweep?.deferredByCap ?? 0) + (sweep?.byClass[SweepClass.Exhausted] ?? 0);
}

/** The per-dataset metrics of one sweep run: files listed, enqueued, each class, backlog. */
export function sweepMetrics(
  report: SweepReport,
  now: Date,
  backlogAgeMs = DEFAULT_BACKLOG_AGE_MS,
): DatasetSweepMetrics[] {
  const cutoff = now.getTime() - backlogAgeMs;
  return report.datasets.map((d) => ({
    dataset: d.dataset,
    values: [
      ['SweepFilesListed', d.listed],
      ['SweepFilesEnqueued', d.enqueued],
      ...Object.values(SweepClass).map((c) => [classMetricName(c), d.byClass[c] ?? 0] as const),
      ['SweepBacklog', backlogOf(report, d.dataset, cutoff)],
    ],
  }));
}

/** Publishes one EMF record per dataset (dimension `dataset`), then the run's duration. */
export function publishSweepMetrics(
  sink: MetricsSink,
  report: SweepReport,
  options: { now: Date; durationMs: number; backlogAgeMs?: number },
): void {
  for (const { dataset, values } of sweepMetrics(report, options.now, options.backlogAgeMs)) {
    sink.addDimension('dataset', dataset);
    for (const [name, value] of values) sink.addMetric(name, MetricUnit.Count, value);
    sink.publishStoredMetrics();
  }
  sink.addMetric('SweepDuration', MetricUnit.Milliseconds, options.durationMs);
  sink.publishStoredMetrics();
}

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { FileOutcome, OutcomeSink } from '../core/engine.js';

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** The part of Powertools Metrics this uses, so tests can watch it. */
export interface MetricsSink {
  addDimension(name: string, value: string): void;
  addMetric(name: string, unit: Unit, value: number): void;
  publishStoredMetrics(): void;
}

/**
 * Collects file outcomes during one invocation and publishes one EMF record per dataset, so
 * every metric carries its dataset dimension.
 */
export class OutcomeMetrics {
  private readonly pending = new Map<string, Array<[string, Unit, number]>>();

  constructor(
    private readonly sink: MetricsSink,
    private readonly now: () => number = Date.now,
  ) {}

  /** Notes one file's outcome. */
  record(outcome: FileOutcome): void {
    const dataset = outcome.dataset ?? 'unmatched';
    const values = this.pending.get(dataset) ?? [];
    this.pending.set(dataset, values);
    const add = (name: string, unit: Unit, value: number) => values.push([name, unit, value]);
    if (outcome.status === 'completed') add('FilesIngested', MetricUnit.Count, 1);
    if (outcome.status === 'rejected') add('FilesRejected', MetricUnit.Count, 1);
    if (outcome.status === 'failed' || outcome.status === 'changed') add('FilesFailed', MetricUnit.Count, 1);
    if (outcome.status === 'duplicate') add('DuplicateEventsSkipped', MetricUnit.Count, 1);
    if (outcome.status === 'exhausted') add('FilesExhausted', MetricUnit.Count, 1);
    if (outcome.afterLoad?.result === 'failed') add('AfterLoadFailed', MetricUnit.Count, 1);
    // Landing to bronze, as a reader of the dataset sees it: queueing, retries and ingestion.
    if (outcome.status === 'completed' && outcome.landedAt)
      add('LandingToCompleted', MetricUnit.Milliseconds, this.now() - outcome.landedAt.getTime());
    if (outcome.rowsIngested) add('RowsIngested', MetricUnit.Count, outcome.rowsIngested);
    if (outcome.rowsRejected) add('RowsRejected', MetricUnit.Count, outcome.rowsRejected);
    if (outcome.bytes) add('BytesIngested', MetricUnit.Bytes, outcome.bytes);
    const rescued = Object.values(outcome.drift?.valuesRescued ?? {}).reduce((a, b) => a + b, 0);
    if (rescued) add('ValuesRescued', MetricUnit.Count, rescued);
    add('FileDuration', MetricUnit.Milliseconds, outcome.durationMs);
  }

  /**
   * The sink, with its failures counted (`OutcomeSinkFailed`, once for each dataset of the batch)
   * before the handler logs them: a lost load-history write or event batch shows on a graph.
   */
  countFailures(sink: OutcomeSink): OutcomeSink {
    return {
      name: sink.name,
      publish: async (outcomes) => {
        try {
          await sink.publish(outcomes);
        } catch (e) {
          for (const dataset of new Set(outcomes.map((o) => o.dataset ?? 'unmatched'))) {
            const values = this.pending.get(dataset) ?? [];
            this.pending.set(dataset, values);
            values.push(['OutcomeSinkFailed', MetricUnit.Count, 1]);
          }
          throw e;
        }
      },
    };
  }

  /** Publishes what was recorded since the last call, one record per dataset. */
  publish(): void {
    for (const [dataset, values] of this.pending) {
      this.sink.addDimension('dataset', dataset);
      for (const [name, unit, value] of values) this.sink.addMetric(name, unit, value);
      this.sink.publishStoredMetrics();
    }
    this.pending.clear();
  }
}

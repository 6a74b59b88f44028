import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { describe, expect, it } from 'vitest';
import type { FileOutcome } from '../../../lambdas/core/engine.js';
import { type MetricsSink, OutcomeMetrics } from '../../../lambdas/ingest/metrics.js';
import { observedFiles } from '../../../lambdas/ingest/observability.js';

const outcome: FileOutcome = {
  status: 'completed',
  retry: false,
  bucket: 'landing',
  key: 'things/a.csv',
  runId: 'req:m1',
  dataset: 'things',
  durationMs: 5,
  landedAt: new Date(1_000),
};

describe('file observability', () => {
  it('outside Lambda the tracer is off, and each file logs with its run id as correlation id', async () => {
    const logger = new Logger({ serviceName: 'test' });
    const tracer = new Tracer({ serviceName: 'test' });
    expect(tracer.isTracingEnabled()).toBe(false);
    const scope = observedFiles(logger, tracer);
    let during: unknown;
    const result = await scope({ bucket: 'landing', key: 'things/a.csv' }, 'req:m1', async () => {
      during = logger.getCorrelationId();
      return outcome;
    });
    expect(result).toBe(outcome);
    expect(during).toBe('req:m1');
    expect(logger.getCorrelationId()).toBeUndefined();
  });

  it('a file that throws still clears its correlation id, and the error passes through', async () => {
    const logger = new Logger({ serviceName: 'test' });
    const scope = observedFiles(logger, new Tracer({ serviceName: 'test' }));
    await expect(
      scope({ bucket: 'landing', key: 'x' }, 'r', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(logger.getCorrelationId()).toBeUndefined();
  });

  it('exhausted files and the landing-to-completed time are metrics of the dataset', () => {
    const added: Array<[string, number]> = [];
    const sink: MetricsSink = {
      addDimension: () => undefined,
      addMetric: (name, _unit, value) => void added.push([name, value]),
      publishStoredMetrics: () => undefined,
    };
    const metrics = new OutcomeMetrics(sink, () => 61_000);
    metrics.record(outcome);
    metrics.record({ ...outcome, status: 'exhausted', landedAt: undefined });
    metrics.publish();
    expect(added).toEqual(
      expect.arrayContaining([
        ['LandingToCompleted', 60_000],
        ['FilesExhausted', 1],
      ]),
    );
  });
});

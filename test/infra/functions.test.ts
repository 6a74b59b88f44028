import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { logicalId, propertiesOf, resourcesOfType, type Synthesized, synthesize } from './synth.js';

let s: Synthesized;
let ingest: string;
let sweep: string;
beforeAll(() => {
  s = synthesize();
  ingest = logicalId(s.stack.ingest.bronzeFunction.function);
  sweep = logicalId(s.stack.sweep.bronzeFunction.function);
});

/** The environment variables of a function. */
function environmentOf(id: string): Record<string, unknown> {
  const environment = propertiesOf(s.template, 'AWS::Lambda::Function', id).Environment;
  return (environment as { Variables: Record<string, unknown> }).Variables;
}

describe('Lambda functions', () => {
  it('both functions run Node.js 22 or later on arm64', () => {
    const functions = resourcesOfType(s.template, 'AWS::Lambda::Function');
    expect(Object.keys(functions).sort()).toEqual([ingest, sweep].sort());
    for (const fn of Object.values(functions)) {
      const runtime = fn.Properties?.Runtime as string;
      expect(Number(/^nodejs(\d+)\.x$/.exec(runtime)?.[1])).toBeGreaterThanOrEqual(22);
      expect(fn.Properties?.Architectures).toEqual(['arm64']);
    }
  });

  it('the ingest function has 1024 MB and a 10 minute timeout', () => {
    expect(resourcesOfType(s.template, 'AWS::Lambda::Function')[ingest]?.Properties).toMatchObject({
      MemorySize: 1024,
      Timeout: 600,
    });
  });

  it('the ingest function takes batches of 10 with partial failures, at most 10 invocations at once', () => {
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: ingest },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(s.stack.ingestQueue.queue), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 10 },
    });
  });

  it('each function logs to its own log group, kept for a month', () => {
    for (const [id, construct] of [
      [ingest, s.stack.ingest.bronzeFunction],
      [sweep, s.stack.sweep.bronzeFunction],
    ] as const) {
      const logGroup = logicalId(construct.logGroup);
      expect(resourcesOfType(s.template, 'AWS::Lambda::Function')[id]?.Properties.LoggingConfig).toEqual({
        LogGroup: { Ref: logGroup },
      });
      expect(resourcesOfType(s.template, 'AWS::Logs::LogGroup')[logGroup]?.Properties).toMatchObject({
        RetentionInDays: 30,
      });
    }
  });

  it('both functions carry the Powertools settings, source maps, a heap cap under their memory and the bundled contracts folder', () => {
    for (const [id, memory] of [
      [ingest, 1024],
      [sweep, 512],
    ] as const) {
      expect(environmentOf(id)).toMatchObject({
        POWERTOOLS_SERVICE_NAME: expect.any(String),
        POWERTOOLS_METRICS_NAMESPACE: 'BronzeIngest',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: `--enable-source-maps --max-old-space-size=${memory - 96}`,
        DATASETS_DIR: '/var/task/datasets',
      });
    }
  });

  it('both functions are told the ledger table and the three bucket names', () => {
    for (const id of [ingest, sweep]) {
      expect(environmentOf(id)).toMatchObject({
        LEDGER_TABLE: { Ref: logicalId(s.stack.ledger.table) },
        LANDING_BUCKET: { Ref: logicalId(s.stack.landing.bucket) },
        BRONZE_BUCKET: { Ref: logicalId(s.stack.storage.bronzeBucket) },
        QUARANTINE_BUCKET: { Ref: logicalId(s.stack.storage.quarantineBucket) },
      });
    }
  });

  it('only the sweep is told the ingest queue URL', () => {
    expect(environmentOf(sweep).INGEST_QUEUE_URL).toEqual({ Ref: logicalId(s.stack.ingestQueue.queue) });
    expect(environmentOf(ingest).INGEST_QUEUE_URL).toBeUndefined();
  });

  it('the sweep runs every 30 minutes', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(30 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [sweep, 'Arn'] } })],
    });
  });
});

describe('heap cap', () => {
  it('leaves the non-heap headroom below the function memory, and never goes under 64 MB', async () => {
    const { heapLimitMb, NON_HEAP_HEADROOM_MB } = await import('../../lib/heap.js');
    expect(heapLimitMb(256)).toBe(256 - NON_HEAP_HEADROOM_MB);
    expect(heapLimitMb(1024)).toBe(1024 - NON_HEAP_HEADROOM_MB);
    expect(heapLimitMb(128)).toBe(64);
  });
});

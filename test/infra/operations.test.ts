import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BronzeIngest } from '../../lib/index.js';
import { logicalId, type Synthesized, scratchDir, synthesize } from './synth.js';

let s: Synthesized;
beforeAll(() => {
  s = synthesize({ props: { alarmEmail: 'ops@example.com' } });
});

const metricAlarm = (metricName: string, dataset: string, service = 'bronze-ingest') => ({
  Namespace: 'BronzeIngest',
  MetricName: metricName,
  Dimensions: [
    { Name: 'dataset', Value: dataset },
    { Name: 'service', Value: service },
  ],
});

describe('tracing', () => {
  it('both functions trace actively with X-Ray and do not record responses', () => {
    for (const fn of [s.stack.ingest, s.stack.sweep]) {
      expect(
        s.template.findResources('AWS::Lambda::Function', {
          Properties: Match.objectLike({
            TracingConfig: { Mode: 'Active' },
            Environment: { Variables: Match.objectLike({ POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false' }) },
          }),
        }),
      ).toHaveProperty(logicalId(fn.bronzeFunction.function));
    }
  });

  it('both roles may send trace segments', () => {
    for (const fn of [s.stack.ingest, s.stack.sweep]) {
      s.template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: logicalId(fn.bronzeFunction.role) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
              Resource: '*',
            }),
          ]),
        },
      });
    }
  });
});

describe('alarms', () => {
  it.each(['customers', 'orders'])('an exhausted file of %s raises an alarm', (dataset) => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...metricAlarm('FilesExhausted', dataset),
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('a failed or timed-out sweep raises an alarm', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [
        { Name: 'FunctionName', Value: { Ref: logicalId(s.stack.sweep.bronzeFunction.function) } },
      ],
      Threshold: 0,
    });
  });

  it.each(['customers', 'orders'])(
    'files of %s left behind for two hours raise the backlog alarm',
    (dataset) => {
      s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        ...metricAlarm('SweepBacklog', dataset, 'bronze-sweep'),
        Period: 3600,
        EvaluationPeriods: 2,
        Threshold: 0,
      });
    },
  );

  it('rejected files raise an alarm only over the rate given', () => {
    s.template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'FilesRejected' }, 0);
    const stack = new Stack(
      new App({
        outdir: scratchDir('ops-'),
        builtinCloudFormationValidation: false,
        context: { 'aws:cdk:bundling-stacks': [] },
      }),
      'Platform',
    );
    new BronzeIngest(stack, 'Ingest', { rejectedFilesPerHourAlarm: 5 });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...metricAlarm('FilesRejected', 'orders'),
      Period: 3600,
      Threshold: 5,
    });
  });
});

describe('dashboard', () => {
  let body: string;
  beforeAll(() => {
    const [dashboard] = Object.values(s.template.findResources('AWS::CloudWatch::Dashboard'));
    body = JSON.stringify(dashboard?.Properties.DashboardBody);
  });

  it.each([
    ['files by outcome', 'Files by outcome'],
    ['rows and bytes', 'Rows and bytes'],
    ['landing to completed p50 and p99', 'Landing to completed (p50, p99)'],
    ['queue age', 'oldest message age'],
    ['queue depth', 'Ingest queue: depth'],
    ['dead-letter depth', 'Dead-letter queue: depth'],
    ['sweep backlog', 'Sweep backlog'],
  ])('shows %s', (_name, title) => {
    expect(body).toContain(title);
  });

  it('plots each outcome, rows, bytes and latency percentile per dataset', () => {
    for (const metric of [
      'FilesIngested',
      'FilesRejected',
      'FilesExhausted',
      'RowsIngested',
      'BytesIngested',
    ]) {
      expect(body).toContain(`\\"${metric}\\",\\"dataset\\",\\"orders\\"`);
    }
    expect(body).toMatch(/LandingToCompleted.*p99/);
  });
});

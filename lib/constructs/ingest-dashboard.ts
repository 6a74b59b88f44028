import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { datasetMetric, SWEEP_SERVICE } from './ingest-metrics.js';

export interface IngestDashboardProps {
  /** The datasets shown, one line each. */
  readonly datasets: readonly string[];
  /** The ingest queue (age and depth). */
  readonly queue: sqs.IQueue;
  /** Its dead-letter queue (depth). */
  readonly deadLetterQueue: sqs.IQueue;
}

const OUTCOMES = ['FilesIngested', 'FilesRejected', 'FilesFailed', 'FilesExhausted'] as const;

/**
 * One CloudWatch dashboard for the pipeline: files by outcome and rows and bytes per dataset,
 * landing-to-completed latency (p50, p99), queue age and depth, dead letters, sweep backlog.
 * Its name is left to CloudFormation, so several pipelines in one account do not collide.
 */
export class IngestDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: IngestDashboardProps) {
    super(scope, id);
    const perDataset = (build: (dataset: string) => cloudwatch.IMetric[]) => props.datasets.flatMap(build);
    const graph = (title: string, left: cloudwatch.IMetric[], width = 12) =>
      new cloudwatch.GraphWidget({ title, left, width, height: 6 });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(1) });
    this.dashboard.addWidgets(
      graph(
        'Files by outcome',
        perDataset((d) => OUTCOMES.map((name) => datasetMetric(name, d))),
      ),
      graph(
        'Rows and bytes',
        perDataset((d) =>
          ['RowsIngested', 'RowsRejected', 'BytesIngested'].map((name) => datasetMetric(name, d)),
        ),
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Landing to completed (p50, p99)',
        perDataset((d) =>
          ['p50', 'p99'].map((statistic) =>
            datasetMetric('LandingToCompleted', d, { statistic, label: `${d} ${statistic}` }),
          ),
        ),
      ),
      graph('Sweep backlog (files landed over an hour ago, not done)', [
        ...perDataset((d) => [
          datasetMetric('SweepBacklog', d, { service: SWEEP_SERVICE, statistic: cloudwatch.Stats.MAXIMUM }),
        ]),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Ingest queue: oldest message age (s)',
        [props.queue.metricApproximateAgeOfOldestMessage({ statistic: cloudwatch.Stats.MAXIMUM })],
        8,
      ),
      graph(
        'Ingest queue: depth',
        [
          props.queue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM }),
          props.queue.metricApproximateNumberOfMessagesNotVisible({ statistic: cloudwatch.Stats.MAXIMUM }),
        ],
        8,
      ),
      graph(
        'Dead-letter queue: depth',
        [
          props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            statistic: cloudwatch.Stats.MAXIMUM,
          }),
        ],
        8,
      ),
    );
  }
}

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** CloudWatch namespace of the functions' Powertools metrics (POWERTOOLS_METRICS_NAMESPACE). */
export const METRICS_NAMESPACE = 'BronzeIngest';

/** Powertools adds the service name as a dimension: the function that emitted the metric. */
export const INGEST_SERVICE = 'bronze-ingest';
export const SWEEP_SERVICE = 'bronze-sweep';

/** One Powertools metric of one dataset, as the ingest (or the sweep) publishes it. */
export function datasetMetric(
  metricName: string,
  dataset: string,
  options: { service?: string; statistic?: string; period?: Duration; label?: string } = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: options.service ?? INGEST_SERVICE, dataset },
    statistic: options.statistic ?? cloudwatch.Stats.SUM,
    period: options.period ?? Duration.minutes(5),
    label: options.label,
  });
}

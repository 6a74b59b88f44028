import type * as glue from 'aws-cdk-lib/aws-glue';
import { PARTITION_COLUMN } from '../../lambdas/core/layout.js';

/** The first day Athena projects; objects dated earlier stay out of the tables. */
export const PROJECTION_START = '2000-01-01';

/**
 * The `dt` partition column. A string rather than a date: the projected value is the text in the
 * object key, compared as text (`dt = '2024-03-01'`, `dt >= '2024-03-01'`, in date order since it
 * is zero-padded year-month-day), and a string needs no cast in Athena or in DuckDB's hive reader.
 */
export const DT_PARTITION_KEY: glue.CfnTable.ColumnProperty = {
  name: PARTITION_COLUMN,
  type: 'string',
  comment: 'date partition, YYYY-MM-DD',
};

/**
 * Table parameters for partition projection of `dt` by day up to today (`NOW`), so Athena prunes
 * by date with no crawler, no MSCK REPAIR and no partition to register. `location` ends with "/".
 */
export function datePartitionProjection(location: string): Record<string, string> {
  return {
    'projection.enabled': 'true',
    [`projection.${PARTITION_COLUMN}.type`]: 'date',
    [`projection.${PARTITION_COLUMN}.format`]: 'yyyy-MM-dd',
    [`projection.${PARTITION_COLUMN}.range`]: `${PROJECTION_START},NOW`,
    [`projection.${PARTITION_COLUMN}.interval`]: '1',
    [`projection.${PARTITION_COLUMN}.interval.unit`]: 'DAYS',
    'storage.location.template': `${location}${PARTITION_COLUMN}=\${${PARTITION_COLUMN}}/`,
  };
}

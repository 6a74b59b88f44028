import type { ColumnSpec } from './contract.js';

/**
 * The Glue (Hive) and Athena type of a contract column: the type of what the Parquet writer
 * stores for it (decimal(p,s) for DECIMAL, date for DATE, timestamp for TIMESTAMP micros, int for
 * INT32, bigint for INT64). The one place this mapping lives.
 */
export function glueTypeOf(column: Pick<ColumnSpec, 'type' | 'precision' | 'scale'>): string {
  switch (column.type) {
    case 'string':
      return 'string';
    case 'int32':
      return 'int';
    case 'int64':
      return 'bigint';
    case 'double':
      return 'double';
    case 'decimal':
      return `decimal(${column.precision},${column.scale})`;
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'timestamp':
      return 'timestamp';
  }
}

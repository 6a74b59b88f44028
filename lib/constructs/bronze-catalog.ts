import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { glueTypeOf } from '../../lambdas/core/catalog-types.js';
import type { Contract } from '../../lambdas/core/contract.js';
import { bronzePrefixFor } from '../../lambdas/core/layout.js';
import { RESCUED_DATA_COLUMN, usesRescue } from '../../lambdas/core/schema-evolution.js';
import { DT_PARTITION_KEY, datePartitionProjection } from './partition-projection.js';

export interface BronzeCatalogProps {
  /** The validated dataset contracts: one table each. */
  readonly contracts: readonly Contract[];
  /** The bucket holding bronze Parquet. */
  readonly bronzeBucket: s3.IBucket;
  /** Glue database name: lower case letters, digits and underscores. */
  readonly databaseName: string;
}

/** Columns the ingest adds to every bronze row. */
export const LINEAGE_COLUMNS: readonly glue.CfnTable.ColumnProperty[] = [
  { name: '_source_file', type: 'string', comment: 's3://bucket/key of the source file' },
  { name: '_source_etag', type: 'string', comment: 'ETag of the source version read' },
  { name: '_source_row', type: 'bigint', comment: 'line of the record in the source file' },
  { name: '_ingested_at', type: 'timestamp', comment: 'when the row was written to bronze' },
  { name: '_run_id', type: 'string', comment: 'the ingest run that wrote the row' },
];

/** The column of rescued values, in the tables of datasets that rescue. */
export const RESCUED_DATA_GLUE_COLUMN: glue.CfnTable.ColumnProperty = {
  name: RESCUED_DATA_COLUMN,
  type: 'string',
  comment: 'JSON object of column name to raw text that did not fit the contract; NULL when none',
};

/** The Glue columns of a dataset's bronze table: its contract columns, `_rescued_data` when it rescues, then lineage. */
export function glueColumnsFor(contract: Contract): glue.CfnTable.ColumnProperty[] {
  return [
    ...contract.columns.map((c) => ({ name: c.name.toLowerCase(), type: glueTypeOf(c) })),
    ...(usesRescue(contract) ? [RESCUED_DATA_GLUE_COLUMN] : []),
    ...LINEAGE_COLUMNS,
  ];
}

/**
 * A Glue database with one Parquet table per dataset over `s3://<bronze>/<ingestion_key>/`,
 * partitioned by `dt` with partition projection (`<ingestion_key>/dt=YYYY-MM-DD/<bucket>/<key>.parquet`):
 * a new object is visible at once, with no crawler and no partition maintenance.
 */
export class BronzeCatalog extends Construct {
  /** The Glue database. */
  public readonly database: glue.CfnDatabase;
  /** Its name, a literal (view definitions embed it). */
  public readonly databaseName: string;
  /** One table per dataset, keyed by ingestion_key. */
  public readonly tables: ReadonlyMap<string, glue.CfnTable>;

  constructor(scope: Construct, id: string, props: BronzeCatalogProps) {
    super(scope, id);
    const catalogId = Stack.of(this).account;
    this.databaseName = props.databaseName;
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId,
      databaseInput: { name: props.databaseName, description: 'Bronze layer of the ingested datasets' },
    });
    const tables = new Map<string, glue.CfnTable>();
    for (const contract of props.contracts) {
      const key = contract.ingestion_key;
      const location = `s3://${props.bronzeBucket.bucketName}/${bronzePrefixFor(key)}`;
      const table = new glue.CfnTable(this, `Table-${key}`, {
        catalogId,
        databaseName: this.database.ref,
        tableInput: {
          name: key,
          description: contract.description ?? `Bronze rows of dataset ${key}`,
          tableType: 'EXTERNAL_TABLE',
          parameters: { classification: 'parquet', EXTERNAL: 'TRUE', ...datePartitionProjection(location) },
          partitionKeys: [DT_PARTITION_KEY],
          storageDescriptor: {
            columns: glueColumnsFor(contract),
            location,
            inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
            serdeInfo: {
              serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
              parameters: { 'serialization.format': '1' },
            },
          },
        },
      });
      tables.set(key, table);
    }
    this.tables = tables;
  }
}

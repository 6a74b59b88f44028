import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, it } from 'vitest';
import { logicalId, type Synthesized, synthesize } from './synth.js';

const LINEAGE = [
  { Name: '_source_file', Type: 'string' },
  { Name: '_source_etag', Type: 'string' },
  { Name: '_source_row', Type: 'bigint' },
  { Name: '_ingested_at', Type: 'timestamp' },
  { Name: '_run_id', Type: 'string' },
].map((c) => Match.objectLike(c));

let s: Synthesized;
beforeAll(() => {
  s = synthesize();
});

describe('Glue catalog', () => {
  it('the Glue database is named after the stack', () => {
    s.template.hasResourceProperties('AWS::Glue::Database', {
      CatalogId: { Ref: 'AWS::AccountId' },
      DatabaseInput: Match.objectLike({ Name: 'bronze_ingest' }),
    });
  });

  it('each dataset has a Parquet table over its prefix, partitioned by dt with date projection up to NOW', () => {
    for (const key of ['customers', 'orders']) {
      const location = (suffix: string) => ({
        'Fn::Join': ['', ['s3://', { Ref: logicalId(s.stack.storage.bronzeBucket) }, `/${key}/${suffix}`]],
      });
      s.template.hasResourceProperties('AWS::Glue::Table', {
        DatabaseName: { Ref: logicalId(s.stack.catalog.database) },
        TableInput: Match.objectLike({
          Name: key,
          TableType: 'EXTERNAL_TABLE',
          PartitionKeys: [Match.objectLike({ Name: 'dt', Type: 'string' })],
          Parameters: Match.objectLike({
            classification: 'parquet',
            'projection.enabled': 'true',
            'projection.dt.type': 'date',
            'projection.dt.format': 'yyyy-MM-dd',
            'projection.dt.range': '2000-01-01,NOW',
            'projection.dt.interval': '1',
            'projection.dt.interval.unit': 'DAYS',
            'storage.location.template': location(`dt=$\{dt}/`),
          }),
          StorageDescriptor: Match.objectLike({
            Location: {
              'Fn::Join': ['', ['s3://', { Ref: logicalId(s.stack.storage.bronzeBucket) }, `/${key}/`]],
            },
            InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
            SerdeInfo: Match.objectLike({
              SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
            }),
          }),
        }),
      });
    }
  });

  it('a table maps the contract column types to Glue types and ends with the lineage columns', () => {
    s.template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'orders',
        StorageDescriptor: Match.objectLike({
          Columns: [
            { Name: 'order_id', Type: 'bigint' },
            { Name: 'customer_id', Type: 'string' },
            { Name: 'order_date', Type: 'timestamp' },
            { Name: 'amount', Type: 'decimal(12,2)' },
            { Name: 'currency', Type: 'string' },
            { Name: 'status', Type: 'string' },
            { Name: 'note', Type: 'string' },
            ...LINEAGE,
          ],
        }),
      }),
    });
  });

  it('date and boolean contract columns become a Glue date and boolean', () => {
    s.template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'customers',
        StorageDescriptor: Match.objectLike({
          Columns: Match.arrayWith([
            { Name: 'signup_date', Type: 'date' },
            { Name: 'is_active', Type: 'boolean' },
            ...LINEAGE,
          ]),
        }),
      }),
    });
  });
});

import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  LOAD_HISTORY_COLUMNS,
  LOAD_HISTORY_PREFIX,
  LOAD_HISTORY_TABLE,
} from '../../lambdas/core/load-history.js';
import { acknowledgeWildcardResources } from '../nag.js';
import { DT_PARTITION_KEY, datePartitionProjection } from './partition-projection.js';

export interface LoadHistoryTableProps {
  /** The bronze bucket, which holds the history under `_load_history/`. */
  readonly bronzeBucket: s3.IBucket;
  /** The Glue database of the bronze tables. */
  readonly database: glue.CfnDatabase;
  /** The function that writes history (the ingest function). */
  readonly writer: lambda.IFunction;
}

/**
 * The `load_history` table: JSON Lines records of every final file outcome, partitioned by the
 * day they were written, with partition projection; and the writer's grant, PutObject on the
 * history prefix and nothing else.
 */
export class LoadHistoryTable extends Construct {
  /** The Glue table. */
  public readonly table: glue.CfnTable;

  constructor(scope: Construct, id: string, props: LoadHistoryTableProps) {
    super(scope, id);
    const location = `s3://${props.bronzeBucket.bucketName}/${LOAD_HISTORY_PREFIX}`;
    this.table = new glue.CfnTable(this, 'Table', {
      catalogId: Stack.of(this).account,
      databaseName: props.database.ref,
      tableInput: {
        name: LOAD_HISTORY_TABLE,
        description:
          'One record per final file outcome (completed, rejected, exhausted): COPY_HISTORY in Athena',
        tableType: 'EXTERNAL_TABLE',
        parameters: { classification: 'json', EXTERNAL: 'TRUE', ...datePartitionProjection(location) },
        partitionKeys: [DT_PARTITION_KEY],
        storageDescriptor: {
          columns: LOAD_HISTORY_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
          location,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            parameters: { 'ignore.malformed.json': 'true' },
          },
        },
      },
    });
    const historyObjects = props.bronzeBucket.arnForObjects(`${LOAD_HISTORY_PREFIX}*`);
    props.writer.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [historyObjects] }),
    );
    acknowledgeWildcardResources(
      props.writer.role ?? props.writer,
      [historyObjects],
      'History objects get a new key per invocation under the history prefix; the grant is PutObject there only.',
    );
  }
}

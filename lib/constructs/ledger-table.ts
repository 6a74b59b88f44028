import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/core/config.js';
import { STATUS_INDEX_NAME, TTL_ATTRIBUTE } from '../../lambdas/core/ledger.js';

/**
 * The DynamoDB calls of the ingest path (lambdas/adapters/dynamodb-ledger.ts): claimFile reads
 * the item (GetItem) and claims it with a conditional PutItem or UpdateItem; markCompleted,
 * markRejected and markFailed are conditional UpdateItems; getPause is a GetItem, and markPaused
 * the same read and conditional write as a claim. No query, scan, batch or delete.
 */
export const INGEST_LEDGER_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

/**
 * The DynamoDB calls of the sweep (lambdas/core/sweep.ts through the same adapter): getFiles
 * (BatchGetItem), getHighWaterMark and getPause (GetItem), raiseHighWaterMark and requestReprocess
 * (UpdateItem), recordRun (PutItem). It never queries the status index.
 */
export const SWEEP_LEDGER_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];

export interface LedgerTableProps {
  /** What happens to the table when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Customer managed key of the table.
   * @default - the AWS managed DynamoDB key
   */
  readonly encryptionKey?: kms.IKey;
}

/** The file ledger: one item per source file, keyed by (ingestion_key, file_path). */
export class LedgerTable extends Construct {
  /** On-demand table with point-in-time recovery, a TTL for leases and audit records, and a status index. */
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: LedgerTableProps) {
    super(scope, id);
    // dynamodb.Table, not TableV2: TableV2 synthesizes AWS::DynamoDB::GlobalTable, which the
    // emulators do not deploy.
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'ingestion_key', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'file_path', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(props.encryptionKey
        ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.encryptionKey }
        : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
      // Only audit records and leases carry it; a file's "was loaded" fact never expires.
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: props.removalPolicy,
      // The ledger is the record of what was loaded: deleting it takes two deliberate steps.
      deletionProtection: true,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: STATUS_INDEX_NAME,
      partitionKey: { name: 'ingestion_key', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'status_at', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }

  /**
   * Lets a function make exactly these item calls on the table (not its index) and names the
   * table. Each function gets the list of the calls its code makes, nothing more.
   */
  public grantItemCalls(fn: lambda.Function, actions: readonly string[]): void {
    iam.Grant.addToPrincipal({ grantee: fn, actions: [...actions], resourceArns: [this.table.tableArn] });
    this.table.encryptionKey?.grantEncryptDecrypt(fn);
    fn.addEnvironment(ENV.ledgerTable, this.table.tableName);
  }
}

import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import type { Contract } from '../../lambdas/core/contract.js';
import { latestViewFor, prestoViewText } from '../latest-view.js';

export interface LatestViewsProps {
  /** The validated dataset contracts: a view for each one with a primary key. */
  readonly contracts: readonly Contract[];
  /** The Glue database of the bronze tables, which holds the views too. */
  readonly database: glue.CfnDatabase;
  /** Its name as a literal: Athena's view text names the schema it resolves tables in. */
  readonly databaseName: string;
}

/**
 * One `<ingestion_key>_latest` Athena view per dataset with a primary key, stored the way Athena
 * stores views: a Glue table of type VIRTUAL_VIEW whose `ViewOriginalText` carries the encoded
 * definition. Plain CloudFormation, no custom resource.
 */
export class LatestViews extends Construct {
  /** One view per dataset with a primary key, keyed by ingestion_key. */
  public readonly views: ReadonlyMap<string, glue.CfnTable>;

  constructor(scope: Construct, id: string, props: LatestViewsProps) {
    super(scope, id);
    const views = new Map<string, glue.CfnTable>();
    for (const contract of props.contracts) {
      const view = latestViewFor(contract);
      if (!view) continue;
      const table = new glue.CfnTable(this, `View-${contract.ingestion_key}`, {
        catalogId: Stack.of(this).account,
        databaseName: props.database.ref,
        tableInput: {
          name: view.name,
          description: `Current row of each key of ${view.table} (generated from its contract)`,
          tableType: 'VIRTUAL_VIEW',
          parameters: { presto_view: 'true', comment: 'Presto View' },
          viewOriginalText: prestoViewText(view, props.databaseName),
          viewExpandedText: '/* Presto View */',
          storageDescriptor: {
            columns: view.columns.map((c) => ({ name: c.name, type: c.type })),
            serdeInfo: {},
          },
        },
      });
      views.set(contract.ingestion_key, table);
    }
    this.views = views;
  }
}

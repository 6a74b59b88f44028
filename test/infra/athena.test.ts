import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadContracts } from '../../lambdas/core/contract.js';
import { LOAD_HISTORY_COLUMNS } from '../../lambdas/core/load-history.js';
import { latestViewFor, prestoTypeOf } from '../../lib/latest-view.js';
import { contractFixture, logicalId, resourcesOfType, type Synthesized, synthesize } from './synth.js';

let s: Synthesized;
let accounts: Synthesized;
beforeAll(() => {
  s = synthesize();
  accounts = synthesize({ props: { datasetsDir: contractFixture('accounts') } });
});

type TableInput = { Name: string; StorageDescriptor: { Columns: unknown[] }; [key: string]: unknown };
type GlueTable = { Properties: { TableInput: TableInput } };

function tableNamed(synth: Synthesized, name: string): TableInput {
  const tables = Object.values(resourcesOfType(synth.template, 'AWS::Glue::Table')) as unknown as GlueTable[];
  const table = tables.find((t) => t.Properties.TableInput.Name === name);
  if (!table) throw new Error(`no Glue table ${name}`);
  return table.Properties.TableInput;
}

/** The JSON Athena finds in a view's ViewOriginalText. */
function decodedView(input: Record<string, unknown>): Record<string, unknown> {
  const text = input.ViewOriginalText as string;
  const match = /^\/\* Presto View: ([A-Za-z0-9+/=]+) \*\/$/.exec(text);
  if (!match) throw new Error(`not a Presto view text: ${text}`);
  return JSON.parse(Buffer.from(match[1]!, 'base64').toString('utf8')) as Record<string, unknown>;
}

describe('latest views', () => {
  it('each dataset with a primary key has a VIRTUAL_VIEW <dataset>_latest in the bronze database', () => {
    for (const name of ['orders_latest', 'customers_latest']) {
      s.template.hasResourceProperties('AWS::Glue::Table', {
        DatabaseName: { Ref: logicalId(s.stack.catalog.database) },
        TableInput: Match.objectLike({
          Name: name,
          TableType: 'VIRTUAL_VIEW',
          Parameters: { presto_view: 'true', comment: 'Presto View' },
          ViewExpandedText: '/* Presto View */',
        }),
      });
    }
  });

  it('the view text decodes to the generated SQL, the catalog, the database and Presto-typed columns', () => {
    const contract = loadContracts(contractFixture('accounts'))[0]!;
    const view = latestViewFor(contract)!;
    const decoded = decodedView(tableNamed(accounts, 'accounts_latest'));
    expect(decoded).toEqual({
      originalSql: view.sql,
      catalog: 'awsdatacatalog',
      schema: accounts.stack.catalog.databaseName,
      columns: view.columns.map((c) => ({ name: c.name, type: prestoTypeOf(c.type) })),
    });
    expect(decoded.columns).toEqual(
      expect.arrayContaining([
        { name: 'cons_acct_key', type: 'bigint' },
        { name: 'rpt_as_of_mo', type: 'varchar' },
        { name: 'balance', type: 'double' },
        { name: 'base_ts', type: 'timestamp' },
        { name: '_source_row', type: 'bigint' },
        { name: '_ingested_at', type: 'timestamp' },
        { name: 'dt', type: 'varchar' },
      ]),
    );
  });

  it('the SQL ranks by latest_by, then ingest time, then line, and hides deleted keys', () => {
    const view = latestViewFor(loadContracts(contractFixture('accounts'))[0]!)!;
    expect(view.sql).toContain('PARTITION BY "cons_acct_key", "rpt_as_of_mo"');
    expect(view.sql).toContain('ORDER BY "base_ts" DESC NULLS LAST, "_ingested_at" DESC, "_source_row" DESC');
    expect(view.sql).toContain(`("status" IS NULL OR "status" <> 'deleted')`);
    expect(view.sql).toContain('FROM "accounts"');
  });

  it('the view columns are the table columns and dt, with the Glue types of the table', () => {
    const table = tableNamed(accounts, 'accounts');
    const view = tableNamed(accounts, 'accounts_latest');
    expect(view.StorageDescriptor.Columns).toEqual([
      ...table.StorageDescriptor.Columns.map((c) => {
        const { Name, Type } = c as { Name: string; Type: string };
        return { Name, Type };
      }),
      { Name: 'dt', Type: 'string' },
    ]);
  });

  it('a dataset without a primary key gets no view', () => {
    const contract = { ...loadContracts(contractFixture('accounts'))[0]!, primary_key: undefined };
    expect(latestViewFor(contract)).toBeUndefined();
  });
});

describe('load history table', () => {
  it('is a JSON table over _load_history/ in the bronze bucket, partitioned by dt with projection', () => {
    const bronze = logicalId(s.stack.storage.bronzeBucket);
    const location = (suffix: string) => ({
      'Fn::Join': ['', ['s3://', { Ref: bronze }, `/_load_history/${suffix}`]],
    });
    s.template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: { Ref: logicalId(s.stack.catalog.database) },
      TableInput: Match.objectLike({
        Name: 'load_history',
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [Match.objectLike({ Name: 'dt', Type: 'string' })],
        Parameters: Match.objectLike({
          classification: 'json',
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': '2000-01-01,NOW',
          'storage.location.template': location(`dt=$\{dt}/`),
        }),
        StorageDescriptor: Match.objectLike({
          Location: location(''),
          Columns: LOAD_HISTORY_COLUMNS.map((c) => ({ Name: c.name, Type: c.type })),
          SerdeInfo: Match.objectLike({ SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' }),
        }),
      }),
    });
  });
});

describe('Athena workgroup', () => {
  it('enforces its configuration and writes SSE-S3 encrypted results to the results bucket', () => {
    s.template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'bronze-ingest',
      State: 'ENABLED',
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        ResultConfiguration: {
          OutputLocation: {
            'Fn::Join': ['', ['s3://', { Ref: logicalId(s.stack.athena.resultsBucket) }, '/results/']],
          },
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        },
      }),
    });
  });

  it('the results bucket is encrypted, private and expires results', () => {
    s.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-query-results', ExpirationInDays: 30 })]),
      },
    });
  });

  it('its name is a stack output', () => {
    s.template.hasOutput('AthenaWorkGroupName', { Value: { Ref: logicalId(s.stack.athena.workgroup) } });
  });
});

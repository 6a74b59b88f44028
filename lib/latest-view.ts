/**
 * The `<ingestion_key>_latest` view, generated from the contract in one place: the SQL Athena
 * stores (and the tests run with DuckDB), its columns, and the encoded form of a Glue view.
 */
import type { Contract } from '../lambdas/core/contract.js';
import { PARTITION_COLUMN } from '../lambdas/core/layout.js';
import { glueColumnsFor } from './constructs/bronze-catalog.js';
import { DT_PARTITION_KEY } from './constructs/partition-projection.js';

/** A view column: its name and its Hive (Glue) type. */
export interface ViewColumn {
  readonly name: string;
  readonly type: string;
}

export interface LatestView {
  /** `<ingestion_key>_latest` */
  readonly name: string;
  /** The table it reads: the dataset's bronze table, in the same database. */
  readonly table: string;
  readonly columns: readonly ViewColumn[];
  readonly sql: string;
}

const RANK = 'latest_rank';

/** A double-quoted identifier, valid in Athena (Trino) and DuckDB. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function literal(value: string | number | boolean): string {
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return String(value);
}

/** The name of a dataset's latest view. */
export function latestViewName(ingestionKey: string): string {
  return `${ingestionKey}_latest`;
}

/**
 * The latest view of a dataset with a primary key, or undefined without one. One row per key:
 * the greatest `latest_by` (nulls last), then the latest `_ingested_at`, then the greatest
 * `_source_row`; keys whose current row matches `deleted_when` are left out. The SQL is plain
 * enough to run unchanged in Athena (Trino) and DuckDB.
 */
export function latestViewFor(contract: Contract): LatestView | undefined {
  if (!contract.primary_key?.length) return undefined;
  const table = contract.ingestion_key;
  const columns: ViewColumn[] = [
    ...glueColumnsFor(contract).map((c) => ({ name: c.name, type: c.type ?? 'string' })),
    { name: PARTITION_COLUMN, type: DT_PARTITION_KEY.type ?? 'string' },
  ];
  const q = (name: string) => quoteIdentifier(name.toLowerCase());
  const order = [
    ...(contract.latest_by ? [`${q(contract.latest_by)} DESC NULLS LAST`] : []),
    `${q('_ingested_at')} DESC`,
    `${q('_source_row')} DESC`,
  ];
  const deleted = contract.deleted_when;
  const conditions = [
    `${RANK} = 1`,
    ...(deleted
      ? [`(${q(deleted.column)} IS NULL OR ${q(deleted.column)} <> ${literal(deleted.value)})`]
      : []),
  ];
  const sql = [
    `SELECT ${columns.map((c) => quoteIdentifier(c.name)).join(', ')}`,
    'FROM (',
    '  SELECT *, row_number() OVER (',
    `    PARTITION BY ${contract.primary_key.map(q).join(', ')}`,
    `    ORDER BY ${order.join(', ')}`,
    `  ) AS ${RANK}`,
    `  FROM ${quoteIdentifier(table)}`,
    ') ranked',
    `WHERE ${conditions.join('\n  AND ')}`,
  ].join('\n');
  return { name: latestViewName(table), table, columns, sql };
}

/** The Presto/Trino type Athena records in a view for a Hive (Glue) column type. */
export function prestoTypeOf(hiveType: string): string {
  const simple: Record<string, string> = {
    string: 'varchar',
    bigint: 'bigint',
    int: 'integer',
    double: 'double',
    boolean: 'boolean',
    timestamp: 'timestamp',
    date: 'date',
  };
  if (simple[hiveType]) return simple[hiveType];
  if (/^decimal\(\d+,\s*\d+\)$/.test(hiveType)) return hiveType.replace(/\s/g, '');
  throw new Error(`no Athena view type for Glue type ${hiveType}`);
}

/**
 * `ViewOriginalText` as Athena writes it for a view in the Glue catalog:
 * `/* Presto View: <base64 of {originalSql, catalog, schema, columns}> *\/`.
 */
export function prestoViewText(view: LatestView, databaseName: string): string {
  const definition = {
    originalSql: view.sql,
    catalog: 'awsdatacatalog',
    schema: databaseName,
    columns: view.columns.map((c) => ({ name: c.name, type: prestoTypeOf(c.type) })),
  };
  return `/* Presto View: ${Buffer.from(JSON.stringify(definition)).toString('base64')} */`;
}

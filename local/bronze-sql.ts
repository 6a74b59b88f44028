/**
 * Athena's view of bronze, locally: the bronze bucket copied to a folder and read by DuckDB with
 * hive partitioning, one view per Glue table (`<dataset>`, `<dataset>_latest`, `load_history`)
 * defined from the same generated SQL the stack gives Athena. Glue and Athena do not run on moto.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Contract } from '../lambdas/core/contract.js';
import { bronzePrefixFor } from '../lambdas/core/layout.js';
import {
  LOAD_HISTORY_COLUMNS,
  LOAD_HISTORY_PREFIX,
  LOAD_HISTORY_TABLE,
} from '../lambdas/core/load-history.js';
import { latestViewFor, quoteIdentifier } from '../lib/latest-view.js';
import { listKeys } from './bronze-read.js';

/** DuckDB's type for a Hive column type of the load history. */
const DUCKDB_TYPES: Record<string, string> = { string: 'VARCHAR', bigint: 'BIGINT' };

export interface BronzeSql {
  /** Runs one statement and returns its rows as JS values. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** The tables and views defined (datasets without objects have none). */
  readonly relations: readonly string[];
  close(): Promise<void>;
}

const quoteText = (text: string) => `'${text.replaceAll("'", "''")}'`;

async function copyPrefix(s3: S3Client, bucket: string, prefix: string, root: string): Promise<number> {
  const keys = await listKeys(s3, bucket, prefix);
  for (const key of keys) {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const file = join(root, key);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, await out.Body!.transformToByteArray());
  }
  return keys.length;
}

/** Copies the datasets' bronze and the load history, and defines the Athena tables and views over them. */
export async function openBronzeSql(
  s3: S3Client,
  bronzeBucket: string,
  contracts: readonly Contract[],
): Promise<BronzeSql> {
  const root = await mkdtemp(join(tmpdir(), 'bronze-sql-'));
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  const relations: string[] = [];
  try {
    for (const contract of contracts) {
      const dataset = contract.ingestion_key;
      if (!(await copyPrefix(s3, bronzeBucket, bronzePrefixFor(dataset), root))) continue;
      const files = quoteText(join(root, dataset, 'dt=*', '**', '*.parquet'));
      await connection.run(
        `CREATE VIEW ${quoteIdentifier(dataset)} AS SELECT * FROM read_parquet(${files}, hive_partitioning = true, hive_types = {'dt': VARCHAR}, union_by_name = true)`,
      );
      relations.push(dataset);
      const latest = latestViewFor(contract);
      if (latest) {
        await connection.run(`CREATE VIEW ${quoteIdentifier(latest.name)} AS ${latest.sql}`);
        relations.push(latest.name);
      }
    }
    if (await copyPrefix(s3, bronzeBucket, LOAD_HISTORY_PREFIX, root)) {
      const files = quoteText(join(root, LOAD_HISTORY_PREFIX, 'dt=*', '*.jsonl'));
      const columns = LOAD_HISTORY_COLUMNS.map(
        (c) => `${quoteText(c.name)}: ${quoteText(DUCKDB_TYPES[c.type]!)}`,
      );
      await connection.run(
        `CREATE VIEW ${LOAD_HISTORY_TABLE} AS SELECT * FROM read_json(${files}, format = 'newline_delimited', columns = {${columns.join(', ')}}, hive_partitioning = true, hive_types = {'dt': VARCHAR})`,
      );
      relations.push(LOAD_HISTORY_TABLE);
    }
  } catch (e) {
    connection.closeSync();
    await rm(root, { recursive: true, force: true });
    throw e;
  }
  return {
    relations,
    query: async (sql) =>
      (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[],
    close: async () => {
      connection.closeSync();
      await rm(root, { recursive: true, force: true });
    },
  };
}

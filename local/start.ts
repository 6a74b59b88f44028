/**
 * `npm start`: the whole pipeline on the local default. Starts moto, deploys the stack, lands the
 * sample files (good ones, each kind of bad one, a duplicate upload and an overwrite), lets the
 * local runner ingest them, prints what the ledger and bronze say, and stops everything.
 */
import { readFileSync } from 'node:fs';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { renderTable } from '../cli/output.js';
import { loadContracts } from '../lambdas/core/contract.js';
import { bronzeKeysOfSource, readBronzeRows } from './bronze-read.js';
import { openBronzeSql } from './bronze-sql.js';
import { type LocalStack, startLocalStack } from './harness.js';
import { formatLedgerReport, ledgerItems } from './ledger-report.js';
import { QueueNotIdleError } from './queue-idle.js';
import type { LocalRunner } from './runner.js';
import { sampleFiles } from './samples.js';
import { startStackRunner } from './stack-runner.js';
import { heading } from './table.js';

const DUPLICATE_KEY = 'orders/2024-03-01.csv';
const OVERWRITE_KEY = 'orders/2024-03-02.csv';
const LATE_ROW = '2999,C001,2024-03-02 23:59:00,12.50,EUR,new,late correction\n';
const SHOWN_ROWS = 3;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function put(stack: LocalStack, s3: S3Client, key: string, body: Buffer): Promise<string> {
  const out = await s3.send(
    new PutObjectCommand({ Bucket: stack.outputs.LandingBucketName, Key: key, Body: body }),
  );
  return out.ETag ?? '';
}

async function printReport(stack: LocalStack): Promise<void> {
  const datasets = loadContracts(stack.env.DATASETS_DIR!).map((c) => c.ingestion_key);
  const items = await ledgerItems(stack.clientConfig, stack.outputs.LedgerTableName, datasets);
  console.log(heading(`Per-file report (${items.length} ledger items)`));
  console.log(formatLedgerReport(items, stack.outputs.LandingBucketName));
}

/**
 * Waits for the pipeline to drain. A file that failed with an infrastructure error stays on the
 * queue until its visibility timeout, so the wait ends with what the ledger says instead.
 */
async function idle(stack: LocalStack, runner: LocalRunner): Promise<void> {
  const started = Date.now();
  try {
    await runner.waitForIdle({ timeoutMs: 45_000 });
  } catch (error) {
    if (!(error instanceof QueueNotIdleError)) throw error;
    await printReport(stack);
    throw new Error(`${error.message}: files failed and wait for a retry (the log lines above say why)`);
  }
  console.log(`   queue and runner idle after ${seconds(Date.now() - started)}`);
}

function describeSkipped(skipped: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const entry of skipped) {
    const type = /\((.+)\)$/.exec(entry)?.[1] ?? entry;
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return [...counts].map(([type, n]) => `${type} x${n}`).join(', ');
}

function printStack(stack: LocalStack): void {
  const t = stack.timings;
  console.log(
    `   ready in ${seconds(t.totalMs)} (synth and Lambda bundling ${seconds(t.synthMs)}, ` +
      `CloudFormation deploy ${seconds(t.deployMs)})`,
  );
  console.log(`   endpoint: ${stack.endpoint}`);
  for (const fallback of stack.fallbacks) console.log(`   fallback: ${fallback}`);
  console.log(`   not created by moto (no local behaviour): ${describeSkipped(stack.skippedResources)}`);
}

async function showOverwrite(stack: LocalStack, s3: S3Client, oldEtag: string): Promise<void> {
  const keys = await bronzeKeysOfSource(s3, stack.outputs.BronzeBucketName, 'orders', {
    bucket: stack.outputs.LandingBucketName,
    key: OVERWRITE_KEY,
  });
  const bronzeKey = keys[0] ?? '(none)';
  const rows = keys.length ? await readBronzeRows(s3, stack.outputs.BronzeBucketName, bronzeKey) : [];
  const head = await s3.send(
    new HeadObjectCommand({ Bucket: stack.outputs.LandingBucketName, Key: OVERWRITE_KEY }),
  );
  console.log(`   source ETag ${oldEtag} -> ${head.ETag}`);
  console.log(`   bronze objects under ${bronzeKey}: ${keys.length}; rows now ${rows.length}`);
  console.log(`   lineage of its rows: _source_etag = ${String(rows[0]?._source_etag)}`);
}

function text(value: unknown): string {
  return value instanceof Date
    ? value.toISOString()
    : value === null || value === undefined
      ? ''
      : String(value);
}

function printBronzeRows(key: string, rows: readonly Record<string, unknown>[]): void {
  console.log(heading(`Bronze rows read back from Parquet (first ${SHOWN_ROWS} of ${rows.length})`));
  console.log(`s3 key: ${key}\n`);
  const first = rows[0] ?? {};
  // Lineage is the same on every row of a file but _source_row; it is shown once below the rows.
  const shared = ['_source_file', '_source_etag', '_ingested_at', '_run_id'];
  const names = Object.keys(first).filter((name) => !shared.includes(name));
  const columns = names.map((name) => ({
    header: name,
    value: (row: Record<string, unknown>) => text(row[name]),
  }));
  console.log(renderTable(rows.slice(0, SHOWN_ROWS), columns));
  console.log('\nlineage columns on every row:');
  for (const name of shared) console.log(`   ${name.padEnd(13)} ${text(first[name])}`);
}

/** Rows as a table of their own columns, every value as text. */
function printRows(rows: readonly Record<string, unknown>[]): void {
  const names = Object.keys(rows[0] ?? {});
  console.log(
    renderTable(
      rows,
      names.map((name) => ({
        header: name,
        value: (r: Record<string, unknown>) => text(r[name]),
        maxWidth: 48,
      })),
    ),
  );
}

/** The Athena side, as DuckDB runs it over a copy of bronze: the latest view and load history. */
async function printAthenaSide(stack: LocalStack, s3: S3Client): Promise<void> {
  const sql = await openBronzeSql(s3, stack.outputs.BronzeBucketName, loadContracts(stack.env.DATASETS_DIR!));
  try {
    console.log(heading('orders_latest: one row per order_id (the Athena view, run by DuckDB)'));
    printRows(
      await sql.query(
        'SELECT order_id, customer_id, amount, status, dt FROM orders_latest ORDER BY order_id LIMIT 5',
      ),
    );
    console.log(heading('load_history: one record per final file outcome'));
    printRows(
      await sql.query(
        "SELECT dataset, regexp_replace(file, '^s3://[^/]+/', '') AS file, status, rows_ingested AS ingested, rows_rejected AS rejected, error_code, dt FROM load_history ORDER BY finished_at LIMIT 8",
      ),
    );
  } finally {
    await sql.close();
  }
}

async function run(stack: LocalStack): Promise<void> {
  printStack(stack);
  const runner = await startStackRunner(stack, { concurrency: 2 });
  const s3 = new S3Client(stack.clientConfig);
  try {
    console.log(heading('1. Land the sample files'));
    const samples = sampleFiles();
    for (const sample of samples) await put(stack, s3, sample.key, readFileSync(sample.path));
    console.log(`   uploaded ${samples.length} files from samples/, each under its path as the key:`);
    for (const sample of samples) console.log(`   ${sample.key}`);
    await idle(stack, runner);

    console.log(heading('2. Upload the same bytes again (a duplicate event)'));
    await put(stack, s3, DUPLICATE_KEY, readFileSync(samples.find((s) => s.key === DUPLICATE_KEY)!.path));
    console.log(`   uploaded ${DUPLICATE_KEY} again`);
    await idle(stack, runner);

    console.log(heading('3. Overwrite a file with new content (one more row)'));
    const original = readFileSync(samples.find((s) => s.key === OVERWRITE_KEY)!.path);
    const oldHead = await s3.send(
      new HeadObjectCommand({ Bucket: stack.outputs.LandingBucketName, Key: OVERWRITE_KEY }),
    );
    await put(stack, s3, OVERWRITE_KEY, Buffer.concat([original, Buffer.from(LATE_ROW)]));
    await idle(stack, runner);
    await showOverwrite(stack, s3, oldHead.ETag ?? '');

    await printReport(stack);

    const [shownKey = ''] = await bronzeKeysOfSource(s3, stack.outputs.BronzeBucketName, 'orders', {
      bucket: stack.outputs.LandingBucketName,
      key: DUPLICATE_KEY,
    });
    printBronzeRows(shownKey, await readBronzeRows(s3, stack.outputs.BronzeBucketName, shownKey));
    await printAthenaSide(stack, s3);
  } finally {
    s3.destroy();
    await runner.stop();
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  console.log(heading('bronze-ingest on a local AWS emulator (moto)'));
  console.log('   starting moto_server, synthesizing the stack and deploying its template ...');
  const stack = await startLocalStack();
  try {
    await run(stack);
    console.log(`\nDone in ${seconds(Date.now() - started)}. Stopping moto_server.`);
    return 0;
  } finally {
    await stack.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `\nnpm start failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exit(1);
  },
);

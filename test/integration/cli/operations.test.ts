/**
 * The operator CLI on the deployed local stack with the sample files ingested by the real
 * handler: JSON output checked field by field against the ledger, reprocess and reset + sweep
 * replacing bronze in place, and reconcile rebuilding a wiped ledger.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../cli/aws.js';
import type { FilesData } from '../../../cli/commands/files.js';
import type { ReprocessData } from '../../../cli/commands/reprocess.js';
import type { ResetData } from '../../../cli/commands/reset.js';
import type { RewindData } from '../../../cli/commands/rewind.js';
import type { RunsData } from '../../../cli/commands/runs.js';
import type { ShowData } from '../../../cli/commands/show.js';
import type { StatusData } from '../../../cli/commands/status.js';
import { allLedgerFiles } from '../../../cli/ledger-pages.js';
import { DynamoDbLedger } from '../../../lambdas/adapters/dynamodb-ledger.js';
import { FileStatus, type LedgerItem } from '../../../lambdas/core/ledger.js';
import type { ReconcileReport } from '../../../lambdas/core/reconcile.js';
import { RECONCILED_FIELDS } from '../../../lambdas/core/reconcile.js';
import type { SweepReport } from '../../../lambdas/core/sweep.js';
import { listKeys } from '../../../local/bronze-read.js';
import { type LocalStack, startLocalStack } from '../../../local/harness.js';
import type { LocalRunner } from '../../../local/runner.js';
import { sampleFiles } from '../../../local/samples.js';
import { startStackRunner } from '../../../local/stack-runner.js';
import { bronze, observedClients, ROOT } from './cli.js';

const DATASETS = ['customers', 'orders'] as const;

let stack: LocalStack;
let clients: AwsClients;
let ledger: DynamoDbLedger;
let runner: LocalRunner;

const landing = (key: string) => `s3://${stack.outputs.LandingBucketName}/${key}`;

const ledgerFiles = (dataset: string): Promise<LedgerItem[]> => allLedgerFiles(ledger, dataset);

async function bronzeKeys(dataset: string): Promise<string[]> {
  return (await listKeys(clients.s3, stack.outputs.BronzeBucketName, `${dataset}/`)).sort();
}

async function bronzeRunIds(keys: readonly string[]): Promise<string[]> {
  const heads = await Promise.all(
    keys.map((Key) =>
      clients.s3.send(new HeadObjectCommand({ Bucket: stack.outputs.BronzeBucketName, Key })),
    ),
  );
  return heads.map((h) => h.Metadata?.['run-id'] ?? '');
}

async function land(key: string, body: Buffer | string): Promise<void> {
  await clients.s3.send(
    new PutObjectCommand({ Bucket: stack.outputs.LandingBucketName, Key: key, Body: body }),
  );
}

beforeAll(async () => {
  stack = await startLocalStack();
  ({ clients } = observedClients(stack));
  ledger = new DynamoDbLedger({ tableName: stack.outputs.LedgerTableName, client: clients.dynamodb });
  runner = await startStackRunner(stack);
  for (const sample of sampleFiles()) await land(sample.key, readFileSync(sample.path));
  await runner.waitForIdle({ timeoutMs: 60_000 });
}, 120_000);

afterAll(async () => {
  await runner?.stop();
  await stack?.stop();
});

describe('--json output of real runs, field by field', () => {
  it('status: counts by status, last success and an empty backlog once everything is ingested', async () => {
    const run = await bronze(stack, clients, ['status', '--json']);
    expect(run.code).toBe(0);
    const data = run.json<StatusData>();
    expect(data.datasets.map((d) => d.dataset)).toEqual([...DATASETS]);
    for (const d of data.datasets) {
      const items = await ledgerFiles(d.dataset);
      const completed = items.filter((i) => i.status === FileStatus.Completed);
      expect(d.files).toBe(items.length);
      for (const s of Object.values(FileStatus))
        expect(d.counts[s]).toBe(items.filter((i) => i.status === s).length);
      expect(d.lastSuccess).toBe(
        completed
          .map((i) => i.processed_at_iso!)
          .sort()
          .at(-1),
      );
      expect(d.backlog).toBe(0);
      expect(d.oldestPendingAt).toBeUndefined();
      expect(d.duplicateEvents).toBe(items.reduce((n, i) => n + (i.duplicate_events ?? 0), 0));
      expect(d.valuesRescued).toBe(0);
    }
    const orders = data.datasets.find((d) => d.dataset === 'orders')!;
    expect(orders.counts).toEqual({ processing: 0, completed: 5, rejected: 4, failed: 0, paused: 0 });
  });

  it('files: one status through the index, page by page with the printed cursor', async () => {
    const first = (
      await bronze(stack, clients, ['files', 'orders', '--status', 'rejected', '--limit', '3', '--json'])
    ).json<FilesData>();
    expect(first.items).toHaveLength(3);
    expect(first.cursor).toBeDefined();
    const second = (
      await bronze(stack, clients, [
        'files',
        'orders',
        '--status',
        'rejected',
        '--limit',
        '3',
        '--cursor',
        first.cursor!,
        '--json',
      ])
    ).json<FilesData>();
    const listed = [...first.items, ...second.items];
    const expected = (await ledgerFiles('orders')).filter((i) => i.status === FileStatus.Rejected);
    expect(listed.map((i) => i.file_path).sort()).toEqual(expected.map((i) => i.file_path).sort());
    for (const item of listed) expect(item).toEqual(expected.find((e) => e.file_path === item.file_path));
    expect(second.cursor).toBeUndefined();
    // Newest first: the status index sorts by status, then time.
    expect(listed.map((i) => i.updated_at)).toEqual([...listed.map((i) => i.updated_at)].sort().reverse());
  });

  it('show: the whole ledger item with its error, as stored', async () => {
    const uri = landing('orders/2024-03-04-too-many-bad.csv');
    const run = await bronze(stack, clients, ['show', uri, '--json']);
    expect(run.code).toBe(0);
    const data = run.json<ShowData>();
    const stored = await ledger.getFile({ ingestionKey: 'orders', filePath: uri });
    expect(data).toEqual({ dataset: 'orders', filePath: uri, found: true, item: stored });
    expect(data.item).toMatchObject({
      status: 'rejected',
      rows_ingested: 0,
      rows_rejected: 30,
      error: { code: 'TOO_MANY_BAD_ROWS', line: 2 },
    });
    expect(data.item?.quarantine_path).toMatch(/\.error\.json$/);
  });

  it('sweep: a dry run plans a file whose event was missed, and the real sweep ingests it', async () => {
    await runner.stop();
    await land('orders/2024-03-09-late.csv', readFileSync(`${ROOT}/samples/orders/2024-03-01.csv`));
    // The upload's own event is dropped, as if it had been missed.
    await clients.sqs.send(
      new (await import('@aws-sdk/client-sqs')).PurgeQueueCommand({ QueueUrl: stack.outputs.IngestQueueUrl }),
    );

    const dry = await bronze(stack, clients, ['sweep', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const plan = dry.json<SweepReport>();
    expect(plan.dryRun).toBe(true);
    expect(plan.plan).toEqual([
      expect.objectContaining({
        dataset: 'orders',
        key: 'orders/2024-03-09-late.csv',
        filePath: landing('orders/2024-03-09-late.csv'),
        class: 'NEW',
        group: 'forward',
        partitionDate: '2024-03-09',
      }),
    ]);
    const orders = plan.datasets.find((d) => d.dataset === 'orders')!;
    expect(orders).toMatchObject({ listed: 10, enqueued: 1, byClass: { NEW: 1, DONE: 9 }, deferredByCap: 0 });
    expect(
      await ledger.getFile({ ingestionKey: 'orders', filePath: landing('orders/2024-03-09-late.csv') }),
    ).toBeUndefined();

    const real = await bronze(stack, clients, ['sweep', '--reason', 'missed event', '--json']);
    expect(real.json<SweepReport>().plan.map((p) => p.key)).toEqual(['orders/2024-03-09-late.csv']);
    runner = await startStackRunner(stack);
    await runner.waitForIdle({ timeoutMs: 30_000 });
    const item = await ledger.getFile({
      ingestionKey: 'orders',
      filePath: landing('orders/2024-03-09-late.csv'),
    });
    expect(item).toMatchObject({ status: 'completed', rows_ingested: 40 });
  });
});

describe('bronze is replaced, never duplicated', () => {
  it('reprocess records who and why, re-ingests and replaces the bronze object in place', async () => {
    const uri = landing('orders/2024-03-01.csv');
    const keysBefore = await bronzeKeys('orders');
    const before = await ledger.getFile({ ingestionKey: 'orders', filePath: uri });

    const run = await bronze(stack, clients, ['reprocess', uri, '--reason', 'schema fix', '--json']);
    expect(run.code).toBe(0);
    expect(run.json<ReprocessData>()).toMatchObject({
      by: 'integration-test',
      reason: 'schema fix',
      enqueued: [uri],
      notInLedger: [],
    });
    await runner.waitForIdle({ timeoutMs: 30_000 });

    const after = await ledger.getFile({ ingestionKey: 'orders', filePath: uri });
    expect(after).toMatchObject({
      status: 'completed',
      file_etag: before!.file_etag,
      rows_ingested: before!.rows_ingested,
      bronze_path: before!.bronze_path,
      reprocess_requested_by: 'integration-test',
      reprocess_reason: 'schema fix',
    });
    expect(after!.run_id).not.toBe(before!.run_id);
    expect(await bronzeKeys('orders')).toEqual(keysBefore);
    const bronzeKey = before!.bronze_path!.split('/').slice(3).join('/');
    expect(await bronzeRunIds([bronzeKey])).toEqual([after!.run_id]);
  });

  it('reset then sweep re-ingests every file of the dataset, one bronze object per source', async () => {
    const keysBefore = await bronzeKeys('customers');
    const itemsBefore = await ledgerFiles('customers');
    expect(keysBefore).toHaveLength(itemsBefore.filter((i) => i.bronze_path).length);

    const reset = await bronze(stack, clients, [
      'reset',
      'customers',
      '--yes',
      '--reason',
      'contract change',
      '--json',
    ]);
    expect(reset.code).toBe(0);
    expect(reset.json<ResetData>()).toMatchObject({
      dataset: 'customers',
      deleted: itemsBefore.length,
      nextSweep: { willIngest: itemsBefore.length, sourceGone: 0, otherPending: 0 },
    });
    expect(await ledgerFiles('customers')).toEqual([]);

    const sweep = await bronze(stack, clients, ['sweep', '--dataset', 'customers', '--json']);
    expect(sweep.json<SweepReport>().datasets[0]).toMatchObject({
      enqueued: itemsBefore.length,
      byClass: { NEW: itemsBefore.length },
    });
    await runner.waitForIdle({ timeoutMs: 30_000 });

    const itemsAfter = await ledgerFiles('customers');
    expect(itemsAfter.map((i) => [i.file_path, i.status, i.rows_ingested, i.bronze_path])).toEqual(
      itemsBefore.map((i) => [i.file_path, i.status, i.rows_ingested, i.bronze_path]),
    );
    const keysAfter = await bronzeKeys('customers');
    expect(keysAfter).toEqual(keysBefore);
    const runIds = await bronzeRunIds(keysAfter);
    expect(runIds.every((id) => !itemsBefore.some((i) => i.run_id === id))).toBe(true);
  });

  it('runs: the audit trail has the reprocess, the reset and the sweeps, with who and why', async () => {
    const customers = (await bronze(stack, clients, ['runs', 'customers', '--json'])).json<RunsData>();
    expect(customers.runs.map((r) => r.kind)).toEqual(['sweep', 'reset', 'sweep']);
    expect(customers.runs[1]).toMatchObject({
      ingestionKey: 'customers',
      kind: 'reset',
      by: 'integration-test',
      reason: 'contract change',
      summary: { deleted: 3 },
    });
    const orders = (await bronze(stack, clients, ['runs', 'orders', '--json'])).json<RunsData>();
    expect(orders.runs[0]).toMatchObject({
      kind: 'reprocess',
      by: 'integration-test',
      reason: 'schema fix',
      summary: { enqueued: 1, not_in_ledger: 0 },
    });
    expect(orders.runs[1]).toMatchObject({
      kind: 'sweep',
      reason: 'missed event',
      summary: { enqueued: 1, new: 1 },
    });
  });
});

describe('rewind', () => {
  it('lists the files completed by one run and changes nothing without --yes', async () => {
    const uri = landing('orders/2024-03-01.csv');
    const before = await ledger.getFile({ ingestionKey: 'orders', filePath: uri });
    const run = await bronze(stack, clients, ['rewind', 'orders', '--run', before!.run_id!, '--json']);
    expect(run.code).toBe(0);
    expect(run.json<RewindData>()).toMatchObject({
      dataset: 'orders',
      dryRun: true,
      files: [{ filePath: uri }],
    });
    expect((await ledger.getFile({ ingestionKey: 'orders', filePath: uri }))!.run_id).toBe(before!.run_id);
    const noReason = await bronze(stack, clients, ['rewind', '--dataset', 'orders', '--run', 'x', '--yes']);
    expect(noReason.code).toBe(1);
    expect(noReason.stderr).toContain('--reason');
  });

  it('re-ingests everything completed since a time, in place, with who and why in the audit trail', async () => {
    const completed = (await ledgerFiles('orders')).filter((i) => i.status === 'completed');
    const newest = completed
      .map((i) => i.processed_at_iso!)
      .sort()
      .at(-1)!;
    const chosen = completed.filter((i) => i.processed_at_iso! >= newest).map((i) => i.file_path);
    const keysBefore = await bronzeKeys('orders');
    const run = await bronze(stack, clients, [
      'rewind',
      '--dataset',
      'orders',
      '--since',
      newest,
      '--yes',
      '--reason',
      'bad converter',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const data = run.json<RewindData>();
    expect(data.files.map((f) => f.filePath).sort()).toEqual(chosen.sort());
    expect(data.reprocess?.enqueued.sort()).toEqual(chosen.sort());
    await runner.waitForIdle({ timeoutMs: 30_000 });
    for (const filePath of chosen) {
      const item = await ledger.getFile({ ingestionKey: 'orders', filePath });
      expect(item).toMatchObject({ status: 'completed', reprocess_reason: 'bad converter' });
      expect(item!.processed_at_iso! > newest).toBe(true);
    }
    expect(await bronzeKeys('orders')).toEqual(keysBefore);
    const orders = (await bronze(stack, clients, ['runs', 'orders', '--json'])).json<RunsData>();
    expect(orders.runs[0]).toMatchObject({
      kind: 'rewind',
      by: 'integration-test',
      reason: 'bad converter',
      summary: { enqueued: chosen.length, since: newest },
    });
  });
});

describe('after the ledger is lost', () => {
  it('reconcile restores every item that left bronze or an error report behind, field by field', async () => {
    const snapshot = new Map(
      (await Promise.all(DATASETS.map(ledgerFiles))).flat().map((i) => [i.file_path, i]),
    );
    await wipeTable();
    expect(await ledgerFiles('orders')).toEqual([]);

    for (const dataset of DATASETS) {
      const run = await bronze(stack, clients, ['reconcile', dataset, '--json']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const report = run.json<ReconcileReport>();
      expect(report.orphans).toEqual([]);
      expect(report.unreadableReports).toEqual([]);
    }

    // A completed file with no data rows leaves no bronze object: its load history record restores it.
    const traceless = [...snapshot.values()].filter(
      (i) => i.status === FileStatus.Completed && !i.bronze_path,
    );
    expect(traceless.map((i) => i.file_path)).toEqual([landing('orders/2024-03-06-header-only.csv')]);
    for (const [path, before] of snapshot) {
      const restored = await ledger.getFile({ ingestionKey: before.ingestion_key, filePath: path });
      if (traceless.includes(before))
        expect(restored).toMatchObject({ restored_from: expect.stringMatching(/^load_history:/) });
      for (const field of RECONCILED_FIELDS)
        expect({ path, field, value: restored?.[field] }).toEqual({ path, field, value: before[field] });
      expect(restored?.quarantine_path).toBe(before.quarantine_path);
      expect(restored?.error?.code).toBe(before.error?.code);
      expect(restored?.error?.line).toBe(before.error?.line);
    }

    const again = await bronze(stack, clients, ['reconcile', 'orders', '--dry-run', '--json']);
    expect(again.json<ReconcileReport>()).toMatchObject({
      restored: [],
      orphans: [],
      footersRead: 0,
      reportsRead: 0,
    });
    expect(again.code).toBe(0);
  });

  it('runs the same as a separate process through the `bronze` entry point', () => {
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'cli/bronze.ts',
        '--stack',
        stack.stackName,
        '--endpoint-url',
        stack.endpoint,
        'status',
        'customers',
        '--json',
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
          AWS_REGION: 'us-east-1',
        },
      },
    );
    expect(child.status).toBe(0);
    const data = JSON.parse(child.stdout) as StatusData;
    expect(data.datasets).toEqual([
      expect.objectContaining({
        dataset: 'customers',
        files: 3,
        counts: { processing: 0, completed: 2, rejected: 1, failed: 0, paused: 0 },
        backlog: 0,
      }),
    ]);
  });
});

/** Deletes every item of the ledger table, reserved ones too: total state loss. */
async function wipeTable(): Promise<void> {
  const doc = DynamoDBDocumentClient.from(clients.dynamodb);
  const TableName = stack.outputs.LedgerTableName;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName,
        ProjectionExpression: 'ingestion_key, file_path',
        ExclusiveStartKey: start,
      }),
    );
    const keys = page.Items ?? [];
    for (let i = 0; i < keys.length; i += 25) {
      await doc.send(
        new BatchWriteCommand({
          RequestItems: { [TableName]: keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })) },
        }),
      );
    }
    start = page.LastEvaluatedKey;
  } while (start);
}

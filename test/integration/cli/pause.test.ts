/**
 * `bronze pause` and `bronze resume` on the deployed local stack with the real ingest handler:
 * a file landing while its dataset is paused waits in the ledger as `paused` with no bronze
 * object, the sweep skips the dataset, and resume ingests the file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../cli/aws.js';
import type { PauseData, ResumeData } from '../../../cli/commands/pause.js';
import type { RunsData } from '../../../cli/commands/runs.js';
import type { StatusData } from '../../../cli/commands/status.js';
import { DynamoDbLedger } from '../../../lambdas/adapters/dynamodb-ledger.js';
import { filePathFor } from '../../../lambdas/core/ledger.js';
import type { SweepReport } from '../../../lambdas/core/sweep.js';
import { listKeys } from '../../../local/bronze-read.js';
import { type LocalStack, startLocalStack } from '../../../local/harness.js';
import type { LocalRunner } from '../../../local/runner.js';
import { startStackRunner } from '../../../local/stack-runner.js';
import { bronze, observedClients, ROOT } from './cli.js';

const KEY = 'orders/2024-03-01.csv';

let stack: LocalStack;
let clients: AwsClients;
let ledger: DynamoDbLedger;
let runner: LocalRunner;

beforeAll(async () => {
  stack = await startLocalStack();
  ({ clients } = observedClients(stack));
  ledger = new DynamoDbLedger({ tableName: stack.outputs.LedgerTableName, client: clients.dynamodb });
  runner = await startStackRunner(stack);
}, 120_000);

afterAll(async () => {
  await runner?.stop();
  await stack?.stop();
});

describe('pause and resume of a dataset', () => {
  it('holds a landed file as paused with no bronze object, skips it in the sweep, and ingests it on resume', async () => {
    const paused = await bronze(stack, clients, ['pause', 'orders', '--reason', 'vendor resends', '--json']);
    expect(paused.code).toBe(0);
    expect(paused.json<PauseData>()).toMatchObject({
      dataset: 'orders',
      changed: true,
      pause: { by: 'integration-test', reason: 'vendor resends' },
    });

    await clients.s3.send(
      new PutObjectCommand({
        Bucket: stack.outputs.LandingBucketName,
        Key: KEY,
        Body: readFileSync(join(ROOT, 'samples', KEY)),
      }),
    );
    await runner.waitForIdle({ timeoutMs: 60_000 });
    const fileKey = { ingestionKey: 'orders', filePath: filePathFor(stack.outputs.LandingBucketName, KEY) };
    expect(await ledger.getFile(fileKey)).toMatchObject({ status: 'paused', attempts: 0 });
    expect(await listKeys(clients.s3, stack.outputs.BronzeBucketName, 'orders/')).toEqual([]);

    const sweep = (
      await bronze(stack, clients, ['sweep', '--dataset', 'orders', '--json'])
    ).json<SweepReport>();
    expect(sweep.datasets[0]).toMatchObject({ dataset: 'orders', paused: { reason: 'vendor resends' } });
    expect(sweep.plan).toEqual([]);

    const status = (await bronze(stack, clients, ['status', 'orders', '--json'])).json<StatusData>();
    expect(status.datasets[0]).toMatchObject({ paused: { by: 'integration-test' }, counts: { paused: 1 } });

    const resumed = await bronze(stack, clients, ['resume', '--dataset', 'orders', '--json']);
    expect(resumed.code).toBe(0);
    const data = resumed.json<ResumeData>();
    expect(data.lifted).toMatchObject({ reason: 'vendor resends' });
    expect(data.enqueued.map((f) => f.key)).toEqual([KEY]);
    await runner.waitForIdle({ timeoutMs: 60_000 });

    expect(await ledger.getFile(fileKey)).toMatchObject({ status: 'completed', attempts: 1 });
    expect(await listKeys(clients.s3, stack.outputs.BronzeBucketName, 'orders/')).toHaveLength(1);
    expect(await ledger.getPause('orders')).toBeUndefined();
    const runs = (await bronze(stack, clients, ['runs', 'orders', '--json'])).json<RunsData>();
    expect(runs.runs.map((r) => r.kind)).toEqual(expect.arrayContaining(['pause', 'resume']));
  });

  it('refuses a pause without a reason, with a usage error', async () => {
    const run = await bronze(stack, clients, ['pause', 'orders']);
    expect(run.code).toBe(1);
    expect(await ledger.getPause('orders')).toBeUndefined();
  });
});

/**
 * The CLI never sweeps for contracts the deployed engine does not run: the local stack deploys
 * the repository's contracts, and the CLI is pointed at a folder where `orders` changed and
 * `extra` was added but never deployed.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../cli/aws.js';
import { DynamoDbLedger } from '../../../lambdas/adapters/dynamodb-ledger.js';
import { loadContracts } from '../../../lambdas/core/contract.js';
import { contractDigests, encodeContractDigests } from '../../../lambdas/core/contract-digest.js';
import type { SweepReport } from '../../../lambdas/core/sweep.js';
import { type LocalStack, startLocalStack } from '../../../local/harness.js';
import { bronze, type Observed, observedClients, ROOT } from './cli.js';

let stack: LocalStack;
let clients: AwsClients;
let observed: Observed;
let ledger: DynamoDbLedger;
let drifted: string;

beforeAll(async () => {
  stack = await startLocalStack();
  ({ clients, observed } = observedClients(stack));
  ledger = new DynamoDbLedger({ tableName: stack.outputs.LedgerTableName, client: clients.dynamodb });
  drifted = mkdtempSync(join(tmpdir(), 'bronze-drift-'));
  copyFileSync(join(ROOT, 'datasets/customers.json'), join(drifted, 'customers.json'));
  const orders = JSON.parse(readFileSync(join(ROOT, 'datasets/orders.json'), 'utf8'));
  writeFileSync(join(drifted, 'orders.json'), JSON.stringify({ ...orders, max_attempts: 9 }));
  const extra = { ...orders, ingestion_key: 'extra', sources: [{ prefix: 'extra/' }] };
  writeFileSync(join(drifted, 'extra.json'), JSON.stringify(extra));
  await clients.s3.send(
    new PutObjectCommand({
      Bucket: stack.outputs.LandingBucketName,
      Key: 'extra/2024-03-05.csv',
      Body: 'order_id,customer_id,order_date,amount,currency,status,note\n',
    }),
  );
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(drifted, { recursive: true, force: true });
});

/** `bronze` pointed at the drifted contracts folder. */
const withDrift = (args: readonly string[]) => bronze(stack, clients, ['--datasets', drifted, ...args]);

describe('contract drift between the CLI and the deployed stack', () => {
  it('the stack publishes the digests of the contracts it deployed, in its outputs and its functions', () => {
    const expected = encodeContractDigests(contractDigests(loadContracts(join(ROOT, 'datasets'))));
    expect(stack.env.CONTRACT_DIGESTS).toBe(expected);
  });

  it('sweep refuses a dataset that was never deployed, enqueues nothing and leaves its mark', async () => {
    const run = await withDrift(['sweep', '--dataset', 'extra']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('extra (not deployed)');
    expect(run.stderr).toContain('--ignore-contract-drift');
    expect(run.stderr).not.toContain('orders');
    expect(observed.sent).toEqual([]);
    expect(await ledger.getHighWaterMark('extra')).toBeUndefined();
  });

  it('a sweep of every dataset names each one that differs, and only those', async () => {
    const run = await withDrift(['sweep', '--json']);
    expect(run.code).toBe(1);
    const error = JSON.parse(run.stderr).error as { message: string };
    expect(error.message).toContain('extra (not deployed), orders (changed since the deploy)');
    expect(error.message).not.toContain('customers');
  });

  it('reprocess refuses files of a changed dataset', async () => {
    const uri = `s3://${stack.outputs.LandingBucketName}/orders/2024-03-01.csv`;
    const run = await withDrift(['reprocess', uri, '--reason', 'test']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('orders (changed since the deploy)');
  });

  it('a dataset whose contract matches is swept as usual', async () => {
    const run = await withDrift(['sweep', '--dataset', 'customers']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  });

  it('the dry run only warns, and shows where the mark would move without moving it', async () => {
    const run = await withDrift(['sweep', '--dataset', 'extra', '--dry-run', '--json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('extra (not deployed)');
    const report = run.json<SweepReport>();
    expect(report.datasets[0]).toMatchObject({
      dataset: 'extra',
      enqueued: 1,
      highWaterMarkAfter: '2024-03-05',
    });
    expect(await ledger.getHighWaterMark('extra')).toBeUndefined();
    const text = await withDrift(['sweep', '--dataset', 'extra', '--dry-run']);
    expect(text.stdout).toMatch(/MARK WOULD BE[\s\S]*2024-03-05/);
  });

  it('--ignore-contract-drift overrides the refusal', async () => {
    const run = await withDrift(['sweep', '--dataset', 'extra', '--ignore-contract-drift']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('going on despite');
    expect(observed.sent).toHaveLength(1);
    expect(await ledger.getHighWaterMark('extra')).toBe('2024-03-05');
  });
});

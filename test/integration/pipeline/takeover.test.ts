/**
 * A runner killed in the middle of a file: its claim's lease runs out, the message comes back
 * after the visibility timeout, another runner takes the file over, and the file still ends with
 * exactly one bronze object holding the right rows.
 *
 * The lease is the invocation's remaining time plus the engine's fixed margin (LEASE_MARGIN_MS,
 * 60 s), so even with the shortest useful function timeout (16 s: the handler starts no record
 * with less than 15 s left) this test waits about 80 s. It runs beside the other files.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { LEASE_MARGIN_MS } from '../../../lambdas/core/engine.js';
import { FileStatus } from '../../../lambdas/core/ledger.js';
import { expectIngested } from '../../helpers/local-assertions.js';
import { largeOrdersCsv } from '../../helpers/local-files.js';
import { targetKind, usePipeline } from '../../helpers/local-pipeline.js';
import { type RunnerProcess, spawnRunner } from '../../helpers/local-runner-process.js';
import { until } from '../../helpers/until.js';

const FUNCTION_TIMEOUT_S = 16;
/** Longer than the lease (timeout + margin), as 6x the function timeout is in the real stack. */
const VISIBILITY_TIMEOUT_S = FUNCTION_TIMEOUT_S + LEASE_MARGIN_MS / 1000 + 4;
const KEY = 'orders/2024-03-09-large.csv';

const pipeline = usePipeline(
  { ingestTimeoutSeconds: FUNCTION_TIMEOUT_S, visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_S, batchSize: 1 },
  { runner: false },
);
let killed: RunnerProcess | undefined;
afterAll(() => killed?.kill());

describe.skipIf(targetKind() !== 'moto')('Scenario 8: a runner killed mid-file', () => {
  it('lets another runner take over after the lease expires, leaving exactly one bronze object', async () => {
    const p = pipeline();
    const { body, rows } = largeOrdersCsv(30);
    killed = await spawnRunner(p.stack);
    const etag = await p.land(KEY, body);

    const claimed = await until(
      'the first runner to claim the file',
      async () => {
        const item = await p.item('orders', KEY);
        return item?.status === FileStatus.Processing ? item : undefined;
      },
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    await killed.kill();

    expect((await p.bronze('orders', KEY)).keys, 'no bronze object yet: the kill came mid-file').toEqual([]);
    expect(await p.item('orders', KEY)).toMatchObject({
      status: FileStatus.Processing,
      run_id: claimed.run_id,
    });

    p.runner = await p.startRunner();
    await p.settle((VISIBILITY_TIMEOUT_S + 60) * 1000);
    const { item } = await expectIngested(p, 'orders', KEY, { etag, rows });
    expect(item.run_id).not.toBe(claimed.run_id);
    expect(item.attempts).toBe(2);
  }, 240_000);
});

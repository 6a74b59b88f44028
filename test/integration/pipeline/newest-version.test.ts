/**
 * Invariant 5: after an overwrite the newer version wins within about one lease, never a whole
 * visibility timeout later. The overwrite lands while the old version is being written to bronze:
 * the old run's GET keeps streaming the old version and completes it, and the newer version's
 * event, answered `busy`, must not wait out the queue's visibility timeout (6x the function timeout).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LEASE_MARGIN_MS } from '../../../lambdas/core/engine.js';
import { FileStatus, type LedgerItem } from '../../../lambdas/core/ledger.js';
import { SAMPLES_DIR } from '../../../local/samples.js';
import { expectIngested } from '../../helpers/local-assertions.js';
import { largeOrdersCsv } from '../../helpers/local-files.js';
import { targetKind, usePipeline } from '../../helpers/local-pipeline.js';
import { until } from '../../helpers/until.js';

const FUNCTION_TIMEOUT_S = 30;
const LEASE_MS = FUNCTION_TIMEOUT_S * 1000 + LEASE_MARGIN_MS;
/** Slack for polling, the old run's own finish and the newer version's ingest. */
const MARGIN_MS = 15_000;
const KEY = 'orders/2024-03-10-overwritten.csv';
/**
 * Time given the old run, once it holds the claim, to start its GET. On a loaded machine the
 * runner could be slower to read than the test to overwrite, and a GET that starts after the
 * overwrite meets the newer ETag: the old version then fails as changed, another case than this
 * one. The old file is large enough (60 MB) to be still converting when the overwrite lands (its
 * run completed 1.4 s after it on an idle machine, 2.0 s on a busy one), which the test checks.
 */
const READ_START_MS = 1000;

const pipeline = usePipeline({ ingestTimeoutSeconds: FUNCTION_TIMEOUT_S, batchSize: 1 }, { runner: false });

describe.skipIf(targetKind() !== 'moto')('Invariant 5: the newest version wins promptly', () => {
  it('ingests a version that lands during the bronze write within the lease, into the one bronze object', async () => {
    const p = pipeline();
    // Two pollers, as Lambda runs two invocations: the newer version's event meets the live claim.
    p.runner = await p.startRunner({ concurrency: 2, function: { batchSize: 1 } });
    const old = largeOrdersCsv(60);
    const oldEtag = await p.land(KEY, old.body);
    await until(
      'the old version to be claimed',
      async () => {
        const item = await p.item('orders', KEY);
        return item?.status === FileStatus.Processing && item.file_etag === oldEtag ? item : undefined;
      },
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, READ_START_MS));
    const overwrittenAt = Date.now();
    const newer = readFileSync(join(SAMPLES_DIR, 'orders/2024-03-01.csv'));
    const newEtag = await p.land(KEY, newer);
    const landedAt = Date.now();

    const done = await until<LedgerItem>(
      'the newer version to be completed',
      async () => {
        const item = await p.item('orders', KEY);
        return item?.status === FileStatus.Completed && item.file_etag === newEtag ? item : undefined;
      },
      LEASE_MS + MARGIN_MS,
    );
    expect(Date.now() - overwrittenAt).toBeLessThan(LEASE_MS + MARGIN_MS);
    expect(done.history?.[0], 'the old version, completed before the newer one').toMatchObject({
      file_etag: oldEtag,
      status: FileStatus.Completed,
      rows_ingested: old.rows,
    });
    // The case under test, not a run that finished before the overwrite: the old run completed
    // after the newer version had landed.
    const oldCompletedAt = Date.parse(done.history?.[0]?.processed_at_iso ?? '');
    expect(oldCompletedAt, 'the old run was still at work when the newer version landed').toBeGreaterThan(
      landedAt,
    );

    // The newer version's own event, answered busy, comes back when the old claim's lease ends
    // (LEASE_MS after the claim) and is then a duplicate: the queue drains only after that, and
    // a loaded machine may take a while to receive and answer it (15 s was short by a little once).
    await p.settle(LEASE_MS + 3 * MARGIN_MS);
    const { item } = await expectIngested(p, 'orders', KEY, { etag: newEtag, rows: 40 });
    expect(item.history).toHaveLength(1);
  }, 300_000);
});

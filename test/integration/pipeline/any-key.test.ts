/**
 * Invariant 8: every key S3 accepts ingests. Keys outside Latin-1, with control characters, with
 * URL-encoding look-alikes, and at S3's 1,024-byte limit are each completed, shown by `bronze show`
 * under their real path, rebuilt by reconcile after the ledger is wiped, and left alone by a sweep.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { show } from '../../../cli/commands/show.js';
import { escapeControl } from '../../../cli/output.js';
import { S3ObjectStore } from '../../../lambdas/adapters/s3-object-store.js';
import { SqsIngestQueue } from '../../../lambdas/adapters/sqs-ingest-queue.js';
import { loadContracts } from '../../../lambdas/core/contract.js';
import { FileStatus, filePathFor } from '../../../lambdas/core/ledger.js';
import { sourceFileFromMetadata } from '../../../lambdas/core/object-metadata.js';
import { systemClock } from '../../../lambdas/core/ports.js';
import { reconcile } from '../../../lambdas/core/reconcile.js';
import { sweep } from '../../../lambdas/core/sweep.js';
import { SAMPLES_DIR } from '../../../local/samples.js';
import { PROJECT_ROOT } from '../../../local/synth.js';
import { expectIngested } from '../../helpers/local-assertions.js';
import { usePipeline } from '../../helpers/local-pipeline.js';

const PREFIX = 'orders/2024-03-05-';
const SUFFIX = '.csv';

/** `orders/2024-03-05-<CJK and padding>.csv`, exactly 1,024 bytes of UTF-8. */
function longestKey(): string {
  const fixed = Buffer.byteLength(`${PREFIX}${SUFFIX}`);
  const cjk = '漢'.repeat(300); // 900 bytes
  const pad = 'x'.repeat(1024 - fixed - Buffer.byteLength(cjk));
  return `${PREFIX}${cjk}${pad}${SUFFIX}`;
}

const KEYS = {
  cjk: 'orders/2024-03-01-日本語.csv',
  emoji: 'orders/2024-03-02-📦🚚.csv',
  control: 'orders/2024-03-03-\u001b[31mred\u0007.csv',
  urlish: 'orders/2024-03-04 50% off+more %41 a+b.csv',
  longest: longestKey(),
} as const;

const body = readFileSync(join(SAMPLES_DIR, 'orders/2024-03-01.csv'));
const ROWS = 40;
const pipeline = usePipeline();
const etags = new Map<string, string>();

describe('Invariant 8: every legal S3 key ingests', () => {
  it('uses a 1,024-byte key, the longest S3 accepts', () => {
    expect(Buffer.byteLength(KEYS.longest)).toBe(1024);
  });

  it('completes every key with one bronze object carrying the real key as lineage', async () => {
    const p = pipeline();
    for (const key of Object.values(KEYS)) etags.set(key, await p.land(key, body));
    await p.settle();
    for (const key of Object.values(KEYS)) {
      await expectIngested(p, 'orders', key, { etag: etags.get(key)!, rows: ROWS });
    }
  });

  it("carries each real path in the bronze object's user metadata", async () => {
    const p = pipeline();
    const landing = p.stack.outputs.LandingBucketName;
    for (const key of Object.values(KEYS)) {
      const head = await p.s3.send(
        new HeadObjectCommand({
          Bucket: p.stack.outputs.BronzeBucketName,
          Key: (await p.bronze('orders', key)).keys[0]!,
        }),
      );
      expect(sourceFileFromMetadata(head.Metadata ?? {})).toBe(`s3://${landing}/${key}`);
    }
  });

  it('shows each file under its real path with `bronze show`', async () => {
    const p = pipeline();
    const landing = p.stack.outputs.LandingBucketName;
    const contracts = loadContracts(join(PROJECT_ROOT, 'datasets'));
    for (const key of Object.values(KEYS)) {
      const uri = `s3://${landing}/${key}`;
      const report = await show({ ledger: p.ledger, contracts, landingBucket: landing }, { uri });
      expect(report.data).toMatchObject({ dataset: 'orders', filePath: uri, found: true });
      expect(report.data.item).toMatchObject({ status: FileStatus.Completed, file_etag: etags.get(key) });
      // The table view escapes control characters (ESC, BEL) so no key can drive the terminal.
      expect(report.text).toContain(escapeControl(key));
    }
  });

  it('keeps the sort key of a path over 1,024 bytes as a digest, with the real path beside it', async () => {
    const p = pipeline();
    const landing = p.stack.outputs.LandingBucketName;
    const item = await p.item('orders', KEYS.longest);
    expect(item?.file_path).toMatch(new RegExp(`^s3://${landing}/#sha256:[0-9a-f]{64}$`));
    expect(item?.source_path).toBe(`s3://${landing}/${KEYS.longest}`);
    expect((await p.item('orders', KEYS.cjk))?.file_path).toBe(`s3://${landing}/${KEYS.cjk}`);
  });

  it('rebuilds every item from bronze after the ledger is wiped', async () => {
    const p = pipeline();
    const landing = p.stack.outputs.LandingBucketName;
    const before = new Map<string, unknown>();
    for (const key of Object.values(KEYS)) {
      const item = await p.item('orders', key);
      before.set(key, item?.bronze_path);
      await p.ledger.deleteFile({ ingestionKey: 'orders', filePath: filePathFor(landing, key) });
    }
    const store = new S3ObjectStore({ client: p.s3 });
    const report = await reconcile(
      {
        store,
        ledger: p.ledger,
        clock: systemClock,
        buckets: {
          bronze: p.stack.outputs.BronzeBucketName,
          quarantine: p.stack.outputs.QuarantineBucketName,
        },
      },
      { dataset: 'orders', by: 'test' },
    );
    const restored = new Set(report.restored.map((r) => r.filePath));
    for (const key of Object.values(KEYS)) {
      expect(restored.has(`s3://${landing}/${key}`), `restored ${JSON.stringify(key)}`).toBe(true);
      expect(await p.item('orders', key)).toMatchObject({
        status: FileStatus.Completed,
        file_etag: etags.get(key),
        rows_ingested: ROWS,
        bronze_path: before.get(key),
      });
    }
    expect(report.orphans).toEqual([]);
  });

  it('sweeps them as done, enqueueing nothing and writing no second bronze object', async () => {
    const p = pipeline();
    const landing = p.stack.outputs.LandingBucketName;
    const report = await sweep(
      {
        store: new S3ObjectStore({ client: p.s3 }),
        ledger: p.ledger,
        queue: new SqsIngestQueue({ queueUrl: p.stack.outputs.IngestQueueUrl, client: p.sqs }),
        contracts: loadContracts(join(PROJECT_ROOT, 'datasets')),
        landingBucket: landing,
        clock: systemClock,
      },
      { datasets: ['orders'], by: 'test' },
    );
    expect(report.plan.filter((f) => f.key.startsWith('orders/2024-03-0'))).toEqual([]);
    await p.settle();
    for (const key of Object.values(KEYS)) {
      expect((await p.bronze('orders', key)).keys, `bronze of ${JSON.stringify(key)}`).toHaveLength(1);
    }
  });
});

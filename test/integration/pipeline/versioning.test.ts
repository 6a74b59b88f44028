/**
 * The local stack versions its buckets as AWS does (moto's CloudFormation leaves them unversioned;
 * the harness turns versioning on by API): an overwrite keeps the earlier version in the landing
 * bucket, and its version id is in the ledger item's history and in the error report.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetBucketVersioningCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { FileStatus } from '../../../lambdas/core/ledger.js';
import { SAMPLES_DIR } from '../../../local/samples.js';
import { expectIngested, expectRejected } from '../../helpers/local-assertions.js';
import { usePipeline } from '../../helpers/local-pipeline.js';

const KEY = 'orders/2024-03-11-versioned.csv';
const sample = (key: string) => readFileSync(join(SAMPLES_DIR, key));
const pipeline = usePipeline();

describe('versioned buckets on the local stack', () => {
  it('turns versioning on for every bucket the template versions', async () => {
    const p = pipeline();
    for (const bucket of [
      p.stack.outputs.LandingBucketName,
      p.stack.outputs.BronzeBucketName,
      p.stack.outputs.QuarantineBucketName,
    ]) {
      const out = await p.s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
      expect(out.Status, bucket).toBe('Enabled');
    }
    expect(p.stack.fallbacks.some((f) => f.includes('PutBucketVersioning'))).toBe(true);
  });

  it('keeps the earlier version of an overwritten file, and its version id in history and the report', async () => {
    const p = pipeline();
    const firstEtag = await p.land(KEY, sample('orders/2024-03-01.csv'));
    await p.settle();
    const { item: first } = await expectIngested(p, 'orders', KEY, { etag: firstEtag, rows: 40 });
    expect(first.version_id).toEqual(expect.any(String));

    const secondEtag = await p.land(KEY, sample('orders/2024-03-05-bad-header.csv'));
    await p.settle();
    const second = await expectRejected(p, 'orders', KEY, { etag: secondEtag, code: 'HEADER_MISMATCH' });
    expect(second.version_id).toEqual(expect.any(String));
    expect(second.version_id).not.toBe(first.version_id);
    expect(second.history?.[0]).toMatchObject({
      file_etag: firstEtag,
      version_id: first.version_id,
      status: FileStatus.Completed,
    });
    expect(await p.quarantineReport('orders', KEY)).toMatchObject({
      etag: secondEtag,
      version_id: second.version_id,
    });

    const versions = await p.s3.send(
      new ListObjectVersionsCommand({ Bucket: p.stack.outputs.LandingBucketName, Prefix: KEY }),
    );
    expect(versions.Versions?.map((v) => v.VersionId).sort()).toEqual(
      [first.version_id, second.version_id].sort(),
    );
  });
});

/** `bronze validate s3://…` against moto: the same report as for the same file on disk, nothing ingested. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ValidateData } from '../../../cli/commands/validate.js';
import { ExitCode } from '../../../cli/errors.js';
import { useMotoServer } from '../../helpers/moto-server.js';
import { ROOT, runAgainst } from './cli.js';

const moto = useMotoServer();
const BUCKET = 'validate-landing';
const SAMPLES = [
  'orders/2024-03-01.csv',
  'orders/2024-03-03-ragged.csv',
  'orders/2024-03-05-bad-header.csv',
  'customers/2024-03-03-bad-row.csv',
];

const run = (argv: string[]) => runAgainst(moto.clientConfig(), argv);

beforeAll(async () => {
  const s3 = new S3Client(moto.clientConfig());
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const key of SAMPLES)
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: readFileSync(join(ROOT, 'samples', key)) }),
    );
  s3.destroy();
});

describe('bronze validate s3://bucket/key', () => {
  it.each(SAMPLES)('gives the same report and exit code for %s as for the local file', async (key) => {
    const remote = await run(['--landing-bucket', BUCKET, 'validate', `s3://${BUCKET}/${key}`, '--json']);
    const dataset = key.split('/')[0]!;
    const local = await run(['validate', `samples/${key}`, '--dataset', dataset, '--json']);
    expect(remote.code).toBe(local.code);
    const { file: remoteFile, ...remoteReport } = JSON.parse(remote.stdout) as ValidateData;
    const { file: _localFile, ...localReport } = JSON.parse(local.stdout) as ValidateData;
    expect(remoteFile).toBe(`s3://${BUCKET}/${key}`);
    expect(remoteReport).toEqual(localReport);
    expect(remoteReport.dataset).toBe(dataset);
  });

  it('takes --dataset when the landing bucket is not known, and names a missing object', async () => {
    const named = await run(['validate', `s3://${BUCKET}/orders/2024-03-01.csv`, '--dataset', 'orders']);
    expect(named.code).toBe(ExitCode.Ok);
    expect(named.stdout).toContain('verdict: accepted');
    const unnamed = await run(['validate', `s3://${BUCKET}/orders/2024-03-01.csv`]);
    expect(unnamed.code).toBe(ExitCode.Usage);
    expect(unnamed.stderr).toContain('pass --dataset NAME');
    const missing = await run(['validate', `s3://${BUCKET}/orders/nope.csv`, '--dataset', 'orders']);
    expect(missing.code).toBe(ExitCode.Infrastructure);
    expect(missing.stderr).toContain(`object s3://${BUCKET}/orders/nope.csv not found`);
  });
});

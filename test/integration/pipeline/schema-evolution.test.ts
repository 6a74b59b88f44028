/**
 * Schema evolution end to end over real AWS APIs: files whose columns drift from the contract
 * (an extra column, a missing nullable column, values that do not parse) land in bronze with
 * NULLs and `_rescued_data`, and the ledger item, `bronze show` and `bronze files --json` say
 * which columns were missing, unexpected or rescued. Also row accounting of rejected files: the
 * rows before undecodable bytes are counted, and an empty file is copied to quarantine.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { files } from '../../../cli/commands/files.js';
import { show } from '../../../cli/commands/show.js';
import { loadContracts } from '../../../lambdas/core/contract.js';
import { usePipeline } from '../../helpers/local-pipeline.js';

const datasetsDir = mkdtempSync(join(tmpdir(), 'evolving-datasets-'));
writeFileSync(
  join(datasetsDir, 'evolving.json'),
  JSON.stringify({
    ingestion_key: 'evolving',
    sources: [{ prefix: 'evolving/', suffix: '.csv' }],
    columns: [
      { name: 'id', type: 'int64', nullable: false },
      { name: 'name' },
      { name: 'amount', type: 'double' },
    ],
    schema_evolution: { unexpected_columns: 'rescue', missing_columns: 'null', bad_values: 'rescue' },
  }),
);
const contracts = loadContracts(datasetsDir);
const pipeline = usePipeline({ datasetsDir });

const FILES = {
  extra: ['evolving/2024-03-01-extra.csv', 'id,name,amount,region\n1,a,1.5,north\n2,b,2.5,\n'],
  missing: ['evolving/2024-03-02-missing.csv', 'id,name\n3,c\n'],
  bad: ['evolving/2024-03-03-bad.csv', 'id,name,amount\n4,d,twelve\n5,e,5\n'],
} as const;

describe('schema evolution against the local stack', () => {
  it('ingests each drifting file, with NULLs and rescued text read back from bronze', async () => {
    const p = pipeline();
    for (const [key, body] of Object.values(FILES)) await p.land(key, body);
    await p.settle();
    for (const [key] of Object.values(FILES)) {
      expect(await p.item('evolving', key), key).toMatchObject({ status: 'completed' });
    }
    expect((await p.bronze('evolving', FILES.extra[0])).rows).toEqual([
      expect.objectContaining({ id: 1n, amount: 1.5, _rescued_data: '{"region":"north"}' }),
      expect.objectContaining({ id: 2n, amount: 2.5, _rescued_data: null }),
    ]);
    expect((await p.bronze('evolving', FILES.missing[0])).rows).toEqual([
      expect.objectContaining({ id: 3n, name: 'c', amount: null, _rescued_data: null }),
    ]);
    expect((await p.bronze('evolving', FILES.bad[0])).rows).toEqual([
      expect.objectContaining({ id: 4n, amount: null, _rescued_data: '{"amount":"twelve"}' }),
      expect.objectContaining({ id: 5n, amount: 5, _rescued_data: null }),
    ]);
  });

  it('records the drift on each ledger item', async () => {
    const p = pipeline();
    expect(await p.item('evolving', FILES.extra[0])).toMatchObject({
      columns_unexpected: ['region'],
      values_rescued: { region: 1 },
    });
    expect(await p.item('evolving', FILES.missing[0])).toMatchObject({ columns_missing: ['amount'] });
    const bad = await p.item('evolving', FILES.bad[0]);
    expect(bad).toMatchObject({ values_rescued: { amount: 1 } });
    expect(bad?.columns_missing).toBeUndefined();
  });

  it('shows the drift in bronze show and bronze files --json', async () => {
    const p = pipeline();
    const landingBucket = p.stack.outputs.LandingBucketName;
    const shown = await show(
      { ledger: p.ledger, contracts, landingBucket },
      { uri: `s3://${landingBucket}/${FILES.extra[0]}` },
    );
    expect(shown.text).toMatch(/columns_unexpected:\s+\["region"\]/);
    expect(shown.text).toMatch(/values_rescued:\s+\{"region":1\}/);
    const listed = await files({ ledger: p.ledger, contracts }, { dataset: 'evolving' });
    const withRegion = listed.data.items.filter((i) => i.columns_unexpected?.includes('region'));
    expect(withRegion.map((i) => i.file_path)).toEqual([`s3://${landingBucket}/${FILES.extra[0]}`]);
  });
});

describe('row accounting of rejected files against the local stack', () => {
  it('counts the rows before undecodable bytes and names the line they are on', async () => {
    const p = pipeline();
    const key = 'evolving/2024-03-04-latin1.csv';
    const body = Buffer.concat([Buffer.from('id,name,amount\n1,a,1\n2,b,2\n3,caf'), Buffer.from([0xe9])]);
    await p.land(key, body);
    await p.settle();
    expect(await p.item('evolving', key)).toMatchObject({
      status: 'rejected',
      rows_rejected: 2,
      error: { code: 'INVALID_UTF8', line: 4 },
    });
    expect(await p.quarantineReport('evolving', key)).toMatchObject({ data_rows: 2, first_bad_line: 4 });
  });

  it('copies a rejected empty file to quarantine, as the report says', async () => {
    const p = pipeline();
    const key = 'evolving/2024-03-05-empty.csv';
    await p.land(key, '');
    await p.settle();
    expect(await p.item('evolving', key)).toMatchObject({ status: 'rejected', error: { code: 'EMPTY' } });
    const report = await p.quarantineReport('evolving', key);
    const copy = String(report.quarantined_copy);
    expect(copy).toMatch(/^s3:\/\//);
    const [bucket, ...rest] = copy.slice('s3://'.length).split('/');
    const object = await p.s3.send(new GetObjectCommand({ Bucket: bucket, Key: rest.join('/') }));
    expect(object.ContentLength).toBe(0);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { contractDiff, contractInfer, detectDelimiter } from '../../../cli/commands/contract.js';
import { ExitCode } from '../../../cli/errors.js';
import { runCli } from '../../../cli/program.js';
import { parseContract } from '../../../lambdas/core/contract.js';
import { fixture, testContract } from '../../helpers/csv.js';
import { MemoryObjectStore } from '../../helpers/memory.js';

const dir = mkdtempSync(join(tmpdir(), 'contract-cli-'));
/** Writes a file to the test's folder and returns its path. */
function file(name: string, body: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

const MIXED = [
  'order_id;big;amount;ratio;paid;day;at;local;note',
  '1;9007199254740993;12.50;1e3;true;01/03/2024;2024-03-01 10:00:00;01/03/2024 10:00:00;a',
  '2;-5;-0.5;2.25;no;29/02/2024;2024-03-01T10:00:00Z;31/12/2024 23:59:59;',
  '3;7;100;3;Yes;31/12/2024;2024-03-02 00:00:00.5;15/06/2024 08:30:00;c',
].join('\n');

describe('contract infer', () => {
  it('proposes the narrowest type every sampled value fits, with nullability, delimiter and key', async () => {
    const report = await contractInfer({}, { file: file('mixed.csv', `${MIXED}\n`), name: 'sales' });
    expect(report.exitCode).toBe(ExitCode.Ok);
    expect(report.data.contract).toMatchObject({
      ingestion_key: 'sales',
      sources: [{ bucket: 'landing', prefix: 'sales/', suffix: '.csv' }],
      delimiter: ';',
      primary_key: ['order_id'],
      columns: [
        { name: 'order_id', type: 'int32', nullable: false },
        { name: 'big', type: 'int64', nullable: false },
        { name: 'amount', type: 'decimal', precision: 5, scale: 2, nullable: false },
        { name: 'ratio', type: 'double', nullable: false },
        { name: 'paid', type: 'boolean', nullable: false },
        { name: 'day', type: 'date', format: 'dd/MM/yyyy', nullable: false },
        { name: 'at', type: 'timestamp', nullable: false },
        { name: 'local', type: 'timestamp', format: 'dd/MM/yyyy HH:mm:ss', nullable: false },
        { name: 'note', type: 'string', nullable: true },
      ],
    });
    expect(JSON.parse(report.text)).toEqual(report.data.contract);
  });

  it('falls back to a string for an impossible date and proposes no key when values repeat', async () => {
    const path = file('dates.csv', 'id,day\n1,2023-02-29\n1,2024-03-01\n');
    const { data } = await contractInfer({}, { file: path });
    expect(data.contract.columns).toEqual([
      { name: 'id', type: 'int32', nullable: false },
      { name: 'day', type: 'string', nullable: false },
    ]);
    expect(data.contract.primary_key).toBeUndefined();
    expect(data.contract.ingestion_key).toBe('dates');
  });

  it('reads a bounded number of rows: a value past the sample does not change the proposal', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i}`).join('\n');
    const { data } = await contractInfer(
      {},
      { file: file('bounded.csv', `n\n${rows}\nnot a number\n`), maxRows: 50 },
    );
    expect(data).toMatchObject({ sampledRows: 50, truncated: true });
    expect(data.contract.columns).toEqual([{ name: 'n', type: 'int32', nullable: false }]);
  });

  it('reads gzip, S3 objects, windows-1252 and UTF-16 files', async () => {
    const gz = await contractInfer({}, { file: file('plain.csv.gz', gzipSync('id,name\n1,a\n')) });
    expect(gz.data.contract).toMatchObject({ ingestion_key: 'plain', sources: [{ suffix: '.csv.gz' }] });
    const store = new MemoryObjectStore();
    store.putSync('landing', 'in/w.csv', fixture('csv', 'windows-1252.csv'));
    const s3 = await contractInfer({ store: () => store }, { file: 's3://landing/in/w.csv' });
    expect(s3.data.contract).toMatchObject({ encoding: 'windows-1252', ingestion_key: 'w' });
    const utf16 = await contractInfer({}, { file: file('u.csv', fixture('csv', 'utf-16le-bom.csv')) });
    expect(utf16.data.contract).toMatchObject({
      encoding: 'utf-16',
      columns: [{ name: 'id' }, { name: 'name' }],
    });
  });

  it("makes a proposal that is a valid contract when it uses today's types", async () => {
    const { data } = await contractInfer(
      {},
      { file: file('simple.csv', 'id,name,score\n3000000000,a,1e5\n3000000001,b,\n') },
    );
    expect(() => parseContract(data.contract, 'simple.json')).not.toThrow();
  });

  it('detects the delimiter that splits the header most', () => {
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('a\tb')).toBe('\t');
    expect(detectDelimiter('a|b|c|d')).toBe('|');
    expect(detectDelimiter('a,b')).toBe(',');
  });
});

const orders = testContract({
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'amount', type: 'double' },
    { name: 'note' },
  ],
});

describe('contract diff', () => {
  it('reports a renamed column as missing, unexpected and a rename candidate', async () => {
    const path = file('renamed.csv', 'id,amount,notes\n1,2,x\n');
    const report = await contractDiff({ contracts: [orders] }, { dataset: 'things', file: path });
    expect(report.data).toMatchObject({
      missing: ['note'],
      unexpected: ['notes'],
      renamed: [{ from: 'note', to: 'notes' }],
      verdict: 'rejected',
    });
    expect(report.exitCode).toBe(ExitCode.Attention);
    expect(report.text).toContain('note -> notes');
  });

  it('lists values that fail by line, and those the contract would rescue', async () => {
    const body = 'id,amount,note\n1,2,a\n2,twelve,b\nx,3,c\n';
    const failing = await contractDiff(
      { contracts: [orders] },
      { dataset: 'things', file: file('v.csv', body) },
    );
    expect(failing.data.failing.map((p) => p.line)).toEqual([3, 4]);
    expect(failing.data.rescued).toEqual([]);
    const rescuing = testContract({ ...orders, schema_evolution: { bad_values: 'rescue' } });
    const rescued = await contractDiff(
      { contracts: [rescuing] },
      { dataset: 'things', file: file('v.csv', body) },
    );
    expect(rescued.data.rescued).toEqual([{ line: 3, reason: expect.stringContaining('twelve') }]);
    expect(rescued.data.failing.map((p) => p.line)).toEqual([4]);
    expect(rescued.text).toMatch(/3\s+rescued/);
  });

  it('exits 0 for a file that matches the contract', async () => {
    const report = await contractDiff(
      { contracts: [orders] },
      { dataset: 'things', file: file('ok.csv', 'id,amount,note\n1,2,a\n') },
    );
    expect(report.exitCode).toBe(ExitCode.Ok);
    expect(report.text).toContain('header: as declared');
  });
});

describe('bronze contract on the command line', () => {
  it('prints the proposal as JSON on stdout and exits 0', async () => {
    const out: string[] = [];
    const config = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
    const code = await runCli(['contract', 'infer', file('cli.csv', 'id,name\n1,a\n'), '--name', 'people'], {
      env: {},
      cwd: dir,
      clients: () => ({
        dynamodb: new DynamoDBClient(config),
        s3: new S3Client(config),
        sqs: new SQSClient(config),
        cloudFormation: new CloudFormationClient(config),
      }),
      sink: { out: (t) => void out.push(t), err: () => undefined, errIsTTY: false },
    });
    expect(code).toBe(ExitCode.Ok);
    expect(JSON.parse(out.join(''))).toMatchObject({ ingestion_key: 'people' });
  });
});

import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { ClientFactory } from '../../../cli/aws.js';
import { ExitCode, exitCodeFor } from '../../../cli/errors.js';
import { runCli } from '../../../cli/program.js';
import { InfrastructureError } from '../../../lambdas/core/errors.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** Clients aimed at a closed loopback port: every call fails fast as a network error. */
const unreachable: ClientFactory = () => {
  const config = {
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  };
  return {
    dynamodb: new DynamoDBClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    sqs: new SQSClient(config),
    cloudFormation: new CloudFormationClient(config),
  };
};

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    env,
    cwd: ROOT,
    clients: unreachable,
    sink: { out: (t) => void out.push(t), err: (t) => void err.push(t), errIsTTY: false },
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const COMMANDS = [
  'status',
  'files',
  'show',
  'reprocess',
  'reset',
  'rewind',
  'sweep',
  'reconcile',
  'validate',
  'runs',
  'local',
];

describe('help', () => {
  it('documents the exit codes and the target settings in the epilogue of bronze --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(ExitCode.Ok);
    expect(stdout).toContain('Exit codes:');
    for (const line of [
      '0  ok',
      '1  usage or configuration error',
      '2  done, and something needs attention',
      '3  AWS',
    ]) {
      expect(stdout).toContain(line);
    }
    expect(stdout).toContain('LEDGER_TABLE');
    for (const command of COMMANDS) expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it.each(COMMANDS)('gives %s its own --help with the global options', async (command) => {
    const { code, stdout } = await run([command, '--help']);
    expect(code).toBe(ExitCode.Ok);
    expect(stdout).toContain(`Usage: bronze ${command}`);
    expect(stdout).toContain('--json');
  });
});

describe('usage errors end with exit 1', () => {
  it('refuses reset without --yes before any AWS call', async () => {
    const { code, stderr } = await run(['reset', 'orders']);
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toContain('nothing is deleted without --yes');
  });

  it('names the missing settings and how to pass them', async () => {
    const { code, stderr } = await run(['files', 'orders']);
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toContain('the ledger table: pass --table NAME or set LEDGER_TABLE');
  });

  it('rejects an unknown dataset, an unknown command and a bad option value', async () => {
    expect((await run(['files', 'nope', '--table', 't'])).code).toBe(ExitCode.Usage);
    expect((await run(['frobnicate'])).code).toBe(ExitCode.Usage);
    const bad = await run(['files', 'orders', '--limit', 'ten', '--table', 't']);
    expect(bad.code).toBe(ExitCode.Usage);
    expect(bad.stderr).toContain('expected a whole number greater than 0');
  });

  it('requires --reason for reprocess', async () => {
    const { code, stderr } = await run(['reprocess', 's3://landing/orders/a.csv']);
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toContain('--reason');
  });

  it('reports an invalid contracts folder as a configuration error', async () => {
    const { code, stderr } = await run([
      'validate',
      'x.csv',
      '--dataset',
      'orders',
      '--datasets',
      'test/fixtures/contracts/invalid',
    ]);
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toContain('invalid dataset contract');
  });

  it('puts the error on stderr as JSON with --json, leaving stdout empty', async () => {
    const { code, stdout, stderr } = await run(['files', 'orders', '--json']);
    expect(code).toBe(ExitCode.Usage);
    expect(stdout).toBe('');
    expect(JSON.parse(stderr)).toMatchObject({ error: { name: 'UsageError', exitCode: 1 } });
  });
});

describe('habits of AWS users', () => {
  it('prints argument errors as JSON with --json, naming the problem, and nothing else', async () => {
    const { code, stdout, stderr } = await run(['files', 'orders', '--limit', 'ten', '--json']);
    expect(code).toBe(ExitCode.Usage);
    expect(stdout).toBe('');
    const parsed = JSON.parse(stderr) as { error: { name: string; message: string; exitCode: number } };
    expect(parsed.error).toMatchObject({ name: 'UsageError', exitCode: 1 });
    expect(parsed.error.message).toContain('expected a whole number greater than 0');
    expect(JSON.parse((await run(['frobnicate', '--json'])).stderr).error.message).toContain('frobnicate');
  });

  it('accepts the dataset as the first argument or with --dataset, and refuses two different names', async () => {
    const positional = await run(['files', 'nope', '--table', 't']);
    const flag = await run(['files', '--dataset', 'nope', '--table', 't']);
    expect(positional.stderr).toContain('no dataset contract named nope');
    expect(flag.stderr).toContain('no dataset contract named nope');
    const both = await run(['files', 'orders', '--dataset', 'customers', '--table', 't']);
    expect(both.code).toBe(ExitCode.Usage);
    expect(both.stderr).toContain('named twice');
    const none = await run(['reconcile', '--table', 't']);
    expect(none.code).toBe(ExitCode.Usage);
    expect(none.stderr).toContain('name the dataset');
  });

  it('takes --profile on every command', async () => {
    for (const command of COMMANDS) {
      const { stdout } = await run([command, '--help']);
      expect(stdout).toContain('--profile <name>');
    }
  });
});

describe('infrastructure errors end with exit 3', () => {
  it('maps an unreachable DynamoDB to exit 3 with a hint', async () => {
    const { code, stderr } = await run(['runs', 'orders', '--table', 't']);
    expect(code).toBe(ExitCode.Infrastructure);
    expect(stderr).toContain('an AWS call failed');
  });

  it('classifies domain, SDK and network errors', () => {
    expect(exitCodeFor(new InfrastructureError('x'))).toBe(ExitCode.Infrastructure);
    expect(exitCodeFor(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 500 } }))).toBe(
      ExitCode.Infrastructure,
    );
    expect(exitCodeFor(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(
      ExitCode.Infrastructure,
    );
  });
});

describe('validate needs no AWS', () => {
  it('prints JSON of the verdict and exits 2 for a file with bad rows', async () => {
    const { code, stdout } = await run([
      'validate',
      'samples/orders/2024-03-03-ragged.csv',
      '--dataset',
      'orders',
      '--json',
    ]);
    expect(code).toBe(ExitCode.Attention);
    expect(JSON.parse(stdout)).toMatchObject({
      file: 'samples/orders/2024-03-03-ragged.csv',
      verdict: 'accepted_with_rejected_rows',
      problems: [{ line: 16 }, { line: 27 }],
    });
  });

  it('exits 0 for a clean file', async () => {
    expect((await run(['validate', 'samples/orders/2024-03-01.csv', '--dataset', 'orders'])).code).toBe(
      ExitCode.Ok,
    );
  });
});

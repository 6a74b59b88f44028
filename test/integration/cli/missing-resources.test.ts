/** What an operator sees when the CLI is pointed at something that does not exist, against moto. */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../cli/errors.js';
import { runCli } from '../../../cli/program.js';
import { useMotoServer } from '../../helpers/moto-server.js';
import { ROOT } from './cli.js';

const moto = useMotoServer();

async function run(argv: string[]) {
  const config = moto.clientConfig();
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['--endpoint-url', config.endpoint, ...argv], {
    env: {},
    cwd: ROOT,
    clients: () => ({
      dynamodb: new DynamoDBClient(config),
      s3: new S3Client(config),
      sqs: new SQSClient(config),
      cloudFormation: new CloudFormationClient(config),
    }),
    sink: { out: (t) => void out.push(t), err: (t) => void err.push(t), errIsTTY: false },
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('resources that do not exist', () => {
  it('a wrong --table is named in the message and exits 3', async () => {
    const { code, stderr } = await run(['files', 'orders', '--table', 'no-such-ledger']);
    expect(code).toBe(ExitCode.Infrastructure);
    expect(stderr).toContain('ledger table no-such-ledger not found');
  });

  it('a stack that does not exist is named and exits 3, as the exit-code table says', async () => {
    const { code, stderr } = await run(['--stack', 'NoSuchStack', 'status']);
    expect(code).toBe(ExitCode.Infrastructure);
    expect(stderr).toContain('stack NoSuchStack not found');
  });

  it('the same errors come as JSON with --json', async () => {
    const { code, stdout, stderr } = await run(['files', 'orders', '--table', 'no-such-ledger', '--json']);
    expect(code).toBe(ExitCode.Infrastructure);
    expect(stdout).toBe('');
    expect(JSON.parse(stderr)).toMatchObject({
      error: {
        name: 'MissingResourceError',
        exitCode: 3,
        message: expect.stringContaining('no-such-ledger'),
      },
    });
  });
});

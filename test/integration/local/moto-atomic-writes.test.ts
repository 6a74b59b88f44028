import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type MotoServer, motoLauncher, startMoto } from '../../../local/moto.js';
import { awsClientConfig } from '../../helpers/aws.js';

// Thread switches every microsecond make a check-then-write race in moto show within a few rounds.
const FREQUENT_SWITCHES = 'sys.setswitchinterval(1e-6)';
const ROUNDS = 200;

/** Rounds in which more than one of five concurrent first writes of one item succeeded. */
async function doubleClaims(server: MotoServer): Promise<number> {
  const client = new DynamoDBClient(awsClientConfig(server.endpoint));
  await client.send(
    new CreateTableCommand({
      TableName: 'claims',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'file_path', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'file_path', KeyType: 'HASH' }],
    }),
  );
  let doubles = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const writes = await Promise.allSettled(
      ['run-a', 'run-b', 'run-c', 'run-d', 'run-e'].map((runId) =>
        client.send(
          new PutItemCommand({
            TableName: 'claims',
            Item: { file_path: { S: `in/file-${round}.csv` }, run_id: { S: runId } },
            ConditionExpression: 'attribute_not_exists(file_path)',
          }),
        ),
      ),
    );
    for (const write of writes) {
      if (write.status === 'rejected') expect(write.reason).toBeInstanceOf(ConditionalCheckFailedException);
    }
    if (writes.filter((write) => write.status === 'fulfilled').length > 1) doubles++;
  }
  client.destroy();
  return doubles;
}

describe('moto as the local stack starts it', () => {
  let server: MotoServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('applies concurrent conditional writes of one item one at a time, as DynamoDB does', async () => {
    server = await startMoto({
      launcher: motoLauncher({ serialDynamoDb: true, prelude: FREQUENT_SWITCHES }),
    });

    expect(await doubleClaims(server)).toBe(0);
  });

  // The control: moto as installed lets two of them through. When a moto release stops doing so,
  // this fails, and the lock in local/moto.ts can go.
  it('lets more than one through without the lock, which is why the lock is there', async () => {
    server = await startMoto({
      launcher: motoLauncher({ serialDynamoDb: false, prelude: FREQUENT_SWITCHES }),
    });

    expect(await doubleClaims(server)).toBeGreaterThan(0);
  });

  /**
   * Starts moto with `dir` (holding a fake moto_server) first on PATH; expects it to answer, and
   * stderr to have said `message`.
   */
  async function startsAsInstalledSaying(dir: string, message: string): Promise<void> {
    const path = process.env.PATH;
    process.env.PATH = `${dir}:${path}`;
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      server = await startMoto();
      expect((await fetch(`${server.endpoint}/moto-api/`)).ok).toBe(true);
      expect(stderr.mock.calls.map(([text]) => String(text)).join('')).toContain(message);
    } finally {
      stderr.mockRestore();
      process.env.PATH = path;
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('starts moto as installed, and says so, when the Python of moto_server cannot import moto', async () => {
    const realMoto = execFileSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).trim();
    const dir = mkdtempSync(join(tmpdir(), 'moto-fallback-'));
    // A Python that cannot import moto (as with `-c`), yet runs the moto_server script it
    // interprets: the fake moto_server below names it in its shebang.
    const python = join(dir, 'python3');
    writeFileSync(
      python,
      `#!/bin/sh\nif [ "$1" = -c ]; then echo "ModuleNotFoundError: No module named 'moto'" >&2; exit 1; fi\nshift\nexec ${realMoto} "$@"\n`,
    );
    writeFileSync(join(dir, 'moto_server'), `#!${python}\n`);
    chmodSync(python, 0o755);
    chmodSync(join(dir, 'moto_server'), 0o755);
    await startsAsInstalledSaying(
      dir,
      `moto_server runs without serialized DynamoDB writes: ${python} cannot import moto`,
    );
  });

  it('starts moto as installed, and says so, when the Python moto_server names is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'moto-no-python-'));
    const python = join(dir, 'no-such-python3');
    // Run as a command, this script cannot start (its interpreter is missing), so the search of
    // PATH goes on to the real moto_server, as a shell's would.
    writeFileSync(join(dir, 'moto_server'), `#!${python}\n`);
    chmodSync(join(dir, 'moto_server'), 0o755);
    await startsAsInstalledSaying(
      dir,
      `moto_server runs without serialized DynamoDB writes: ${python} was not found`,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../cli/errors.js';
import { useMotoServer } from '../../helpers/moto-server.js';
import { runAgainst } from './cli.js';

const moto = useMotoServer();

const run = (argv: string[]) => runAgainst(moto.clientConfig(), argv);

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

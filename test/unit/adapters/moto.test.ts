import { describe, expect, it } from 'vitest';
import { findFreePort, startMoto } from '../../../local/moto.js';

describe('startMoto', () => {
  it('explains how to install moto, or use LocalStack, when moto_server is not on PATH', async () => {
    const start = startMoto({ command: 'moto_server_that_does_not_exist' });

    await expect(start).rejects.toThrow('pip install "moto[server]==5.2.1"');
    await expect(start).rejects.toThrow(/npm run test:localstack.*localstack\/README\.md/);
  });

  it('finds a free loopback port', async () => {
    const port = await findFreePort();

    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65_536);
  });
});

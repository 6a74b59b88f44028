/** One moto_server per test file: started before the file's tests, stopped after them. */
import { afterAll, beforeAll } from 'vitest';
import { type MotoServer, startMoto } from '../../local/moto.js';
import { awsClientConfig, type LocalAwsClientConfig } from './aws.js';

export interface MotoHandle {
  /** The running server; only valid inside tests and hooks. */
  server(): MotoServer;
  /** Client configuration pointing at it. */
  clientConfig(): LocalAwsClientConfig;
}

/** Registers beforeAll/afterAll hooks that run a private moto_server for the calling test file. */
export function useMotoServer(): MotoHandle {
  let server: MotoServer | undefined;
  beforeAll(async () => {
    server = await startMoto();
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });
  const running = (): MotoServer => {
    if (!server) throw new Error('moto_server is not running: use the handle inside tests or hooks');
    return server;
  };
  return { server: running, clientConfig: () => awsClientConfig(running().endpoint) };
}

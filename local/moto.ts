/**
 * Starts moto_server (real S3, DynamoDB, SQS, EventBridge APIs, no Docker) on a free loopback
 * port for the integration tests and the local stack, and makes sure it dies with this process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

const HOST = '127.0.0.1';
const LOG_LIMIT_BYTES = 64 * 1024;
const STOP_GRACE_MS = 3_000;

export const MOTO_INSTALL_HINT =
  'moto_server was not found on PATH. Install it with: pip install "moto[server]==5.2.1" ' +
  '(or run the same suite against LocalStack with `npm run test:localstack`, see localstack/README.md).';

export interface MotoOptions {
  /** Executable to run. Default: `moto_server` from PATH. */
  readonly command?: string;
  /** Fixed port; by default a free one is picked. */
  readonly port?: number;
  /** How long to wait for the server to answer. Default: 15 s. */
  readonly readyTimeoutMs?: number;
}

export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  /** The last 64 KiB of the server's output, for failure messages. */
  log(): string;
  /** Drops every resource moto holds (POST /moto-api/reset), faster than a restart. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** A port the kernel reports free on loopback right now. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port found'))));
    });
  });
}

/** moto quit before answering: usually a port another process took first. */
class MotoExitedError extends Error {
  override readonly name = 'MotoExitedError';
}

/** Keeps the tail of a child's output without letting it grow. */
class LogTail {
  private text = '';

  append(chunk: Buffer): void {
    this.text += chunk.toString('utf8');
    if (this.text.length > LOG_LIMIT_BYTES) this.text = this.text.slice(-LOG_LIMIT_BYTES);
  }

  toString(): string {
    return this.text;
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when moto answers; rejects when it fails to start, exits, or the timeout passes. */
function waitUntilReady(
  child: ChildProcess,
  endpoint: string,
  timeoutMs: number,
  log: LogTail,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      child.off('error', onError);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const onError = (error: NodeJS.ErrnoException) =>
      finish(error.code === 'ENOENT' ? new Error(MOTO_INSTALL_HINT, { cause: error }) : error);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      finish(
        new MotoExitedError(`moto_server exited before answering (code ${code}, signal ${signal}):\n${log}`),
      );
    child.once('error', onError);
    child.once('exit', onExit);
    const deadline = Date.now() + timeoutMs;
    const poll = async () => {
      while (!settled) {
        if (await answers(`${endpoint}/moto-api/`)) return finish();
        if (Date.now() > deadline) {
          return finish(new Error(`moto_server did not answer within ${timeoutMs} ms:\n${log}`));
        }
        await delay(100);
      }
    };
    void poll();
  });
}

/** Stops the child: SIGTERM, then SIGKILL if it lingers. */
function terminate(child: ChildProcess): Promise<void> {
  // A child that never spawned (no pid) emits no 'exit' to wait for.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Kills the child when this process ends, without swallowing the signal that ends it. */
function killOnExit(child: ChildProcess): () => void {
  const onExit = () => child.kill('SIGKILL');
  const onSignal = (signal: NodeJS.Signals) => {
    child.kill('SIGKILL');
    detach();
    // Our listener replaced the default handler; re-raise when nobody else handles it.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const detach = () => {
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return detach;
}

async function launch(command: string, port: number, readyTimeoutMs: number): Promise<MotoServer> {
  const endpoint = `http://${HOST}:${port}`;
  const log = new LogTail();
  const child = spawn(command, ['-H', HOST, '-p', String(port)], {
    detached: false,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => log.append(chunk));
  child.stderr?.on('data', (chunk: Buffer) => log.append(chunk));
  const detach = killOnExit(child);
  try {
    await waitUntilReady(child, endpoint, readyTimeoutMs, log);
  } catch (error) {
    detach();
    await terminate(child);
    throw error;
  }
  return {
    endpoint,
    port,
    log: () => log.toString(),
    reset: async () => {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
    },
    stop: async () => {
      detach();
      await terminate(child);
    },
  };
}

/** Starts moto_server on loopback and waits until it answers. */
export async function startMoto(options: MotoOptions = {}): Promise<MotoServer> {
  const command = options.command ?? 'moto_server';
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
  if (options.port !== undefined) return launch(command, options.port, readyTimeoutMs);
  // Another process can take the free port before moto binds it: try a fresh one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(command, await findFreePort(), readyTimeoutMs);
    } catch (error) {
      if (!(error instanceof MotoExitedError) || attempt >= 3) throw error;
    }
  }
}

/**
 * Starts moto_server (real S3, DynamoDB, SQS, EventBridge APIs, no Docker) on a free loopback
 * port for the integration tests and the local stack, and makes sure it dies with this process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

const HOST = '127.0.0.1';
const LOG_LIMIT_BYTES = 64 * 1024;
const STOP_GRACE_MS = 3_000;

export const MOTO_INSTALL_HINT =
  'moto_server was not found on PATH. Install it with: pip install "moto[server]==5.2.1" ' +
  '(or run the same suite against LocalStack with `npm run test:localstack`, see localstack/README.md).';

/**
 * moto serves requests on threads and checks a DynamoDB condition apart from the write it guards,
 * so two concurrent conditional writes of one item can both succeed (measured: 31 of 300 triples
 * of `attribute_not_exists` puts under a fine thread switch interval; 0 with this lock). DynamoDB
 * applies each write atomically, and the ledger's exactly-once claim relies on that, so moto is
 * started with its DynamoDB actions taking one lock. Other services stay concurrent: SQS long polls
 * must not hold up the rest. When the patch cannot be applied, moto still starts, and says why.
 */
const SERIAL_DYNAMODB = `
try:
    import threading
    from moto.dynamodb.responses import DynamoHandler
    _lock = threading.RLock()
    _call_action = DynamoHandler.call_action
    def _serialized(self, *args, **kwargs):
        with _lock:
            return _call_action(self, *args, **kwargs)
    DynamoHandler.call_action = _serialized
except (ImportError, AttributeError) as error:
    print("DynamoDB requests are not serialized (" + repr(error) + "): concurrent conditional writes may both succeed", file=sys.stderr)
`;

/** Python source that starts moto_server with the arguments after `-c SOURCE`. */
export function motoLauncher(options: { serialDynamoDb: boolean; prelude?: string }): string {
  return [
    'import sys',
    options.prelude ?? '',
    options.serialDynamoDb ? SERIAL_DYNAMODB : '',
    'from moto.server import main',
    'main(sys.argv[1:])',
    '',
  ].join('\n');
}

export interface MotoOptions {
  /** Executable to run, as is (no DynamoDB lock). Default: `moto_server` from PATH, through its Python. */
  readonly command?: string;
  /** Python source run by moto_server's Python in place of the default, `motoLauncher({ serialDynamoDb: true })`. */
  readonly launcher?: string;
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

/** A way to run moto_server: an executable and the arguments before `-H HOST -p PORT`. */
interface MotoProgram {
  readonly command: string;
  readonly args: readonly string[];
}

/** The executable `name` would run as, from PATH, as a shell finds it. */
function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory, or not executable
    }
  }
  return undefined;
}

/**
 * The Python that runs moto_server: its script's interpreter (pip and pipx installs), else
 * `python3` (pyenv's shims are shell scripts).
 */
export function motoPython(script: string): string {
  const head = Buffer.alloc(256);
  const fd = openSync(script, 'r');
  const length = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const firstLine = head.subarray(0, length).toString('utf8').split('\n')[0] ?? '';
  const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(firstLine);
  if (!shebang?.[1]) return 'python3';
  const [, interpreter, argument] = shebang;
  if (/python[\d.]*$/.test(interpreter)) return interpreter;
  if (interpreter.endsWith('/env') && argument && /^python[\d.]*$/.test(argument)) return argument;
  return 'python3';
}

/** moto_server's Python running a launcher, or undefined when moto_server is not on PATH. */
function launcherProgram(launcher: string): MotoProgram | undefined {
  const script = findOnPath('moto_server');
  if (!script) return undefined;
  return { command: motoPython(script), args: ['-c', launcher] };
}

async function launch(program: MotoProgram, port: number, readyTimeoutMs: number): Promise<MotoServer> {
  const endpoint = `http://${HOST}:${port}`;
  const log = new LogTail();
  const child = spawn(program.command, [...program.args, '-H', HOST, '-p', String(port)], {
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

function cannotImportMoto(error: unknown): boolean {
  return error instanceof MotoExitedError && /ModuleNotFoundError: No module named 'moto/.test(error.message);
}

/** Starts moto_server on loopback and waits until it answers. */
export async function startMoto(options: MotoOptions = {}): Promise<MotoServer> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
  const plain: MotoProgram = { command: options.command ?? 'moto_server', args: [] };
  const serial =
    options.command === undefined
      ? launcherProgram(options.launcher ?? motoLauncher({ serialDynamoDb: true }))
      : undefined;
  if (serial) {
    try {
      return await startOn(serial, options.port, readyTimeoutMs);
    } catch (error) {
      // A Python that is missing or cannot import moto (an unusual install): moto as installed
      // still serves, without the lock.
      const missing = (error as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT';
      if (!missing && !cannotImportMoto(error)) throw error;
      process.stderr.write(
        `moto_server runs without serialized DynamoDB writes: ${serial.command} ${missing ? 'was not found' : 'cannot import moto'}\n`,
      );
    }
  }
  return startOn(plain, options.port, readyTimeoutMs);
}

async function startOn(
  program: MotoProgram,
  port: number | undefined,
  readyTimeoutMs: number,
): Promise<MotoServer> {
  if (port !== undefined) return launch(program, port, readyTimeoutMs);
  // Another process can take the free port before moto binds it: try a fresh one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(program, await findFreePort(), readyTimeoutMs);
    } catch (error) {
      if (!(error instanceof MotoExitedError) || cannotImportMoto(error) || attempt >= 3) throw error;
    }
  }
}

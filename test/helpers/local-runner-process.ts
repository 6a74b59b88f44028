/** A local runner in a child process, so a test can SIGKILL it in the middle of a file. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LocalStack } from '../../local/harness.js';

const RUNNER_MAIN = fileURLToPath(new URL('../../local/runner-main.ts', import.meta.url));
const READY_LINE = 'runner ready';

export interface RunnerProcess {
  readonly child: ChildProcess;
  /** Everything the child printed so far. */
  output(): string;
  /** SIGKILL: no cleanup, no message deleted, no ledger write; resolves once it has exited. */
  kill(): Promise<void>;
}

/** Spawns `local/runner-main.ts` with the stack's environment and waits until it polls. */
export function spawnRunner(stack: LocalStack, args: readonly string[] = []): Promise<RunnerProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', RUNNER_MAIN, '--function-name', stack.outputs.IngestFunctionName, ...args],
    { env: { ...process.env, ...stack.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const handle: RunnerProcess = {
    child,
    output: () => output,
    kill: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`runner process not ready after 30 s:\n${output}`));
    }, 30_000);
    const onData = () => {
      if (!output.includes(READY_LINE)) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve(handle);
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`runner process exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
}

/**
 * Runs one child program pinned to CPU 0 (`taskset -c 0`), so that the whole process, V8's
 * garbage-collector helper threads and libuv's pool included, shares one core: those threads
 * still exist, they only cannot add a second core.
 */
import { spawn } from 'node:child_process';
import { type ChildName, childScript } from './build.js';
import { type ChildResult, RESULT_MARK } from './children/protocol.js';

export const PINNED_CPU = '0';
const STDERR_TAIL = 4000;

export async function runPinned(
  child: ChildName,
  args: readonly string[],
  nodeFlags: readonly string[] = [],
  /** The `node` to run the child with: this process's by default. */
  node: string = process.execPath,
): Promise<ChildResult> {
  const argv = ['-c', PINNED_CPU, node, ...nodeFlags, childScript(child), ...args];
  return new Promise((resolve, reject) => {
    const proc = spawn('taskset', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
    proc.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr = (stderr + s).slice(-STDERR_TAIL);
    });
    proc.once('error', reject);
    proc.once('close', (code, signal) => {
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
      if (code !== 0 || !line) {
        reject(new Error(`${child} ${args.join(' ')} ended with ${signal ?? code}:\n${stderr}`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_MARK.length)) as ChildResult);
    });
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

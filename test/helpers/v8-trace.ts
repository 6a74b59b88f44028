import { spawnSync } from 'node:child_process';

/**
 * Runs an ES module script in a Node process of its own (TypeScript through tsx) with V8 tracing
 * flags, and returns what V8 printed: the tests of how V8 compiles the engine's hot loops read it.
 */
export function runTracedV8(
  script: string,
  flags: readonly string[],
): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', ...flags, '--input-type=module', '-e', script],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The lines of a `--trace-deopt` output that deoptimize one of `functions` (by name). */
export function deoptimizationsOf(stdout: string, functions: readonly string[]): string[] {
  const bailout = new RegExp(`bailout .*<JSFunction (${functions.join('|')}) `);
  return stdout.split('\n').filter((line) => bailout.test(line));
}

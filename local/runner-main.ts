/**
 * A local runner as its own process, for tests that kill one mid-file and for running several
 * next to `bronze local up`. The environment carries the stack (the variables `bronze local up`
 * prints); the flags pick the function and override its settings:
 *
 *   tsx local/runner-main.ts --function-name <IngestFunctionName> [--timeout-seconds 16]
 *     [--batch-size 1] [--concurrency 2]
 *
 * It prints `runner ready` once polling, then one JSON line per invocation.
 */
import { parseArgs } from 'node:util';
import { localClientConfig } from './aws-config.js';
import { describeDeployedFunction } from './lambda-api.js';
import { startRunner } from './runner.js';

/** The line a parent process waits for. */
const READY_LINE = 'runner ready';

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer, got ${value}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'function-name': { type: 'string' },
      'queue-url': { type: 'string' },
      'timeout-seconds': { type: 'string' },
      'batch-size': { type: 'string' },
      concurrency: { type: 'string' },
    },
  });
  const endpoint = process.env.AWS_ENDPOINT_URL;
  const functionName = values['function-name'];
  const queueUrl = values['queue-url'] ?? process.env.INGEST_QUEUE_URL;
  if (!endpoint || !functionName || !queueUrl) {
    throw new Error('needs AWS_ENDPOINT_URL and INGEST_QUEUE_URL in the environment and --function-name');
  }
  const deployed = await describeDeployedFunction(endpoint, functionName);
  const timeoutSeconds = positiveInt(values['timeout-seconds'], '--timeout-seconds');
  const batchSize = positiveInt(values['batch-size'], '--batch-size');
  const runner = await startRunner({
    queueUrl,
    // The handler gets this process's environment, which the caller built from the stack.
    env: Object.fromEntries(
      Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
    ),
    clientConfig: localClientConfig(endpoint),
    function: {
      ...deployed,
      ...(timeoutSeconds ? { timeoutSeconds } : {}),
      ...(batchSize ? { batchSize } : {}),
    },
    concurrency: positiveInt(values.concurrency, '--concurrency') ?? 1,
    onInvocation: (report) => console.log(JSON.stringify({ invocation: report })),
  });
  const stop = () => {
    void runner.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(READY_LINE);
}

main().catch((error: unknown) => {
  console.error(`local runner failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

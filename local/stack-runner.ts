/** Starts a local runner for a local stack's deployed ingest function and queue. */
import type { LocalStack } from './harness.js';
import { type LocalRunner, type RunnerOptions, startRunner } from './runner.js';

export type StackRunnerOptions = Partial<Omit<RunnerOptions, 'function'>> & {
  /** Overrides of the deployed function's settings, for example a shorter timeout. */
  readonly function?: Partial<RunnerOptions['function']>;
};

/** A runner consuming the stack's ingest queue with the deployed function's settings. */
export function startStackRunner(stack: LocalStack, options: StackRunnerOptions = {}): Promise<LocalRunner> {
  return startRunner({
    ...options,
    queueUrl: options.queueUrl ?? stack.outputs.IngestQueueUrl,
    env: options.env ?? stack.env,
    clientConfig: options.clientConfig ?? stack.clientConfig,
    function: { ...stack.ingestFunction, ...options.function },
  });
}

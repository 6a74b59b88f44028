/**
 * `bronze local up` (and `npm run dev`): keeps the local stack and a runner going, prints the
 * endpoint and the environment to reach it, and stops everything on Ctrl-C. Also runnable
 * directly: `tsx local/up.ts`.
 */

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type LocalStack, type PowertoolsLogLevel, startLocalStack } from './harness.js';
import type { LocalRunner } from './runner.js';
import { sampleFiles } from './samples.js';
import { startStackRunner } from './stack-runner.js';
import { heading } from './table.js';

export interface LocalUpOptions {
  /** Folder of dataset contracts. Default: the repository's `datasets/`. */
  readonly datasetsDir?: string;
  /** Concurrent runner invocations. Default 2. */
  readonly concurrency?: number;
  /** Handler log level. Default INFO, so each file's outcome shows as it is ingested. */
  readonly logLevel?: PowertoolsLogLevel;
  /** Land the files of samples/ once the stack is up. */
  readonly samples?: boolean;
}

export interface LocalUpSession {
  readonly stack: LocalStack;
  readonly runner: LocalRunner;
  /** Stops the runner, then the emulator. */
  stop(): Promise<void>;
}

/** Starts the local stack and a runner on it, and returns without waiting. */
export async function startLocalSession(options: LocalUpOptions = {}): Promise<LocalUpSession> {
  const stack = await startLocalStack({
    datasetsDir: options.datasetsDir,
    logLevel: options.logLevel ?? 'INFO',
  });
  try {
    const runner = await startStackRunner(stack, { concurrency: options.concurrency ?? 2 });
    return {
      stack,
      runner,
      stop: async () => {
        await runner.stop();
        await stack.stop();
      },
    };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

/** The banner: endpoint, resources, environment exports and commands to try. */
export function describeSession(stack: LocalStack): string {
  const o = stack.outputs;
  const exports = Object.entries(stack.env)
    .filter(([name]) => !name.startsWith('POWERTOOLS_') && !name.startsWith('AWS_SDK_'))
    .map(([name, value]) => `export ${name}=${shellQuote(value)}`);
  return [
    heading('bronze-ingest local stack (moto) is up'),
    `endpoint        ${stack.endpoint}`,
    `landing bucket  ${o.LandingBucketName}`,
    `bronze bucket   ${o.BronzeBucketName}`,
    `quarantine      ${o.QuarantineBucketName}`,
    `ledger table    ${o.LedgerTableName}`,
    `ingest queue    ${o.IngestQueueUrl}`,
    `dead letters    ${o.DeadLetterQueueUrl}`,
    `ready in ${(stack.timings.totalMs / 1000).toFixed(1)} s; fallbacks: see local/README.md`,
    heading('Environment (paste into another shell)'),
    ...exports,
    heading('Try it'),
    'aws --endpoint-url "$AWS_ENDPOINT_URL" s3 cp samples/orders/2024-03-01.csv \\',
    '    "s3://$LANDING_BUCKET/orders/2024-03-01.csv"',
    'aws --endpoint-url "$AWS_ENDPOINT_URL" s3 ls --recursive "s3://$BRONZE_BUCKET/"',
    'node dist/bronze.mjs status          # the bronze CLI reads the same environment',
    'node dist/bronze.mjs files orders',
    '',
    'Each file logs one JSON line when it is done. Ctrl-C stops everything.',
  ].join('\n');
}

/** Puts every file of samples/ into the landing bucket, as an operator would with `aws s3 cp`. */
async function landSamples(stack: LocalStack): Promise<string> {
  const s3 = new S3Client({ ...stack.clientConfig, forcePathStyle: true });
  try {
    const files = sampleFiles();
    for (const file of files) {
      await s3.send(
        new PutObjectCommand({
          Bucket: stack.outputs.LandingBucketName,
          Key: file.key,
          Body: readFileSync(file.path),
        }),
      );
    }
    return `landed ${files.length} sample file(s) in s3://${stack.outputs.LandingBucketName}/`;
  } finally {
    s3.destroy();
  }
}

/** Starts the session, prints the banner and runs until SIGINT or SIGTERM. */
export async function runLocalUp(options: LocalUpOptions = {}): Promise<void> {
  console.log('starting moto_server, synthesizing the stack and deploying its template ...');
  const session = await startLocalSession(options);
  console.log(describeSession(session.stack));
  if (options.samples) console.log(await landSamples(session.stack));
  await new Promise<void>((resolve) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      console.log('\nstopping the runner and moto_server ...');
      void session.stop().then(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

const LOG_LEVELS: readonly PowertoolsLogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'];

/** Reads `--datasets-dir DIR`, `--concurrency N`, `--log-level LEVEL` and `--samples`. */
export function parseUpArgs(args: readonly string[]): LocalUpOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      'datasets-dir': { type: 'string' },
      concurrency: { type: 'string' },
      'log-level': { type: 'string' },
      samples: { type: 'boolean' },
    },
  });
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) {
    throw new Error(`--concurrency must be a positive integer, got ${values.concurrency}`);
  }
  const logLevel = values['log-level']?.toUpperCase() as PowertoolsLogLevel | undefined;
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel)) {
    throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return { datasetsDir: values['datasets-dir'], concurrency, logLevel, samples: values.samples ?? false };
}

/** What `bronze local up [--datasets-dir DIR] [--concurrency N] [--log-level LEVEL] [--samples]` runs. */
export function localUp(args: readonly string[] = []): Promise<void> {
  return runLocalUp(parseUpArgs(args));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  localUp(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`bronze local up failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}

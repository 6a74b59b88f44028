/**
 * The local stack: moto_server plus the real BronzeIngestStack template deployed into it. One
 * module for the integration tests, `npm start` and `bronze local up`.
 */
import { resolve } from 'node:path';
import { readRuntimeConfig } from '../lambdas/core/config.js';
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalAwsClientConfig,
  localClientConfig,
} from './aws-config.js';
import { type DeployedStack, deployStack } from './deploy.js';
import { type DeployedFunction, describeDeployedFunction } from './lambda-api.js';
import { type MotoServer, startMoto } from './moto.js';
import { applyMotoFallbacks } from './moto-fallbacks.js';
import { PROJECT_ROOT, type StackSettings, synthesizeStack } from './synth.js';

/** The stack's CfnOutputs, by output id. */
export interface StackOutputs {
  readonly LandingBucketName: string;
  readonly BronzeBucketName: string;
  readonly QuarantineBucketName: string;
  readonly LedgerTableName: string;
  readonly IngestQueueUrl: string;
  readonly DeadLetterQueueUrl: string;
  readonly IngestFunctionName: string;
  readonly SweepFunctionName: string;
  /** Empty on moto, which does not create Glue resources. */
  readonly GlueDatabaseName: string;
}

export type PowertoolsLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

export interface LocalStackOptions extends Partial<StackSettings> {
  /** Powertools log level of the handler. Default: ERROR, so expected rejections stay quiet. */
  readonly logLevel?: PowertoolsLogLevel;
  /**
   * An emulator that is already running (LocalStack at http://localhost:4566): the stack is
   * deployed there and no moto_server is started. Its own Lambda service runs the functions.
   */
  readonly endpoint?: string;
}

export interface StartupTimings {
  readonly synthMs: number;
  readonly emulatorMs: number;
  readonly deployMs: number;
  readonly totalMs: number;
}

export interface LocalStack {
  /** Where every AWS API of the stack answers. */
  readonly endpoint: string;
  readonly stackName: string;
  readonly outputs: StackOutputs;
  /** The environment a Lambda or the CLI needs: the deployed function's, pointed at the emulator. */
  readonly env: Readonly<Record<string, string>>;
  /** The deployed ingest function and its event source mapping, as the emulator reports them. */
  readonly ingestFunction: DeployedFunction;
  /** Template resources the emulator did not create (see local/README.md). */
  readonly skippedResources: readonly string[];
  /** What was done with SDK calls because the emulator ignores part of the template. */
  readonly fallbacks: readonly string[];
  readonly clientConfig: LocalAwsClientConfig;
  readonly timings: StartupTimings;
  /** Stops what the harness started; safe to call twice. */
  stop(): Promise<void>;
}

export const DEFAULT_STACK_NAME = 'BronzeIngestLocal';
const DEFAULT_DATASETS_DIR = resolve(PROJECT_ROOT, 'datasets');

/**
 * moto reports queue URLs under sqs.<region>.amazonaws.com. The SDK only sends to a queue URL's
 * own host when no endpoint is configured, but a CLI user copying the URL should see the
 * emulator's address, so the URL is rewritten to it.
 */
function localQueueUrl(url: string, endpoint: string): string {
  const parsed = new URL(url);
  return parsed.hostname.endsWith('amazonaws.com') ? `${endpoint}${parsed.pathname}` : url;
}

function toOutputs(raw: DeployedStack['outputs'], endpoint: string): StackOutputs {
  const get = (id: keyof StackOutputs): string => {
    const value = raw[id];
    if (value === undefined && id !== 'GlueDatabaseName') throw new Error(`the stack has no output ${id}`);
    return value ?? '';
  };
  return {
    LandingBucketName: get('LandingBucketName'),
    BronzeBucketName: get('BronzeBucketName'),
    QuarantineBucketName: get('QuarantineBucketName'),
    LedgerTableName: get('LedgerTableName'),
    IngestQueueUrl: localQueueUrl(get('IngestQueueUrl'), endpoint),
    DeadLetterQueueUrl: localQueueUrl(get('DeadLetterQueueUrl'), endpoint),
    IngestFunctionName: get('IngestFunctionName'),
    SweepFunctionName: get('SweepFunctionName'),
    GlueDatabaseName: get('GlueDatabaseName'),
  };
}

/** The deployed function's environment, pointed at the emulator and the local contracts. */
function runtimeEnv(
  fn: DeployedFunction,
  outputs: StackOutputs,
  endpoint: string,
  datasetsDir: string,
  logLevel: PowertoolsLogLevel,
): Record<string, string> {
  // NODE_OPTIONS belongs to the Lambda runtime; here it would leak into every child process.
  const { NODE_OPTIONS: _nodeOptions, ...deployed } = fn.environment;
  const env: Record<string, string> = {
    ...deployed,
    // The function reads the contracts bundled at /var/task/datasets; locally they are files.
    DATASETS_DIR: datasetsDir,
    INGEST_QUEUE_URL: outputs.IngestQueueUrl,
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    POWERTOOLS_LOG_LEVEL: logLevel,
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  // Fails here, naming the variable, if the template stopped wiring one the handler needs.
  readRuntimeConfig(env, { datasetsDir });
  return env;
}

/** Synthesizes the stack, deploys it to moto (or the given emulator) and reads it back. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const started = Date.now();
  // The project runs on Node 20; the SDK's notice about its future Node 22 floor is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const stackName = options.stackName ?? DEFAULT_STACK_NAME;
  const datasetsDir = resolve(options.datasetsDir ?? DEFAULT_DATASETS_DIR);
  // moto boots while the synchronous synth and bundling run.
  const motoStarting: Promise<MotoServer> | undefined = options.endpoint ? undefined : startMoto();
  let moto: MotoServer | undefined;
  let synthesized: ReturnType<typeof synthesizeStack> | undefined;
  try {
    synthesized = synthesizeStack({ ...options, stackName, datasetsDir });
    const synthMs = Date.now() - started;
    moto = await motoStarting;
    const emulatorMs = Date.now() - started;
    const endpoint = moto?.endpoint ?? options.endpoint!;
    const clientConfig = localClientConfig(endpoint);
    const deployed = await deployStack(clientConfig, synthesized);
    const outputs = toOutputs(deployed.outputs, endpoint);
    const ingestFunction = await describeDeployedFunction(endpoint, outputs.IngestFunctionName);
    const fallbacks = moto
      ? await applyMotoFallbacks(
          clientConfig,
          synthesized.templateBody,
          deployed,
          outputs.LandingBucketName,
          ingestFunction,
        )
      : [];
    const env = runtimeEnv(ingestFunction, outputs, endpoint, datasetsDir, options.logLevel ?? 'ERROR');
    const deployMs = Date.now() - started - emulatorMs;
    const server = moto;
    return {
      endpoint,
      stackName,
      outputs,
      env,
      ingestFunction,
      skippedResources: deployed.skippedResources,
      fallbacks,
      clientConfig,
      timings: { synthMs, emulatorMs, deployMs, totalMs: Date.now() - started },
      stop: async () => {
        await server?.stop();
      },
    };
  } catch (error) {
    const server = moto ?? (await motoStarting?.catch(() => undefined));
    await server?.stop();
    throw error;
  } finally {
    synthesized?.dispose();
  }
}

/**
 * Where the CLI points: the stack's table, buckets and queue, from `--stack` (CloudFormation
 * outputs), flags or environment variables, and how to reach AWS (endpoint, region).
 */
import {
  type CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { ENV } from '../lambdas/core/config.js';
import { MissingResourceError, UsageError } from './errors.js';

/** The settings a command may need. */
export type Setting = 'table' | 'landingBucket' | 'bronzeBucket' | 'quarantineBucket' | 'queueUrl';

export interface TargetFlags {
  readonly stack?: string;
  readonly table?: string;
  readonly landingBucket?: string;
  readonly bronzeBucket?: string;
  readonly quarantineBucket?: string;
  readonly queueUrl?: string;
  readonly endpointUrl?: string;
  readonly region?: string;
  readonly profile?: string;
}

export interface Target {
  readonly table?: string;
  readonly landingBucket?: string;
  readonly bronzeBucket?: string;
  readonly quarantineBucket?: string;
  readonly queueUrl?: string;
  readonly deadLetterQueueUrl?: string;
  /** The deployed contracts' digests, for the drift check (lambdas/core/contract-digest.ts). */
  readonly contractDigests?: string;
  readonly stack?: string;
}

/** How to reach AWS: shared by every client the CLI builds. */
export interface Connection {
  readonly endpoint?: string;
  readonly region?: string;
  /** A named profile of the shared AWS config files; the SDK reads AWS_PROFILE itself. */
  readonly profile?: string;
}

/** CloudFormation output ids of the stack (lib/bronze-ingest-stack.ts), per setting. */
export const STACK_OUTPUTS: Readonly<Record<Setting | 'deadLetterQueueUrl' | 'contractDigests', string>> = {
  table: 'LedgerTableName',
  landingBucket: 'LandingBucketName',
  bronzeBucket: 'BronzeBucketName',
  quarantineBucket: 'QuarantineBucketName',
  queueUrl: 'IngestQueueUrl',
  deadLetterQueueUrl: 'DeadLetterQueueUrl',
  contractDigests: 'ContractDigests',
};

const FLAGS: Readonly<Record<Setting, string>> = {
  table: '--table NAME',
  landingBucket: '--landing-bucket NAME',
  bronzeBucket: '--bronze-bucket NAME',
  quarantineBucket: '--quarantine-bucket NAME',
  queueUrl: '--queue-url URL',
};

const ENV_NAMES: Readonly<Record<Setting, string>> = {
  table: ENV.ledgerTable,
  landingBucket: ENV.landingBucket,
  bronzeBucket: ENV.bronzeBucket,
  quarantineBucket: ENV.quarantineBucket,
  queueUrl: ENV.ingestQueueUrl,
};

const DESCRIPTIONS: Readonly<Record<Setting, string>> = {
  table: 'the ledger table',
  landingBucket: 'the landing bucket',
  bronzeBucket: 'the bronze bucket',
  quarantineBucket: 'the quarantine bucket',
  queueUrl: 'the ingest queue URL',
};

const SETTINGS = Object.keys(FLAGS) as Setting[];

/** The endpoint and region: flags first, then AWS_ENDPOINT_URL and AWS_REGION / AWS_DEFAULT_REGION. */
export function resolveConnection(flags: TargetFlags, env: NodeJS.ProcessEnv): Connection {
  const endpoint = flags.endpointUrl || env.AWS_ENDPOINT_URL || undefined;
  // Emulators accept any region; without one the SDK would refuse to build a client.
  const region =
    flags.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || (endpoint ? 'us-east-1' : undefined);
  return {
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    ...(flags.profile ? { profile: flags.profile } : {}),
  };
}

/**
 * Each setting from its flag, else the stack's output, else the environment: an explicit flag
 * beats a named stack, and a named stack beats whatever the shell happens to export.
 */
export function resolveTarget(
  flags: TargetFlags,
  env: NodeJS.ProcessEnv,
  stackOutputs: Readonly<Record<string, string>> = {},
): Target {
  const pick = (setting: Setting): string | undefined =>
    flags[setting] || stackOutputs[STACK_OUTPUTS[setting]] || env[ENV_NAMES[setting]] || undefined;
  const target: Record<string, string> = {};
  for (const setting of SETTINGS) {
    const value = pick(setting);
    if (value) target[setting] = value;
  }
  const dlq = stackOutputs[STACK_OUTPUTS.deadLetterQueueUrl];
  if (dlq) target.deadLetterQueueUrl = dlq;
  const digests = stackOutputs[STACK_OUTPUTS.contractDigests] ?? env[ENV.contractDigests];
  if (digests !== undefined) target.contractDigests = digests;
  if (flags.stack) target.stack = flags.stack;
  return target as Target;
}

/** The settings a command needs, or one error naming every missing one and how to pass it. */
export function requireSettings<S extends Setting>(
  target: Target,
  needed: readonly S[],
): Required<Pick<Target, S>> {
  const missing = needed.filter((s) => !target[s]);
  if (missing.length) {
    const lines = missing.map((s) => `  ${DESCRIPTIONS[s]}: pass ${FLAGS[s]} or set ${ENV_NAMES[s]}`);
    const stackHint = target.stack
      ? `(stack ${target.stack} has no output ${missing.map((s) => STACK_OUTPUTS[s]).join(', ')})`
      : 'or pass --stack NAME to read them all from the stack outputs';
    throw new UsageError(`missing settings:\n${lines.join('\n')}\n${stackHint}`);
  }
  return Object.fromEntries(needed.map((s) => [s, target[s]])) as Required<Pick<Target, S>>;
}

/** The outputs of a deployed stack, by output id. */
export async function loadStackOutputs(
  stackName: string,
  client: Pick<CloudFormationClient, 'send'>,
): Promise<Record<string, string>> {
  let out: DescribeStacksCommandOutput;
  try {
    out = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (error) {
    // CloudFormation answers a missing stack with a ValidationError; like a missing table, it exits 3.
    if ((error as Error).name === 'ValidationError') {
      throw new MissingResourceError(`stack ${stackName} not found: ${(error as Error).message}`, {
        cause: error,
      });
    }
    throw error;
  }
  const outputs: Record<string, string> = {};
  for (const o of out.Stacks?.[0]?.Outputs ?? [])
    if (o.OutputKey && o.OutputValue) outputs[o.OutputKey] = o.OutputValue;
  return outputs;
}

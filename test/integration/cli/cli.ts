/** Runs the `bronze` program in-process against a local stack, with clients a test can watch. */
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../../cli/aws.js';
import { runCli } from '../../../cli/program.js';
import type { LocalAwsClientConfig } from '../../../local/aws-config.js';
import type { LocalStack } from '../../../local/harness.js';

export const ROOT = join(import.meta.dirname, '..', '..', '..');

/** Calls counted and messages recorded by the clients' middleware. */
export interface Observed {
  /** DynamoDB commands by name (BatchGetItemCommand, ...). */
  readonly dynamodb: Map<string, number>;
  /** Message bodies sent with SendMessageBatch, in the order they were sent. */
  readonly sent: unknown[];
}

/** Clients for the local stack that count DynamoDB calls and record SQS batches. */
export function observedClients(stack: LocalStack): { clients: AwsClients; observed: Observed } {
  const observed: Observed = { dynamodb: new Map(), sent: [] };
  const dynamodb = new DynamoDBClient(stack.clientConfig);
  dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '?';
      observed.dynamodb.set(name, (observed.dynamodb.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  const sqs = new SQSClient(stack.clientConfig);
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'SendMessageBatchCommand') {
        const input = args.input as { Entries?: { MessageBody?: string }[] };
        for (const entry of input.Entries ?? []) observed.sent.push(JSON.parse(entry.MessageBody ?? 'null'));
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordBatches' },
  );
  return {
    observed,
    clients: {
      dynamodb,
      sqs,
      s3: new S3Client(stack.clientConfig),
      cloudFormation: new CloudFormationClient(stack.clientConfig),
    },
  };
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as the one JSON document `--json` prints. */
  json<T = Record<string, unknown>>(): T;
}

/**
 * `bronze --stack <local stack> --endpoint-url <emulator> ...argv`: the target comes from the
 * stack's CloudFormation outputs in the emulator, as it would from a deployed stack.
 */
export async function bronze(
  stack: LocalStack,
  clients: AwsClients,
  argv: readonly string[],
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['--stack', stack.stackName, '--endpoint-url', stack.endpoint, ...argv], {
    env: { BRONZE_OPERATOR: 'integration-test' },
    cwd: ROOT,
    clients: () => clients,
    sink: { out: (t) => void out.push(t), err: (t) => void err.push(t), errIsTTY: false },
  });
  const stdout = out.join('');
  return { code, stdout, stderr: err.join(''), json: <T>() => JSON.parse(stdout) as T };
}

/** Runs `bronze` in-process against an emulator endpoint with plain clients; returns its exit code and output. */
export async function runAgainst(
  config: LocalAwsClientConfig,
  argv: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['--endpoint-url', config.endpoint, ...argv], {
    env: {},
    cwd: ROOT,
    clients: () => ({
      dynamodb: new DynamoDBClient(config),
      s3: new S3Client(config),
      sqs: new SQSClient(config),
      cloudFormation: new CloudFormationClient(config),
    }),
    sink: { out: (t) => void out.push(t), err: (t) => void err.push(t), errIsTTY: false },
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

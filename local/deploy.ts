/**
 * Deploys a synthesized template to an emulator's CloudFormation API (moto or LocalStack) the way
 * `cdk deploy` does: publish the code assets, create the stack, wait, read the outputs.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { LocalAwsClientConfig } from './aws-config.js';
import { LOCAL_ASSETS_BUCKET, type SynthesizedStack } from './synth.js';
import { zipDirectory } from './zip.js';

const POLL_MS = 100;
const DEPLOY_TIMEOUT_MS = 120_000;

/** A template resource the emulator created. */
export interface StackResource {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
}

export interface DeployedStack {
  /** Stack outputs by output id (LandingBucketName, IngestQueueUrl, ...). */
  readonly outputs: Readonly<Record<string, string>>;
  readonly resources: readonly StackResource[];
  /** Template resources the emulator did not create, as `LogicalId (Type)`. */
  readonly skippedResources: readonly string[];
}

/** Raised when the stack ends in any state but CREATE_COMPLETE; names the failed resources. */
export class StackDeployError extends Error {
  override readonly name = 'StackDeployError';
}

async function publishAssets(config: LocalAwsClientConfig, stack: SynthesizedStack): Promise<void> {
  const s3 = new S3Client(config);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: LOCAL_ASSETS_BUCKET })).catch((error: Error) => {
      // A second stack on the same emulator reuses the bucket.
      if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error;
    });
    await Promise.all(
      stack.assets.map((asset) =>
        s3.send(
          new PutObjectCommand({
            Bucket: LOCAL_ASSETS_BUCKET,
            Key: asset.objectKey,
            Body: zipDirectory(asset.directory),
          }),
        ),
      ),
    );
  } finally {
    s3.destroy();
  }
}

async function failureReasons(cfn: CloudFormationClient, stackName: string): Promise<string> {
  const events = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName }));
  return (events.StackEvents ?? [])
    .filter((e) => e.ResourceStatus?.endsWith('FAILED'))
    .map((e) => `${e.LogicalResourceId} (${e.ResourceType}): ${e.ResourceStatusReason ?? 'no reason given'}`)
    .join('\n');
}

async function waitForCreate(cfn: CloudFormationClient, stackName: string): Promise<Record<string, string>> {
  const deadline = Date.now() + DEPLOY_TIMEOUT_MS;
  for (;;) {
    const described = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = described.Stacks?.[0];
    const status = stack?.StackStatus ?? 'UNKNOWN';
    if (status === 'CREATE_COMPLETE') {
      return Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
    }
    if (!status.endsWith('IN_PROGRESS')) {
      const reasons = await failureReasons(cfn, stackName);
      throw new StackDeployError(
        `stack ${stackName} ended in ${status}: ${stack?.StackStatusReason ?? ''}\n${reasons}`,
      );
    }
    if (Date.now() > deadline) throw new StackDeployError(`stack ${stackName} still ${status} after 120 s`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function describeResources(
  cfn: CloudFormationClient,
  stack: SynthesizedStack,
): Promise<Pick<DeployedStack, 'resources' | 'skippedResources'>> {
  const template = JSON.parse(stack.templateBody) as { Resources: Record<string, { Type: string }> };
  const described = await cfn.send(new DescribeStackResourcesCommand({ StackName: stack.stackName }));
  // moto lists the resource types it skipped too, without a logical id.
  const resources = (described.StackResources ?? [])
    .filter((r) => r.LogicalResourceId && r.PhysicalResourceId)
    .map((r) => ({
      logicalId: r.LogicalResourceId!,
      type: r.ResourceType ?? '',
      physicalId: r.PhysicalResourceId!,
    }));
  const created = new Set(resources.map((r) => r.logicalId));
  const skippedResources = Object.entries(template.Resources)
    .filter(([id]) => !created.has(id))
    .map(([id, resource]) => `${id} (${resource.Type})`);
  return { resources, skippedResources };
}

/** Publishes the assets, creates the stack and waits for CREATE_COMPLETE. */
export async function deployStack(
  config: LocalAwsClientConfig,
  stack: SynthesizedStack,
): Promise<DeployedStack> {
  await publishAssets(config, stack);
  const cfn = new CloudFormationClient(config);
  try {
    await cfn.send(
      new CreateStackCommand({
        StackName: stack.stackName,
        TemplateBody: stack.templateBody,
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      }),
    );
    const outputs = await waitForCreate(cfn, stack.stackName);
    return { outputs, ...(await describeResources(cfn, stack)) };
  } finally {
    cfn.destroy();
  }
}

/**
 * The parts of the template moto accepts but does not act on (or acts on wrongly), put right
 * with API calls after the deploy. Each one is listed in local/README.md.
 */
import {
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { LocalAwsClientConfig } from './aws-config.js';
import { jsonCall, restCall } from './aws-json.js';
import type { DeployedStack } from './deploy.js';
import type { DeployedFunction } from './lambda-api.js';

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** moto ignores NotificationConfiguration.EventBridgeConfiguration in CloudFormation. */
async function enableEventBridge(config: LocalAwsClientConfig, bucket: string): Promise<string> {
  const s3 = new S3Client(config);
  try {
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: { EventBridgeConfiguration: {} },
      }),
    );
  } finally {
    s3.destroy();
  }
  return `EventBridge notifications of the landing bucket turned on with PutBucketNotificationConfiguration`;
}

/**
 * moto's CloudFormation leaves every bucket unversioned whatever its VersioningConfiguration
 * says, so an overwrite would leave no earlier version and every version_id would be null.
 */
async function enableVersioning(
  config: LocalAwsClientConfig,
  template: Record<string, TemplateResource>,
  deployed: DeployedStack,
): Promise<string[]> {
  const versioned = deployed.resources.filter((r) => {
    const versioning = template[r.logicalId]?.Properties?.VersioningConfiguration as
      | { Status?: string }
      | undefined;
    return r.type === 'AWS::S3::Bucket' && versioning?.Status === 'Enabled';
  });
  const s3 = new S3Client(config);
  try {
    for (const bucket of versioned) {
      await s3.send(
        new PutBucketVersioningCommand({
          Bucket: bucket.physicalId,
          VersioningConfiguration: { Status: 'Enabled' },
        }),
      );
    }
  } finally {
    s3.destroy();
  }
  return versioned.map((r) => `versioning of bucket ${r.logicalId} turned on with PutBucketVersioning`);
}

/**
 * moto hands every S3 event to every rule of the bus, scheduled rules included (they have no
 * pattern, so they match); a Lambda target raises NotImplementedError there, and moto swallows
 * the error for the whole event, so rules after it never see it and uploads silently go missing.
 * Scheduled rules cannot fire in moto anyway, so their targets are removed.
 */
async function detachScheduledTargets(
  endpoint: string,
  template: Record<string, TemplateResource>,
  deployed: DeployedStack,
): Promise<string[]> {
  const scheduled = deployed.resources.filter(
    (r) =>
      r.type === 'AWS::Events::Rule' && template[r.logicalId]?.Properties?.ScheduleExpression !== undefined,
  );
  for (const rule of scheduled) {
    const { Targets = [] } = await jsonCall<{ Targets?: { Id: string }[] }>(
      endpoint,
      'events',
      'AWSEvents.ListTargetsByRule',
      { Rule: rule.physicalId },
    );
    await jsonCall(endpoint, 'events', 'AWSEvents.RemoveTargets', {
      Rule: rule.physicalId,
      Ids: Targets.map((t) => t.Id),
    });
  }
  return scheduled.map((r) => `targets of the scheduled rule ${r.logicalId} removed (run the sweep by hand)`);
}

/**
 * With its mapping enabled, moto takes a batch off the queue on every SendMessage to invoke the
 * function in Docker; without Docker the batch stays invisible for the visibility timeout with
 * its receive count raised. The local runner consumes the queue instead.
 */
async function disableEventSourceMapping(endpoint: string, fn: DeployedFunction): Promise<string> {
  await restCall(endpoint, 'lambda', `/2015-03-31/event-source-mappings/${fn.mappingUuid}`, {
    method: 'PUT',
    body: { Enabled: false },
  });
  return 'the SQS event source mapping is disabled; the local runner (local/runner.ts) consumes the queue';
}

/** Applies the fallbacks and describes each one, for the startup banner. */
export async function applyMotoFallbacks(
  config: LocalAwsClientConfig,
  templateBody: string,
  deployed: DeployedStack,
  landingBucket: string,
  ingestFunction: DeployedFunction,
): Promise<string[]> {
  const template = (JSON.parse(templateBody) as { Resources: Record<string, TemplateResource> }).Resources;
  return [
    ...(await enableVersioning(config, template, deployed)),
    await enableEventBridge(config, landingBucket),
    ...(await detachScheduledTargets(config.endpoint, template, deployed)),
    await disableEventSourceMapping(config.endpoint, ingestFunction),
  ];
}

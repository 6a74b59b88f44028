import { App, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { BronzeIngestStack } from '../lib/bronze-ingest-stack.js';

const app = new App();

/** A context value (`-c key=value` or cdk.json) as a trimmed non-empty string, or undefined. */
function stringContext(key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  return text === '' ? undefined : text;
}

/** A context value as a positive integer, or undefined; anything else stops the synth. */
function integerContext(key: string): number | undefined {
  const text = stringContext(key);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`context ${key} must be a positive integer, got "${text}"`);
  return value;
}

const sweepSchedule = stringContext('sweepSchedule');

// Env-agnostic on purpose: synth needs no credentials, and `cdk deploy` takes the account and
// region from the caller's profile.
new BronzeIngestStack(app, stringContext('stackName') ?? 'BronzeIngest', {
  description: 'bronze-ingest: exactly-once CSV to bronze Parquet ingestion with a DynamoDB file ledger',
  datasetsDir: stringContext('datasetsDir'),
  alarmEmail: stringContext('alarmEmail'),
  sweepSchedule: sweepSchedule ? events.Schedule.expression(sweepSchedule) : undefined,
  ingestMaxConcurrency: integerContext('ingestMaxConcurrency'),
  ingestBatchSize: integerContext('ingestBatchSize'),
});

// cdk-nag 3 runs as a policy validation plugin: any unacknowledged finding fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));

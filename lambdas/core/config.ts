/** Environment variable names shared by the stack, the Lambdas, the local runner and the CLI. */
export const ENV = {
  ledgerTable: 'LEDGER_TABLE',
  landingBucket: 'LANDING_BUCKET',
  bronzeBucket: 'BRONZE_BUCKET',
  quarantineBucket: 'QUARANTINE_BUCKET',
  ingestQueueUrl: 'INGEST_QUEUE_URL',
  datasetsDir: 'DATASETS_DIR',
  /** Optional: sweep per-run caps. */
  sweepMaxFiles: 'SWEEP_MAX_FILES',
  sweepMaxBytes: 'SWEEP_MAX_BYTES',
  /** The digests of the deployed contracts (lambdas/core/contract-digest.ts), for the CLI's drift check. */
  contractDigests: 'CONTRACT_DIGESTS',
  /** Optional: the EventBridge bus of outcome events (name or ARN); unset means the default bus. */
  outcomeEventBus: 'OUTCOME_EVENT_BUS',
} as const;

export interface RuntimeConfig {
  readonly ledgerTable: string;
  readonly landingBucket: string;
  readonly bronzeBucket: string;
  readonly quarantineBucket: string;
  readonly ingestQueueUrl?: string;
  readonly datasetsDir: string;
}

/** Reads and checks the runtime configuration once, naming every missing variable. */
export function readRuntimeConfig(env: NodeJS.ProcessEnv, defaults: { datasetsDir: string }): RuntimeConfig {
  const required = [ENV.ledgerTable, ENV.landingBucket, ENV.bronzeBucket, ENV.quarantineBucket] as const;
  const missing = required.filter((name) => !env[name]);
  if (missing.length) throw new Error(`missing environment variables: ${missing.join(', ')}`);
  return {
    ledgerTable: env[ENV.ledgerTable]!,
    landingBucket: env[ENV.landingBucket]!,
    bronzeBucket: env[ENV.bronzeBucket]!,
    quarantineBucket: env[ENV.quarantineBucket]!,
    ingestQueueUrl: env[ENV.ingestQueueUrl] || undefined,
    datasetsDir: env[ENV.datasetsDir] || defaults.datasetsDir,
  };
}

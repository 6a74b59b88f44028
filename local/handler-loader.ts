/**
 * Loads the real ingest handler into this process with a given environment. The handler reads its
 * configuration once per process (as a Lambda environment does) and Powertools reads its settings
 * when the module loads, so the environment goes into process.env before the first import, and a
 * second, different stack in the same process is refused rather than silently misrouted.
 */
import type { IngestHandler } from './runner.js';

/** Variables that tell one stack from another. */
const IDENTITY_VARIABLES = [
  'AWS_ENDPOINT_URL',
  'LEDGER_TABLE',
  'LANDING_BUCKET',
  'BRONZE_BUCKET',
  'DATASETS_DIR',
];

let loadedFor: Readonly<Record<string, string>> | undefined;

/** Applies the environment to process.env and imports lambdas/ingest/index.ts. */
export async function loadIngestHandler(env: Readonly<Record<string, string>>): Promise<IngestHandler> {
  if (loadedFor) {
    const differs = IDENTITY_VARIABLES.filter((name) => loadedFor?.[name] !== env[name]);
    if (differs.length > 0) {
      throw new Error(
        `the ingest handler in this process is already configured for another stack (${differs.join(', ')} ` +
          'differ): run one local stack per process, or a runner as a child process (local/runner-main.ts)',
      );
    }
  }
  Object.assign(process.env, env);
  loadedFor = { ...env };
  const module = await import('../lambdas/ingest/index.js');
  return module.handler as IngestHandler;
}

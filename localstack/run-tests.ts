/**
 * `npm run test:localstack`: the pipeline integration scenarios against LocalStack, where the
 * stack's real Lambda consumes the queue instead of the local runner. Each test file deploys its
 * own stack (the same synthesized template and deploy code as on moto) into LocalStack.
 * Without a LocalStack answering, it says so and exits 0: the moto suite in `npm test` covers
 * the same scenarios.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENDPOINT = process.env.LOCALSTACK_ENDPOINT ?? 'http://localhost:4566';
/** The services the stack and the scenarios use; the free edition has no Glue, which is skipped. */
const REQUIRED = ['s3', 'sqs', 'events', 'dynamodb', 'lambda', 'cloudformation', 'iam', 'logs', 'sts'];
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Health {
  readonly version?: string;
  readonly services?: Record<string, string>;
}

async function health(): Promise<Health | string> {
  try {
    const response = await fetch(`${ENDPOINT}/_localstack/health`, { signal: AbortSignal.timeout(3_000) });
    if (!response.ok) return `${ENDPOINT}/_localstack/health answered HTTP ${response.status}`;
    return (await response.json()) as Health;
  } catch (error) {
    return `nothing answered at ${ENDPOINT}/_localstack/health (${(error as Error).message})`;
  }
}

function runSuite(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['vitest', 'run', '--project', 'integration', 'test/integration/pipeline'], {
      cwd: PROJECT_ROOT,
      stdio: 'inherit',
      env: { ...process.env, BRONZE_TARGET: 'localstack', LOCALSTACK_ENDPOINT: ENDPOINT },
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  const answer = await health();
  if (typeof answer === 'string') {
    console.log(`LocalStack tests skipped: ${answer}.`);
    console.log(
      'Start it with `docker compose -f localstack/docker-compose.yml up -d` (localstack/README.md).',
    );
    return 0;
  }
  const missing = REQUIRED.filter((s) => !['available', 'running'].includes(answer.services?.[s] ?? ''));
  if (missing.length > 0) {
    console.error(`LocalStack ${answer.version ?? ''} at ${ENDPOINT} lacks services: ${missing.join(', ')}`);
    console.error('Start it with localstack/docker-compose.yml, which enables every service the stack uses.');
    return 1;
  }
  console.log(`Running the pipeline scenarios against LocalStack ${answer.version ?? ''} at ${ENDPOINT}`);
  return runSuite();
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

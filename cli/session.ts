/**
 * One command's view of the world: its global options, contracts, target and AWS adapters, each
 * built on first use so that `validate` needs no AWS and `files` needs no bucket.
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { DynamoDbLedger } from '../lambdas/adapters/dynamodb-ledger.js';
import { S3ObjectStore } from '../lambdas/adapters/s3-object-store.js';
import { SqsIngestQueue } from '../lambdas/adapters/sqs-ingest-queue.js';
import { ENV } from '../lambdas/core/config.js';
import { type Contract, loadContracts } from '../lambdas/core/contract.js';
import { contractDigests } from '../lambdas/core/contract-digest.js';
import type { Ledger } from '../lambdas/core/ledger.js';
import { type Clock, type ObjectStore, systemClock } from '../lambdas/core/ports.js';
import { type AwsClients, type ClientFactory, defaultClients } from './aws.js';
import { type DriftCheck, driftCheck } from './contract-drift.js';
import { nameMissingResource } from './errors.js';
import type { Sink } from './output.js';
import { noProgress, type ProgressFactory, terminalProgress } from './progress.js';
import {
  type Connection,
  loadStackOutputs,
  requireSettings,
  resolveConnection,
  resolveTarget,
  type Setting,
  type Target,
  type TargetFlags,
} from './target.js';

/** Options every command accepts. */
export interface GlobalOptions extends TargetFlags {
  readonly json?: boolean;
  readonly datasets?: string;
}

/** What the CLI runs in: the process by default, fakes in tests. */
export interface CliRuntime {
  readonly env: NodeJS.ProcessEnv;
  readonly sink: Sink;
  /** Where progress bars draw; they only draw when the sink says stderr is a terminal. */
  readonly progressStream?: NodeJS.WritableStream;
  readonly clients?: ClientFactory;
  readonly clock?: Clock;
  /** Folder relative paths are resolved against. Default: the working directory. */
  readonly cwd?: string;
}

/** The operator named on audit records: `--by`, else BRONZE_OPERATOR, else the OS user. */
export function operatorName(by: string | undefined, env: NodeJS.ProcessEnv): string {
  if (by?.trim()) return by.trim();
  if (env.BRONZE_OPERATOR?.trim()) return env.BRONZE_OPERATOR.trim();
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

/** What the commands that compare the ledger with the landing bucket need (status, reset, sweep). */
export interface LandingDeps {
  readonly ledger: Ledger;
  readonly store: ObjectStore;
  readonly contracts: readonly Contract[];
  readonly landingBucket: string;
  readonly clock: Clock;
  readonly progress: ProgressFactory;
}

export class Session {
  readonly clock: Clock;
  readonly progress: ProgressFactory;
  readonly connection: Connection;
  private loadedContracts?: Contract[];
  private awsClients?: AwsClients;
  private resolvedTarget?: Target;

  constructor(
    private readonly runtime: CliRuntime,
    private readonly globals: GlobalOptions,
  ) {
    this.clock = runtime.clock ?? systemClock;
    this.connection = resolveConnection(globals, runtime.env);
    const bars = runtime.sink.errIsTTY && !globals.json && runtime.progressStream;
    this.progress = bars ? terminalProgress(runtime.progressStream!) : noProgress;
  }

  get json(): boolean {
    return this.globals.json ?? false;
  }

  get env(): NodeJS.ProcessEnv {
    return this.runtime.env;
  }

  /** Resolves a path the user gave against the working directory. */
  path(p: string): string {
    return resolve(this.runtime.cwd ?? process.cwd(), p);
  }

  /** The dataset contracts from `--datasets`, DATASETS_DIR or ./datasets, checked once. */
  contracts(): Contract[] {
    this.loadedContracts ??= loadContracts(
      this.path(this.globals.datasets || this.runtime.env[ENV.datasetsDir] || 'datasets'),
    );
    return this.loadedContracts;
  }

  /** The settings a command needs, from flags, the stack's outputs (read once) or the environment. */
  async target<S extends Setting>(needed: readonly S[]): Promise<Required<Pick<Target, S>>> {
    return requireSettings(await this.resolved(), needed);
  }

  /** A setting a command can do without (the landing bucket, to find a URI's dataset). */
  async optional(setting: Setting): Promise<string | undefined> {
    return (await this.resolved())[setting];
  }

  private async resolved(): Promise<Target> {
    if (!this.resolvedTarget) {
      const outputs = this.globals.stack
        ? await loadStackOutputs(this.globals.stack, this.clients().cloudFormation)
        : undefined;
      this.resolvedTarget = resolveTarget(this.globals, this.runtime.env, outputs);
    }
    return this.resolvedTarget;
  }

  clients(): AwsClients {
    this.awsClients ??= (this.runtime.clients ?? defaultClients)(this.connection);
    return this.awsClients;
  }

  ledger(table: string): Ledger {
    return new DynamoDbLedger({ tableName: table, client: this.clients().dynamodb, clock: this.clock });
  }

  store(): ObjectStore {
    return new S3ObjectStore({ client: this.clients().s3 });
  }

  /** What the commands that read both the ledger and the landing prefixes share (status, reset, sweep). */
  async landingDeps(): Promise<LandingDeps> {
    const t = await this.target(['table', 'landingBucket']);
    return {
      ledger: this.ledger(t.table),
      store: this.store(),
      contracts: this.contracts(),
      landingBucket: t.landingBucket,
      clock: this.clock,
      progress: this.progress,
    };
  }

  /** Compares the contracts of the datasets a command touches with the deployed ones. */
  async driftCheck(ignore: boolean | undefined): Promise<DriftCheck> {
    const deployed = (await this.resolved()).contractDigests;
    return driftCheck({
      deployed,
      local: contractDigests(this.contracts()),
      ignore: ignore ?? false,
      warn: (m) => this.runtime.sink.err(m),
    });
  }

  queue(queueUrl: string): SqsIngestQueue {
    return new SqsIngestQueue({ queueUrl, client: this.clients().sqs });
  }

  operator(by: string | undefined): string {
    return operatorName(by, this.runtime.env);
  }

  /** The error with the table or queue this command was pointed at named, when AWS says it is missing. */
  nameMissing(error: unknown): unknown {
    return nameMissingResource(error, this.resolvedTarget ?? {});
  }

  /** Releases the clients' sockets so the process can exit at once. */
  close(): void {
    if (!this.awsClients || this.runtime.clients) return;
    for (const client of Object.values(this.awsClients)) client.destroy();
  }
}

/**
 * The `bronze` program: global options, one registration per command, and the mapping of
 * outcomes to exit codes. Each command's work lives in cli/commands/; this file only declares
 * the command line and hands the command what it needs.
 */
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import type { FileStatus } from '../lambdas/core/ledger.js';
import manifest from '../package.json' with { type: 'json' };
import { contractDiff, contractInfer, DEFAULT_SAMPLE_ROWS } from './commands/contract.js';
import { files } from './commands/files.js';
import { localUp } from './commands/local.js';
import { pause, resume } from './commands/pause.js';
import { reconcileCommand } from './commands/reconcile.js';
import { REPROCESS_STATUSES, reprocess } from './commands/reprocess.js';
import { confirmReset, reset } from './commands/reset.js';
import { rewind } from './commands/rewind.js';
import { runs } from './commands/runs.js';
import { show } from './commands/show.js';
import { status } from './commands/status.js';
import { sweepCommand } from './commands/sweep.js';
import { validate } from './commands/validate.js';
import { validateS3 } from './commands/validate-s3.js';
import { DRY_RUN_QUEUE } from './dry-run.js';
import { EXIT_CODES_HELP, ExitCode, exitCodeFor, isInfrastructureError, UsageError } from './errors.js';
import { escapeControl, printReport, type Report } from './output.js';
import { collect, fileStatus, pointInTime, positiveInt } from './parse.js';
import { type CliRuntime, type GlobalOptions, Session } from './session.js';

const SETTINGS_HELP = [
  'Target (each setting: flag, else the --stack output, else the environment variable):',
  '  ledger table       --table             LedgerTableName        LEDGER_TABLE',
  '  landing bucket     --landing-bucket    LandingBucketName      LANDING_BUCKET',
  '  bronze bucket      --bronze-bucket     BronzeBucketName       BRONZE_BUCKET',
  '  quarantine bucket  --quarantine-bucket QuarantineBucketName   QUARANTINE_BUCKET',
  '  ingest queue       --queue-url         IngestQueueUrl         INGEST_QUEUE_URL',
  '  Local stack (moto, LocalStack): --endpoint-url URL or AWS_ENDPOINT_URL; S3 is then addressed by path.',
].join('\n');

const EXAMPLES = [
  'Examples:',
  '  bronze --stack BronzeIngest status',
  '  bronze files orders --status rejected --since 7d',
  '  bronze show s3://my-landing/orders/2024-03-01.csv',
  '  bronze sweep --dry-run --dataset orders',
  '  bronze rewind --dataset orders --since 2024-03-01T00:00:00Z --yes --reason "bad converter"',
  '  bronze reprocess --dataset orders --status failed --reason "bucket policy fixed"',
  '  bronze pause --dataset orders --reason "vendor is resending March"',
  '  bronze validate samples/orders/2024-03-03-ragged.csv --dataset orders',
  '  bronze validate s3://my-landing/orders/2024-03-03.csv',
].join('\n');

const DRIFT_FLAG = '--ignore-contract-drift';
const DRIFT_HELP =
  "go on even when a dataset's local contract differs from the deployed one (see the stack's ContractDigests)";

const DATASET_OPTION = ['--dataset <name>', 'the dataset (or name it as the first argument)'] as const;

/** The dataset named as the first argument or with --dataset (both accepted, and they must agree). */
function datasetOf(c: Command, required: true): string;
function datasetOf(c: Command, required?: false): string | undefined;
function datasetOf(c: Command, required = false): string | undefined {
  const positional = c.args[0];
  const flag = c.opts<{ dataset?: string }>().dataset;
  if (positional && flag && positional !== flag)
    throw new UsageError(`the dataset is named twice, as ${positional} and --dataset ${flag}: name it once`);
  const dataset = flag ?? positional;
  if (required && !dataset) throw new UsageError('name the dataset: bronze <command> --dataset NAME');
  return dataset;
}

/** `reprocess orders --status failed` names the dataset where the files' URIs would go. */
function urisAndDataset(
  args: readonly string[],
  flag: string | undefined,
): { uris: string[]; dataset?: string } {
  const uris = args.filter((a) => a.startsWith('s3://'));
  const names = args.filter((a) => !a.startsWith('s3://'));
  if (!names.length) return { uris, ...(flag ? { dataset: flag } : {}) };
  if (names.length > 1 || flag || uris.length)
    throw new UsageError(`not s3:// URIs: ${names.join(', ')} (name the dataset once, with --dataset)`);
  return { uris, dataset: names[0]! };
}

type Handler = (session: Session, command: Command) => Promise<Report<unknown>>;

/** `bronze pause` and `bronze resume`: hold a dataset's files in the ledger, then let them go. */
function registerPauseCommands(program: Command, act: (handler: Handler) => ReturnType<typeof action>) {
  program
    .command('pause')
    .description('pause a dataset: its files are recorded as paused, not ingested, and the sweep skips it')
    .argument('[dataset]')
    .option(...DATASET_OPTION)
    .option('--reason <text>', 'why: required, recorded in the audit trail and shown by status')
    .option('--by <name>', 'who: default BRONZE_OPERATOR or the OS user')
    .action(
      act(async (s, c) => {
        const o = c.opts<{ reason?: string; by?: string }>();
        const dataset = datasetOf(c, true);
        const t = await s.target(['table']);
        return pause(
          { ledger: s.ledger(t.table), contracts: s.contracts(), clock: s.clock },
          { dataset, ...(o.reason ? { reason: o.reason } : {}), by: s.operator(o.by) },
        );
      }),
    );
  program
    .command('resume')
    .description("lift a dataset's pause and enqueue its paused files in the sweep's order")
    .argument('[dataset]')
    .option(...DATASET_OPTION)
    .option('--reason <text>', 'why, for the audit trail')
    .option('--by <name>', 'who: default BRONZE_OPERATOR or the OS user')
    .action(
      act(async (s, c) => {
        const o = c.opts<{ reason?: string; by?: string }>();
        const dataset = datasetOf(c, true);
        const t = await s.target(['table', 'queueUrl']);
        return resume(
          { ledger: s.ledger(t.table), queue: s.queue(t.queueUrl), contracts: s.contracts(), clock: s.clock },
          { dataset, ...(o.reason ? { reason: o.reason } : {}), by: s.operator(o.by) },
        );
      }),
    );
}

interface RunState {
  exitCode: ExitCode;
  /** `--json` was given: argument errors are printed as JSON too. */
  json?: boolean;
}

/** Wraps a command's work: a session for its options, printing, the exit code, cleanup. */
function action(runtime: CliRuntime, state: RunState, handler: Handler) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const session = new Session(runtime, command.optsWithGlobals<GlobalOptions>());
    try {
      const report = await handler(session, command);
      printReport(runtime.sink, report, session.json);
      state.exitCode = report.exitCode;
    } catch (error) {
      throw session.nameMissing(error);
    } finally {
      session.close();
    }
  };
}

/** Builds the program; `state` receives the exit code of the command that ran. */
export function createProgram(runtime: CliRuntime, state: RunState): Command {
  const program = new Command('bronze')
    .description(
      'Operate bronze-ingest: inspect and steer the file ledger, sweep, reprocess, reconcile, validate.',
    )
    .version(manifest.version, '-V, --version')
    .option('--json', 'print JSON for scripts instead of tables')
    .option('--stack <name>', "read table, buckets and queue from this CloudFormation stack's outputs")
    .option('--table <name>', 'ledger table')
    .option('--landing-bucket <name>', 'landing bucket')
    .option('--bronze-bucket <name>', 'bronze bucket')
    .option('--quarantine-bucket <name>', 'quarantine bucket')
    .option('--queue-url <url>', 'ingest queue URL')
    .option('--endpoint-url <url>', 'AWS endpoint (moto, LocalStack); default AWS_ENDPOINT_URL')
    .option('--region <region>', 'AWS region; default AWS_REGION')
    .option('--profile <name>', 'AWS named profile; default AWS_PROFILE')
    .option('--datasets <dir>', 'folder of dataset contracts; default DATASETS_DIR or ./datasets')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .configureOutput({
      writeOut: (s) => runtime.sink.out(s),
      // With --json the parser's own error text is replaced by the JSON error runCli prints.
      writeErr: (s) => (state.json ? undefined : runtime.sink.err(s)),
    })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\n${SETTINGS_HELP}\n\n${EXIT_CODES_HELP}\n\n${EXAMPLES}`);
  const act = (handler: Handler) => action(runtime, state, handler);
  const since = (value: string) => pointInTime(value, (runtime.clock ?? { now: () => new Date() }).now());

  program
    .command('status')
    .description(
      'per dataset: files by status, last success, backlog (landed, not completed), oldest pending file',
    )
    .argument('[dataset]', 'one dataset; all by default')
    .option(...DATASET_OPTION)
    .addHelpText(
      'after',
      '\nThe backlog comes from a dry-run sweep: it lists the landing prefixes and changes nothing.',
    )
    .action(
      act(async (s, c) => {
        return status(await s.landingDeps(), { dataset: datasetOf(c) });
      }),
    );

  program
    .command('files')
    .description("list a dataset's files, page by page, through the ledger's status index (never a scan)")
    .argument('[dataset]')
    .option(...DATASET_OPTION)
    .option('--status <status>', 'processing, completed, rejected or failed', fileStatus)
    .option('--since <time>', 'updated at or after: ISO time or an age (30m, 12h, 7d)', since)
    .option('--limit <n>', 'items per page (default 50)', positiveInt)
    .option('--cursor <cursor>', 'the cursor printed by the previous page')
    .action(
      act(async (s, c) => {
        const { dataset: _d, ...o } = c.opts<{
          dataset?: string;
          status?: FileStatus;
          since?: Date;
          limit?: number;
          cursor?: string;
        }>();
        const dataset = datasetOf(c, true);
        const t = await s.target(['table']);
        return files({ ledger: s.ledger(t.table), contracts: s.contracts() }, { dataset, ...o });
      }),
    );

  program
    .command('show')
    .description("one file's whole ledger item, its history and its error")
    .argument('<s3-uri>', 's3://bucket/key of the source file')
    .option('--dataset <name>', 'the dataset, when the contracts cannot tell from the URI')
    .action(
      act(async (s, c) => {
        const o = c.opts<{ dataset?: string }>();
        const t = await s.target(['table']);
        const landingBucket = await s.optional('landingBucket');
        return show(
          {
            ledger: s.ledger(t.table),
            contracts: s.contracts(),
            ...(landingBucket ? { landingBucket } : {}),
          },
          { uri: c.args[0]!, ...o },
        );
      }),
    );

  program
    .command('reprocess')
    .description('re-ingest files, recording who and why on each item; bronze is replaced, never duplicated')
    .argument('[s3-uri...]', 'source files; or select with --dataset (or the dataset name) and --status')
    .option('--dataset <name>', 'dataset to select from (or of the URIs)')
    .addOption(
      new Option('--status <status>', "select the dataset's files in this status").choices(
        REPROCESS_STATUSES,
      ),
    )
    .requiredOption('--reason <text>', 'why: recorded on each item and in the audit trail')
    .option('--by <name>', 'who: default BRONZE_OPERATOR or the OS user')
    .option(DRIFT_FLAG, DRIFT_HELP)
    .action(
      act(async (s, c) => {
        const o = c.opts<{
          dataset?: string;
          status?: FileStatus;
          reason: string;
          by?: string;
          ignoreContractDrift?: boolean;
        }>();
        const t = await s.target(['table', 'queueUrl']);
        const landingBucket = await s.optional('landingBucket');
        return reprocess(
          {
            ledger: s.ledger(t.table),
            queue: s.queue(t.queueUrl),
            contracts: s.contracts(),
            ...(landingBucket ? { landingBucket } : {}),
            clock: s.clock,
            progress: s.progress,
            checkDrift: await s.driftCheck(o.ignoreContractDrift),
          },
          { ...o, ...urisAndDataset(c.args, o.dataset), by: s.operator(o.by) },
        );
      }),
    );

  program
    .command('rewind')
    .description(
      're-ingest every file completed since a time or by one run (a dry run unless --yes); bronze is replaced in place',
    )
    .argument('[dataset]')
    .option(...DATASET_OPTION)
    .option('--since <time>', 'completed at or after: ISO time or an age (30m, 12h, 7d)', since)
    .option('--run <run-id>', 'completed by this ingest run (the run_id bronze show prints)')
    .option('--yes', 'really re-ingest; without it the files are only listed')
    .option('--reason <text>', 'why: recorded on each item and in the audit trail (required with --yes)')
    .option('--by <name>', 'who: default BRONZE_OPERATOR or the OS user')
    .option(DRIFT_FLAG, DRIFT_HELP)
    .action(
      act(async (s, c) => {
        const o = c.opts<{
          since?: Date;
          run?: string;
          yes?: boolean;
          reason?: string;
          by?: string;
          ignoreContractDrift?: boolean;
        }>();
        const dataset = datasetOf(c, true);
        const t = await s.target(o.yes ? ['table', 'queueUrl'] : ['table']);
        const landingBucket = await s.optional('landingBucket');
        return rewind(
          {
            ledger: s.ledger(t.table),
            queue: 'queueUrl' in t ? s.queue(t.queueUrl) : DRY_RUN_QUEUE,
            contracts: s.contracts(),
            ...(landingBucket ? { landingBucket } : {}),
            clock: s.clock,
            progress: s.progress,
            checkDrift: await s.driftCheck(o.ignoreContractDrift),
          },
          {
            dataset,
            ...(o.since ? { since: o.since } : {}),
            ...(o.run !== undefined ? { run: o.run } : {}),
            ...(o.reason ? { reason: o.reason } : {}),
            by: s.operator(o.by),
            yes: o.yes ?? false,
          },
        );
      }),
    );

  program
    .command('reset')
    .description(
      'delete ledger items so the next sweep ingests the files again (bronze is replaced in place)',
    )
    .argument('[dataset]')
    .option(...DATASET_OPTION)
    .option('--file <s3-uri>', 'only this file')
    .option('--yes', 'really delete; without it nothing happens')
    .option('--reason <text>', 'why, for the audit trail')
    .option('--by <name>', 'who: default BRONZE_OPERATOR or the OS user')
    .action(
      act(async (s, c) => {
        const { dataset: _d, ...o } = c.opts<{
          dataset?: string;
          file?: string;
          yes?: boolean;
          reason?: string;
          by?: string;
        }>();
        const dataset = datasetOf(c, true);
        // Refused before any AWS call, so the refusal never depends on the network.
        confirmReset(s.contracts(), { dataset, ...o, yes: o.yes ?? false });
        return reset(await s.landingDeps(), { dataset, ...o, yes: true, by: s.operator(o.by) });
      }),
    );

  program
    .command('sweep')
    .description('enqueue landed files the ledger has not finished: backfill, then new, then forward')
    .argument('[dataset...]', 'only these datasets; all by default')
    .option('--dataset <name>', 'only this dataset (repeatable); all by default', collect)
    .option('--dry-run', 'print the plan, change nothing')
    .option('--force', 're-ingest finished files too (safe: bronze keys are deterministic)')
    .option(
      '--max-files <n>',
      'enqueue at most this many files; the rest waits for the next sweep',
      positiveInt,
    )
    .option('--max-bytes <n>', 'enqueue at most this many bytes of files', positiveInt)
    .option('--reason <text>', 'why, for the audit trail')
    .option('--by <name>', 'who: default BRONZE_OPERATOR or the OS user')
    .option(DRIFT_FLAG, DRIFT_HELP)
    .action(
      act(async (s, c) => {
        const o = c.opts<{
          dataset?: string[];
          dryRun?: boolean;
          force?: boolean;
          maxFiles?: number;
          maxBytes?: number;
          reason?: string;
          by?: string;
          ignoreContractDrift?: boolean;
        }>();
        const named = [...new Set([...c.args, ...(o.dataset ?? [])])];
        if (named.length) o.dataset = named;
        // A dry run changes nothing, so drift is only a warning there.
        (await s.driftCheck(o.dryRun || o.ignoreContractDrift))(
          o.dataset ?? s.contracts().map((k) => k.ingestion_key),
        );
        // Every missing setting is named in one error, the queue too unless it is a dry run.
        const t = await s.target(
          o.dryRun ? ['table', 'landingBucket'] : ['table', 'landingBucket', 'queueUrl'],
        );
        const queue = o.dryRun || !('queueUrl' in t) ? DRY_RUN_QUEUE : s.queue(t.queueUrl);
        // A forced sweep clears bronze a lost ledger no longer names (see SweepDeps.bronzeBucket).
        const bronzeBucket =
          o.force && !o.dryRun ? (await s.target(['bronzeBucket'])).bronzeBucket : undefined;
        return sweepCommand(
          { ...(await s.landingDeps()), queue, ...(bronzeBucket ? { bronzeBucket } : {}) },
          {
            ...(o.dataset ? { datasets: o.dataset } : {}),
            dryRun: o.dryRun ?? false,
            force: o.force ?? false,
            ...(o.maxFiles !== undefined ? { maxFiles: o.maxFiles } : {}),
            ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
            ...(o.reason ? { reason: o.reason } : {}),
            by: s.operator(o.by),
          },
        );
      }),
    );

  program
    .command('reconcile')
    .description(
      'rebuild missing ledger items from bronze footers and quarantine reports; report orphans both ways',
    )
    .argument('[dataset]')
    .option(...DATASET_OPTION)
    .option('--dry-run', 'report what would be restored, write nothing')
    .option('--reason <text>', 'why, for the audit trail')
    .option('--by <name>', 'who: default BRONZE_OPERATOR or the OS user')
    .action(
      act(async (s, c) => {
        const o = c.opts<{ dryRun?: boolean; reason?: string; by?: string }>();
        const dataset = datasetOf(c, true);
        const t = await s.target(['table', 'bronzeBucket', 'quarantineBucket']);
        return reconcileCommand(
          {
            store: s.store(),
            ledger: s.ledger(t.table),
            clock: s.clock,
            buckets: { bronze: t.bronzeBucket, quarantine: t.quarantineBucket },
            contracts: s.contracts(),
            progress: s.progress,
          },
          {
            dataset,
            dryRun: o.dryRun ?? false,
            by: s.operator(o.by),
            ...(o.reason ? { reason: o.reason } : {}),
          },
        );
      }),
    );

  program
    .command('validate')
    .description(
      'check a local file or an S3 object against its contract (header and rows) and say what would be rejected; ingests nothing',
    )
    .argument('<file>', 'a local path (no AWS needed) or s3://bucket/key (streamed, never ingested)')
    .option('--dataset <name>', 'the contract to check against; for s3:// found from the key when omitted')
    .option('--max-problems <n>', 'bad rows to list (all are counted; default 50)', positiveInt)
    .action(
      act(async (s, c) => {
        const o = c.opts<{ dataset?: string; maxProblems?: number }>();
        const file = c.args[0]!;
        if (file.startsWith('s3://')) {
          const landingBucket = await s.optional('landingBucket');
          const deps = {
            contracts: s.contracts(),
            store: s.store(),
            ...(landingBucket ? { landingBucket } : {}),
          };
          return validateS3(deps, { uri: file, ...o });
        }
        if (!o.dataset) throw new UsageError('name the contract of a local file: --dataset NAME');
        return validate(
          { contracts: s.contracts() },
          { file: s.path(file), name: file, ...o, dataset: o.dataset },
        );
      }),
    );

  registerContractCommands(program, act);
  registerPauseCommands(program, act);

  program
    .command('runs')
    .description('the audit trail: sweeps, reprocesses, resets and reconciles (when, who, why, what changed)')
    .argument('[dataset]', 'one dataset; all by default')
    .option(...DATASET_OPTION)
    .option('--limit <n>', 'newest records to show (default 20)', positiveInt)
    .action(
      act(async (s, c) => {
        const o = c.opts<{ limit?: number }>();
        const t = await s.target(['table']);
        const dataset = datasetOf(c);
        return runs(
          { ledger: s.ledger(t.table), contracts: s.contracts() },
          { dataset, ...(o.limit !== undefined ? { limit: o.limit } : {}) },
        );
      }),
    );

  program
    .command('local')
    .description('the local stack on moto')
    .command('up')
    .description(
      'start moto, deploy the stack and run the ingest runner until Ctrl-C; prints the environment',
    )
    .option('--concurrency <n>', 'runner invocations at once (default 2)', positiveInt)
    .option('--datasets-dir <dir>', 'folder of dataset contracts to deploy (same as --datasets)')
    .option('--samples', 'land the files of samples/ once the stack is up')
    .addOption(
      new Option('--log-level <level>', 'handler log level (default INFO)').choices([
        'DEBUG',
        'INFO',
        'WARN',
        'ERROR',
        'SILENT',
      ]),
    )
    .action(async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const o = command.optsWithGlobals<
        GlobalOptions & { concurrency?: number; logLevel?: string; datasetsDir?: string; samples?: boolean }
      >();
      const datasets = o.datasetsDir ?? o.datasets;
      await localUp({
        ...(datasets ? { datasetsDir: resolve(runtime.cwd ?? process.cwd(), datasets) } : {}),
        ...(o.samples ? { samples: true } : {}),
        ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
        ...(o.logLevel ? { logLevel: o.logLevel } : {}),
      });
    });

  return program;
}

/** `bronze contract infer` and `bronze contract diff`: proposals and comparisons, no ledger. */
function registerContractCommands(
  program: Command,
  act: (handler: Handler) => ReturnType<typeof action>,
): void {
  const contract = program
    .command('contract')
    .description('propose a contract from a file, or compare a file with one');
  contract
    .command('infer')
    .description('print a contract proposal from a sample file (local path or s3://, gzip too)')
    .argument('<file>')
    .option('--name <dataset>', 'ingestion_key of the proposal (default: from the file name)')
    .option('--max-rows <n>', `data rows to sample (default ${DEFAULT_SAMPLE_ROWS})`, positiveInt)
    .action(
      act(async (s, c) => {
        const o = c.opts<{ name?: string; maxRows?: number }>();
        const file = c.args[0]!;
        return contractInfer(
          { store: () => s.store() },
          { file: file.startsWith('s3://') ? file : s.path(file), ...o },
        );
      }),
    );
  contract
    .command('diff')
    .description(
      'what a file would do under the current contract: columns, renames, failing or rescued values',
    )
    .argument('<dataset>')
    .argument('<file>')
    .option('--max-problems <n>', 'values to list (all are counted; default 50)', positiveInt)
    .action(
      act(async (s, c) => {
        const o = c.opts<{ maxProblems?: number }>();
        const file = c.args[1]!;
        return contractDiff(
          { store: () => s.store(), contracts: s.contracts() },
          { dataset: c.args[0]!, file: file.startsWith('s3://') ? file : s.path(file), ...o },
        );
      }),
    );
}

/** Runs the CLI on user arguments (without `node` and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], runtime: CliRuntime): Promise<ExitCode> {
  const state: RunState = { exitCode: ExitCode.Ok, json: argv.includes('--json') };
  try {
    await createProgram(runtime, state).parseAsync([...argv], { from: 'user' });
    return state.exitCode;
  } catch (error) {
    const code = exitCodeFor(error);
    // Commander has printed its own message (or the help) already, unless --json silenced it.
    if (error instanceof CommanderError && (code === ExitCode.Ok || !state.json)) return code;
    const message = (error instanceof Error ? error.message : String(error)).replace(/^error: /, '');
    if (state.json) {
      const name =
        error instanceof CommanderError ? 'UsageError' : error instanceof Error ? error.name : 'Error';
      runtime.sink.err(`${JSON.stringify({ error: { name, message, exitCode: code } })}\n`);
    } else {
      const hint = isInfrastructureError(error)
        ? '\n(an AWS call failed: check credentials, --region and --endpoint-url)'
        : '';
      runtime.sink.err(`bronze: ${escapeControl(message, true)}${hint}\n`);
      if (runtime.env.BRONZE_DEBUG && error instanceof Error && error.stack)
        runtime.sink.err(`${error.stack}\n`);
    }
    return code;
  }
}

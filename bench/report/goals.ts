/**
 * The goals of issue 6 (and issue 3's memory question) and issue 15, judged on this run's numbers.
 * Issue 6's lines judge the text contract and show the typed one beside it; issue 15 sets goals
 * for both.
 */
import type { ContractName } from '../args.js';
import type { CaseResult } from '../convert.js';
import { type BenchResults, ratios } from './model.js';
import { fixed, percent, type Table } from './table.js';

export const RSS_LIMIT_MIB = 256;
export const RATIO_GOAL = 0.5;
export const RATIO_AIM = 0.8;
export const BUNDLE_LIMIT_BYTES = 2_000_000;
/** Issue 15: CPU and memory allocated per 5 KB file on the in-process path. */
export const SMALL_CPU_MS_GOAL = 1.0;
export const SMALL_ALLOCATED_GOAL_BYTES = 1024 * 1024;

export interface Goal {
  readonly goal: string;
  readonly measured: string;
  /** undefined: not measured in this run. */
  readonly pass: boolean | undefined;
  /**
   * goal: what an issue requires; context: the typed contract beside issue 6's text-contract
   * goals, and issue 15's targets for the engine on Lambda's Node.
   */
  readonly kind: 'goal' | 'context';
}

/** The engine's row: on the bench's own Node, or with `onLambdaNode` on the Lambda runtime's. */
function engine(
  results: BenchResults,
  contract: ContractName,
  sizeMb: number,
  onLambdaNode = false,
): CaseResult | undefined {
  const id = `engine-${contract}${onLambdaNode ? '-lambda-node' : ''}`;
  return results.conversions.find((r) => r.case.id === id && r.file.sizeMb === sizeMb && !r.case.nodeFlags);
}

function ratioGoal(
  results: BenchResults,
  contract: ContractName,
  sizeMb: number,
  target: number,
  kind: Goal['kind'],
  note = '',
  onLambdaNode = false,
): Goal {
  const r = engine(results, contract, sizeMb, onLambdaNode);
  const q = r && ratios(results.conversions, r);
  return {
    goal: `${contract} contract, ${sizeMb} MB: throughput >= ${percent(target)} of DuckDB's${note}`,
    measured: q ? `${percent(q.wall)} by wall time (${percent(q.cpu)} by CPU time)` : 'not measured',
    pass: q ? q.wall >= target : undefined,
    kind,
  };
}

function rssGoal(
  results: BenchResults,
  contract: ContractName,
  sizeMb: number,
  kind: Goal['kind'],
  note: string,
): Goal {
  const r = engine(results, contract, sizeMb);
  return {
    goal: `${contract} contract, ${sizeMb} MB: peak RSS <= ${RSS_LIMIT_MIB} MiB${note}`,
    measured: r ? `${fixed(r.maxRssMiB, 0)} MiB (highest of ${r.runs.length} runs)` : 'not measured',
    pass: r ? r.maxRssMiB <= RSS_LIMIT_MIB : undefined,
    kind,
  };
}

/** Issue 15's throughput targets against single-thread DuckDB, by contract and file size. */
const ISSUE_15_RATIOS: readonly { contract: ContractName; sizeMb: number; target: number }[] = [
  { contract: 'text', sizeMb: 10, target: 0.5 },
  { contract: 'text', sizeMb: 100, target: 0.7 },
  { contract: 'text', sizeMb: 1000, target: RATIO_AIM },
  { contract: 'typed', sizeMb: 10, target: 0.5 },
  { contract: 'typed', sizeMb: 100, target: 0.7 },
  { contract: 'typed', sizeMb: 1000, target: 0.7 },
];

export function goals(results: BenchResults): Goal[] {
  const list: Goal[] = [];
  for (const contract of ['text', 'typed'] as const) {
    const kind = contract === 'text' ? 'goal' : 'context';
    for (const size of [100, 1000]) list.push(ratioGoal(results, contract, size, RATIO_GOAL, kind));
    list.push(
      rssGoal(results, contract, 1000, 'goal', contract === 'typed' ? ' (issue 15)' : ''),
      rssGoal(results, contract, 500, kind, ' (issue 3)'),
    );
  }
  for (const { contract, sizeMb, target } of ISSUE_15_RATIOS)
    list.push(ratioGoal(results, contract, sizeMb, target, 'goal', ' (issue 15)'));
  // The same targets on the runtime the functions are deployed on, beside the goals judged above.
  for (const { contract, sizeMb, target } of ISSUE_15_RATIOS) {
    const label = engine(results, contract, sizeMb, true)?.case.label.replace('bronze engine, ', '');
    if (label) list.push(ratioGoal(results, contract, sizeMb, target, 'context', `, on ${label}`, true));
  }
  list.push(largeBatchGoal(results), ...smallGoals(results), requestsGoal(results));
  const b = results.bundle;
  list.push({
    goal: 'ingest bundle <= 2 MB: index.mjs as built, and the deployed zip',
    measured: b
      ? `index.mjs ${(b.jsBytes / 1e6).toFixed(2)} MB, zip ${(b.zipBytes / 1e6).toFixed(2)} MB`
      : 'not measured',
    pass: b ? b.jsBytes <= BUNDLE_LIMIT_BYTES && b.zipBytes <= BUNDLE_LIMIT_BYTES : undefined,
    kind: 'goal',
  });
  // Lines of a contract or size this run did not measure say nothing; the goals stay, as NOT RUN.
  return list.filter((g) => g.pass !== undefined || g.kind === 'goal');
}

/**
 * Issue 15: requests per file against moto, at most 5 for a new file and 2 for a duplicate event
 * (measured on a process that has read the dataset's pause mark, as it does once per 30 s).
 */
function requestsGoal(results: BenchResults): Goal {
  const ledger = results.ledger;
  const total = (requests: Record<string, number>) => Object.values(requests).reduce((n, c) => n + c, 0);
  const first = ledger ? total(ledger.firstEvent.requests) : undefined;
  const duplicate = ledger ? total(ledger.duplicateEvent.requests) : undefined;
  return {
    goal: 'requests per file on moto: <= 5 for a new file, <= 2 for a duplicate event (issue 15)',
    measured: first === undefined || duplicate === undefined ? 'not measured' : `${first} / ${duplicate}`,
    pass: first === undefined || duplicate === undefined ? undefined : first <= 5 && duplicate <= 2,
    kind: 'goal',
  };
}

/** Issue 15: a batch of ten files ingested together stays within the memory goal. */
function largeBatchGoal(results: BenchResults): Goal {
  const batches = results.largeBatches ?? [];
  const highest = batches.length ? Math.max(...batches.map((b) => b.maxRssMiB)) : undefined;
  return {
    goal: `a batch of ten 10 MB or 100 MB files through the handler: peak RSS <= ${RSS_LIMIT_MIB} MiB (issue 15)`,
    measured:
      highest === undefined
        ? 'not measured'
        : batches.map((b) => `${b.sizeMb} MB files: ${fixed(b.maxRssMiB, 0)} MiB`).join(', '),
    pass: highest === undefined ? undefined : highest <= RSS_LIMIT_MIB,
    kind: 'goal',
  };
}

/** Issue 15's per-file goals for small files, judged on the engine's row of the small-file section. */
function smallGoals(results: BenchResults): Goal[] {
  const r = results.small?.find((s) => s.case.id === 'engine');
  const duckdb = results.small?.find((s) => s.case.id === 'duckdb-1');
  const beside = duckdb ? ` (DuckDB, 1 thread: ${fixed(duckdb.cpuMsPerFile, 2)} ms)` : '';
  const one = results.batches?.find((b) => b.files === 1);
  const ten = results.batches?.find((b) => b.files === 10);
  return [
    {
      goal: 'a batch of ten 5 KB files within 2x the wall time of one, AWS latency modelled (issue 15)',
      measured:
        one && ten
          ? `${fixed(ten.wallMs / one.wallMs, 2)}x (${fixed(ten.wallMs, 0)} against ${fixed(one.wallMs, 0)} ms)`
          : 'not measured',
      pass: one && ten ? ten.wallMs <= 2 * one.wallMs : undefined,
      kind: 'goal',
    },
    {
      goal: `5 KB files, in-process path: CPU <= ${fixed(SMALL_CPU_MS_GOAL, 1)} ms per file (issue 15)`,
      measured: r ? `${fixed(r.cpuMsPerFile, 2)} ms${beside}` : 'not measured',
      pass: r ? r.cpuMsPerFile <= SMALL_CPU_MS_GOAL : undefined,
      kind: 'goal',
    },
    {
      goal: '5 KB files, in-process path: <= 1 MiB allocated per file (issue 15)',
      measured: r ? `${fixed(r.allocatedPerFile / 1024, 0)} KiB` : 'not measured',
      pass: r ? r.allocatedPerFile <= SMALL_ALLOCATED_GOAL_BYTES : undefined,
      kind: 'goal',
    },
  ];
}

export function verdict(g: Goal): string {
  if (g.pass === undefined) return 'NOT RUN';
  return g.pass ? 'PASS' : 'FAIL';
}

export function goalsTable(list: readonly Goal[]): Table {
  return {
    headers: ['', 'kind', 'target', 'measured'],
    rows: list.map((g) => [verdict(g), g.kind, g.goal, g.measured]),
  };
}

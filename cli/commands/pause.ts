/**
 * `bronze pause <dataset> --reason TEXT` and `bronze resume <dataset>`: while a dataset is paused,
 * its landed files are recorded as `paused` (no attempt counted, nothing read) and the sweep skips
 * it; resuming lifts the pause and enqueues the paused files in the sweep's order.
 */
import { randomUUID } from 'node:crypto';
import type { Contract } from '../../lambdas/core/contract.js';
import { PAUSE_CACHE_MS } from '../../lambdas/core/engine.js';
import { FileStatus, type Ledger, type PauseMark } from '../../lambdas/core/ledger.js';
import type { Clock, IngestQueue, IngestRequest } from '../../lambdas/core/ports.js';
import { type PlannedFile, planPausedFiles } from '../../lambdas/core/sweep.js';
import { contractNamed } from '../datasets.js';
import { ExitCode, UsageError } from '../errors.js';
import { allLedgerFiles } from '../ledger-pages.js';
import type { Report } from '../output.js';

export interface PauseDeps {
  readonly ledger: Ledger;
  readonly contracts: readonly Contract[];
  readonly clock: Clock;
}

export interface ResumeDeps extends PauseDeps {
  readonly queue: IngestQueue;
}

export interface PauseData {
  readonly dataset: string;
  readonly pause: PauseMark;
  /** False when the dataset was paused already: the earlier mark is kept. */
  readonly changed: boolean;
}

export interface ResumeData {
  readonly runId: string;
  readonly dataset: string;
  /** The pause lifted, if the dataset was paused. */
  readonly lifted?: PauseMark;
  /** The paused files enqueued, in order. */
  readonly enqueued: PlannedFile[];
}

const runIdOf = (kind: string, now: Date) => `${kind}-${now.toISOString()}-${randomUUID().slice(0, 8)}`;

/** Pauses the dataset and records the run; a dataset already paused keeps its first mark. */
export async function pause(
  deps: PauseDeps,
  options: { dataset: string; reason?: string; by: string },
): Promise<Report<PauseData>> {
  const reason = options.reason?.trim();
  if (!reason) throw new UsageError('--reason must say why the dataset is paused (it is audited)');
  const dataset = contractNamed(deps.contracts as Contract[], options.dataset).ingestion_key;
  const existing = await deps.ledger.getPause(dataset);
  if (existing) {
    const data: PauseData = { dataset, pause: existing, changed: false };
    return { data, text: renderPause(data), exitCode: ExitCode.Ok };
  }
  const now = deps.clock.now();
  const mark: PauseMark = { by: options.by, reason, at: now.toISOString(), runId: runIdOf('pause', now) };
  await deps.ledger.setPause(dataset, mark);
  await deps.ledger.recordRun({
    ingestionKey: dataset,
    runId: mark.runId,
    kind: 'pause',
    startedAt: mark.at,
    by: mark.by,
    reason,
    summary: { paused: true },
  });
  const data: PauseData = { dataset, pause: mark, changed: true };
  return { data, text: renderPause(data), exitCode: ExitCode.Ok };
}

/**
 * Lifts the pause first (so the files sent are not paused again), then enqueues every paused file
 * in the sweep's order and records the run. Run again, it enqueues whatever is still paused.
 */
export async function resume(
  deps: ResumeDeps,
  options: { dataset: string; reason?: string; by: string },
): Promise<Report<ResumeData>> {
  const contract = contractNamed(deps.contracts as Contract[], options.dataset);
  const dataset = contract.ingestion_key;
  const now = deps.clock.now();
  const runId = runIdOf('resume', now);
  const lifted = await deps.ledger.getPause(dataset);
  if (lifted) await deps.ledger.clearPause(dataset);
  const items = await allLedgerFiles(deps.ledger, dataset, FileStatus.Paused);
  const plan = planPausedFiles(contract, items, await deps.ledger.getHighWaterMark(dataset));
  if (plan.length) {
    await deps.queue.send(
      plan.map((f): IngestRequest => ({ bucket: f.bucket, key: f.key, reason: 'resume' })),
    );
  }
  await deps.ledger.recordRun({
    ingestionKey: dataset,
    runId,
    kind: 'resume',
    startedAt: now.toISOString(),
    by: options.by,
    ...(options.reason ? { reason: options.reason } : {}),
    summary: {
      enqueued: plan.length,
      was_paused: lifted !== undefined,
      ...(lifted ? { paused_by: lifted.by, paused_at: lifted.at } : {}),
    },
  });
  const data: ResumeData = { runId, dataset, ...(lifted ? { lifted } : {}), enqueued: plan };
  return { data, text: renderResume(data), exitCode: ExitCode.Ok };
}

/** One line: paused now, or since when and by whom. */
export function renderPause(data: PauseData): string {
  const { pause: p } = data;
  if (!data.changed)
    return `${data.dataset} is already paused by ${p.by} since ${p.at} ("${p.reason}"); nothing changed`;
  return (
    `Paused ${data.dataset} (run ${p.runId}): "${p.reason}". Files landing from now on are recorded as ` +
    `paused within ${PAUSE_CACHE_MS / 1000} s and the sweep skips the dataset; ` +
    `\`bronze resume ${data.dataset}\` ingests them.`
  );
}

/** What was lifted and how many files went to the queue, by group. */
export function renderResume(data: ResumeData): string {
  const groups = ['backfill', 'new', 'forward']
    .map((g) => [g, data.enqueued.filter((f) => f.group === g).length] as const)
    .filter(([, n]) => n > 0)
    .map(([g, n]) => `${g} ${n}`);
  const head = data.lifted
    ? `Resumed ${data.dataset} (paused by ${data.lifted.by} since ${data.lifted.at}; run ${data.runId}).`
    : `${data.dataset} was not paused (run ${data.runId}).`;
  const files = data.enqueued.length
    ? `Enqueued ${data.enqueued.length} paused file(s) in the sweep's order (${groups.join(', ')}).`
    : 'No paused files to enqueue.';
  return `${head} ${files}`;
}

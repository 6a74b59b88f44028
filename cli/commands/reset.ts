/**
 * `bronze reset <dataset> [--file URI] --yes`: forgets files in the ledger so the next sweep
 * ingests them again. Bronze keys are deterministic, so re-ingesting replaces objects in place.
 */
import { randomUUID } from 'node:crypto';
import type { Contract } from '../../lambdas/core/contract.js';
import type { LedgerItem } from '../../lambdas/core/ledger.js';
import { SweepClass } from '../../lambdas/core/sweep.js';
import { forEachLimited } from '../concurrency.js';
import { contractNamed, type FileRef, fileRef } from '../datasets.js';
import { planSweep } from '../dry-run.js';
import { ExitCode, UsageError } from '../errors.js';
import { allLedgerFiles } from '../ledger-pages.js';
import type { Report } from '../output.js';
import type { LandingDeps } from '../session.js';

export type ResetDeps = LandingDeps;

/** Deletes in flight at once. */
const CONCURRENCY = 8;

export interface ResetOptions {
  readonly dataset: string;
  readonly file?: string;
  readonly yes: boolean;
  readonly by: string;
  readonly reason?: string;
}

export interface ResetData {
  readonly runId: string;
  readonly dataset: string;
  readonly file?: string;
  readonly deleted: number;
  readonly nextSweep: {
    /** Deleted files still landed: the next sweep finds them NEW and ingests them again. */
    readonly willIngest: number;
    /** Deleted files no longer landed: nothing re-ingests them; their bronze stays without an item. */
    readonly sourceGone: number;
    /** Other files of the dataset the next sweep enqueues anyway. */
    readonly otherPending: number;
  };
}

/** Checks the arguments and refuses without `yes`: a usage error, before anything is read or deleted. */
export function confirmReset(
  contracts: readonly Contract[],
  options: Pick<ResetOptions, 'dataset' | 'file' | 'yes'>,
): { dataset: string; target?: FileRef } {
  const dataset = contractNamed(contracts, options.dataset).ingestion_key;
  const target = options.file ? fileRef(contracts, options.file, { dataset }) : undefined;
  if (!options.yes) {
    const what = target ? `the ledger item of ${target.sourcePath}` : `every ledger item of ${dataset}`;
    throw new UsageError(`reset deletes ${what}; nothing is deleted without --yes`);
  }
  return { dataset, ...(target ? { target } : {}) };
}

/** Refuses without `yes`; otherwise deletes the items, records a run and forecasts the next sweep. */
export async function reset(deps: ResetDeps, options: ResetOptions): Promise<Report<ResetData>> {
  const { dataset, target } = confirmReset(deps.contracts, options);
  const now = deps.clock.now();
  const runId = `reset-${now.toISOString()}-${randomUUID().slice(0, 8)}`;
  let items: LedgerItem[];
  if (target) {
    const item = await deps.ledger.getFile({ ingestionKey: dataset, filePath: target.filePath });
    items = item ? [item] : [];
  } else {
    items = await allLedgerFiles(deps.ledger, dataset);
  }

  const progress = deps.progress('deleting ledger items');
  try {
    await forEachLimited(
      items,
      CONCURRENCY,
      (item) => deps.ledger.deleteFile({ ingestionKey: dataset, filePath: item.file_path }),
      (done) => progress.update(done, items.length),
    );
  } finally {
    progress.stop();
  }
  await deps.ledger.recordRun({
    ingestionKey: dataset,
    runId,
    kind: 'reset',
    startedAt: now.toISOString(),
    by: options.by,
    ...(options.reason ? { reason: options.reason } : {}),
    summary: { deleted: items.length, ...(target ? { file: target.sourcePath } : {}) },
  });

  const deleted = new Set(items.map((i) => i.file_path));
  let nextSweep: ResetData['nextSweep'];
  if (target) {
    // One file: a HEAD answers what listing the whole dataset would.
    const landed = deleted.size > 0 && (await deps.store.head(target.bucket, target.key)) !== undefined;
    nextSweep = { willIngest: landed ? 1 : 0, sourceGone: deleted.size - (landed ? 1 : 0), otherPending: 0 };
  } else {
    const plan = await planSweep(deps, [dataset], options.by);
    const willIngest = plan.plan.filter((p) => p.class === SweepClass.New && deleted.has(p.filePath)).length;
    nextSweep = {
      willIngest,
      sourceGone: deleted.size - willIngest,
      otherPending: plan.plan.length - willIngest,
    };
  }
  const data: ResetData = {
    runId,
    dataset,
    ...(target ? { file: target.sourcePath } : {}),
    deleted: items.length,
    nextSweep,
  };
  return { data, text: renderReset(data), exitCode: ExitCode.Ok };
}

/** What was deleted, and what the next sweep will do about it. */
export function renderReset(data: ResetData): string {
  const what = data.file
    ? `the ledger item of ${data.file}`
    : `${data.deleted} ledger item(s) of ${data.dataset}`;
  if (!data.deleted)
    return `nothing to reset: no ledger item${data.file ? ` for ${data.file}` : `s in ${data.dataset}`}`;
  const lines = [`Deleted ${what} (run ${data.runId}).`];
  const { willIngest, sourceGone, otherPending } = data.nextSweep;
  lines.push(
    `The next sweep will find ${willIngest} file(s) NEW and re-ingest them; ` +
      'bronze objects are replaced in place.',
  );
  if (sourceGone) {
    lines.push(
      `${sourceGone} deleted item(s) have no landed file any more: nothing re-ingests them, and their ` +
        `bronze objects now have no ledger item; \`bronze reconcile ${data.dataset}\` restores those items.`,
    );
  }
  if (otherPending)
    lines.push(`It will also enqueue ${otherPending} other file(s) of ${data.dataset} that were pending.`);
  lines.push(`Run \`bronze sweep --dataset ${data.dataset}\` to start now.`);
  return lines.join('\n');
}

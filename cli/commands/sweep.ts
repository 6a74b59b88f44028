/** `bronze sweep`: enqueues what the ledger has not finished, backfill before new before forward. */

import { type PauseMark, sourcePathFor } from '../../lambdas/core/ledger.js';
import {
  type PlannedFile,
  SweepClass,
  type SweepDeps,
  type SweepReport,
  sweep,
} from '../../lambdas/core/sweep.js';
import { contractNamed } from '../datasets.js';
import { ExitCode } from '../errors.js';
import { formatBytes, type Report, renderTable } from '../output.js';
import type { Progress, ProgressFactory } from '../progress.js';

export interface SweepCommandDeps extends SweepDeps {
  readonly progress: ProgressFactory;
}

export interface SweepCommandOptions {
  readonly datasets?: readonly string[];
  readonly dryRun?: boolean;
  readonly force?: boolean;
  readonly maxFiles?: number;
  readonly maxBytes?: number;
  readonly reason?: string;
  readonly by: string;
}

/** Plan lines printed before "... and N more"; `--json` has them all. */
export const PLAN_LINES = 50;

/** Runs the core sweep with a progress bar per dataset and renders its plan and summary. */
export async function sweepCommand(
  deps: SweepCommandDeps,
  options: SweepCommandOptions,
): Promise<Report<SweepReport>> {
  for (const d of options.datasets ?? []) contractNamed(deps.contracts, d);
  let bar: Progress | undefined;
  let current: string | undefined;
  let report: SweepReport;
  try {
    report = await sweep(deps, {
      by: options.by,
      ...(options.datasets?.length ? { datasets: options.datasets } : {}),
      ...(options.dryRun ? { dryRun: true } : {}),
      ...(options.force ? { force: true } : {}),
      ...(options.maxFiles !== undefined ? { maxFiles: options.maxFiles } : {}),
      ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
      ...(options.reason ? { reason: options.reason } : {}),
      onProgress: ({ dataset, listed }) => {
        if (dataset !== current) {
          bar?.stop();
          bar = deps.progress(`${dataset}: listing`);
          current = dataset;
        }
        bar?.update(listed);
      },
    });
  } finally {
    bar?.stop();
  }
  return { data: report, text: renderSweep(report), exitCode: ExitCode.Ok };
}

const CLASSES = Object.values(SweepClass);

/** Why a dataset was skipped: who paused it, when and why, and how to go on. */
function pausedNote(dataset: string, paused: PauseMark): string {
  return (
    `${dataset}: skipped, paused by ${paused.by} at ${paused.at} ("${paused.reason}"); ` +
    `\`bronze resume ${dataset}\` ingests its paused files`
  );
}

/** The plan (group, class, file) in enqueue order, then one summary line per dataset. */
export function renderSweep(report: SweepReport): string {
  const verb = report.dryRun ? 'would enqueue' : 'enqueued';
  const blocks: string[] = [];
  if (report.plan.length) {
    const shown = report.plan.slice(0, PLAN_LINES).map((p, i) => ({ ...p, n: i + 1 }));
    blocks.push(
      renderTable<PlannedFile & { n: number }>(shown, [
        { header: '#', value: (p) => p.n, right: true },
        { header: 'GROUP', value: (p) => p.group },
        { header: 'CLASS', value: (p) => p.class },
        { header: 'DATE', value: (p) => p.partitionDate },
        { header: 'SIZE', value: (p) => formatBytes(p.size), right: true },
        { header: 'FILE', value: (p) => sourcePathFor(p.bucket, p.key) },
      ]),
    );
    if (report.plan.length > shown.length)
      blocks.push(`... and ${report.plan.length - shown.length} more (--json lists all)`);
  }
  blocks.push(
    renderTable(report.datasets, [
      { header: 'DATASET', value: (d) => d.dataset },
      { header: 'LISTED', value: (d) => d.listed, right: true },
      { header: 'PAGES', value: (d) => d.listPages, right: true },
      { header: 'LOOKUPS', value: (d) => d.ledgerLookups, right: true },
      ...CLASSES.map((c) => ({
        header: c,
        value: (d: SweepReport['datasets'][number]) => d.byClass[c],
        right: true,
      })),
      { header: report.dryRun ? 'WOULD ENQUEUE' : 'ENQUEUED', value: (d) => d.enqueued, right: true },
      { header: 'DEFERRED', value: (d) => d.deferredByCap, right: true },
      { header: 'MARK BEFORE', value: (d) => d.highWaterMarkBefore },
      { header: report.dryRun ? 'MARK WOULD BE' : 'MARK AFTER', value: (d) => d.highWaterMarkAfter },
    ]),
  );
  const total = report.datasets.reduce((n, d) => n + d.enqueued, 0);
  const deferred = report.datasets.reduce((n, d) => n + d.deferredByCap, 0);
  const notes = [
    report.force ? ' (forced)' : '',
    deferred ? `; ${deferred} deferred by the caps to the next sweep` : '',
    report.dryRun ? '' : ` (run ${report.runId})`,
  ];
  blocks.push(
    `${report.dryRun ? 'dry run: nothing changed; ' : ''}${verb} ${total} file(s)${notes.join('')}`,
  );
  const paused = report.datasets.flatMap((d) => (d.paused ? [pausedNote(d.dataset, d.paused)] : []));
  if (paused.length) blocks.push(paused.join('\n'));
  return blocks.join('\n\n');
}

/** `bronze reconcile <dataset>`: rebuilds lost ledger items from bronze and quarantine; reports orphans. */
import type { Contract } from '../../lambdas/core/contract.js';
import { type ReconcileDeps, type ReconcileReport, reconcile } from '../../lambdas/core/reconcile.js';
import { contractNamed } from '../datasets.js';
import { ExitCode } from '../errors.js';
import { type Report, renderTable } from '../output.js';
import type { ProgressFactory } from '../progress.js';

export interface ReconcileCommandDeps extends ReconcileDeps {
  readonly contracts: readonly Contract[];
  readonly progress: ProgressFactory;
}

/** Restored items listed before "... and N more"; `--json` has them all. */
export const RESTORED_LINES = 50;

/**
 * Runs the core reconcile. Exit 2 when orphans or unreadable reports remain, or when a dry run
 * found items to restore: each needs a person or a real run.
 */
export async function reconcileCommand(
  deps: ReconcileCommandDeps,
  options: { dataset: string; dryRun?: boolean; by: string; reason?: string },
): Promise<Report<ReconcileReport>> {
  const dataset = contractNamed(deps.contracts, options.dataset).ingestion_key;
  const progress = deps.progress(`${dataset}: reading footers and reports`);
  let report: ReconcileReport;
  try {
    report = await reconcile(deps, {
      dataset,
      by: options.by,
      ...(options.dryRun ? { dryRun: true } : {}),
      ...(options.reason ? { reason: options.reason } : {}),
      onProgress: ({ done, total }) => progress.update(done, total),
    });
  } finally {
    progress.stop();
  }
  const attention =
    report.orphans.length > 0 ||
    report.unreadableReports.length > 0 ||
    (report.dryRun && (report.restored.length > 0 || report.duplicatesRemoved.length > 0));
  return {
    data: report,
    text: renderReconcile(report),
    exitCode: attention ? ExitCode.Attention : ExitCode.Ok,
  };
}

/** What was restored, then the orphans each way. */
export function renderReconcile(report: ReconcileReport): string {
  const blocks: string[] = [];
  const verb = report.dryRun ? 'would restore' : 'restored';
  if (report.restored.length) {
    const shown = report.restored.slice(0, RESTORED_LINES);
    blocks.push(
      renderTable(shown, [
        { header: 'FILE', value: (r) => r.filePath },
        { header: 'STATUS', value: (r) => r.status },
        { header: 'FROM', value: (r) => r.from },
      ]),
    );
    if (report.restored.length > shown.length)
      blocks.push(`... and ${report.restored.length - shown.length} more (--json lists all)`);
  }
  blocks.push(
    [
      `${report.dataset}: ${report.bronzeObjects} bronze object(s); ${report.footersRead} footer(s) and ` +
        `${report.reportsRead} error report(s) read (objects the ledger already points to are not read)`,
      `${verb} ${report.restored.length} item(s); ${report.alreadyInLedger} file(s) already in the ledger` +
        `${report.superseded ? `; ${report.superseded} older piece(s) of evidence superseded` : ''}` +
        `${report.raced ? `; ${report.raced} item(s) appeared meanwhile and were left alone` : ''}`,
    ].join('\n'),
  );
  if (report.duplicatesRemoved.length) {
    blocks.push(
      `${report.dryRun ? 'would remove' : 'removed'} ${report.duplicatesRemoved.length} second bronze object(s) of one source file:\n${renderTable(
        report.duplicatesRemoved,
        [
          { header: 'REMOVED', value: (d) => d.path },
          { header: 'KEPT', value: (d) => d.kept ?? '(none: the file has no bronze)' },
        ],
      )}`,
    );
  }
  if (report.orphans.length) {
    blocks.push(
      `orphans:\n${renderTable(report.orphans, [
        { header: 'KIND', value: (o) => o.kind },
        { header: 'PATH', value: (o) => o.path },
        { header: 'DETAIL', value: (o) => o.detail },
      ])}`,
    );
  } else {
    blocks.push(
      'no orphans: every bronze object has its ledger item and every completed item its bronze object',
    );
  }
  for (const r of report.unreadableReports) blocks.push(`unreadable error report ${r.path}: ${r.problem}`);
  if (report.dryRun) blocks.push('dry run: nothing was written');
  else blocks.push(`run ${report.runId}`);
  return blocks.join('\n\n');
}

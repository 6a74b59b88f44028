/** The run's results as text on stdout. */

import { runsFor, SHORT_FILE_MB } from '../args.js';
import { loadBenchContract } from '../contracts.js';
import { formatLoad } from '../machine.js';
import { bundleTable, ledgerTable, sweepTable } from './aws-tables.js';
import { conversionTable, largeBatchTable } from './conversion-tables.js';
import { costTables } from './cost.js';
import { type Goal, goalsTable } from './goals.js';
import type { BenchResults } from './model.js';
import { batchTable, smallTable } from './small-tables.js';
import { textTable } from './table.js';

export function consoleReport(r: BenchResults, goals: readonly Goal[]): string {
  const m = r.machine;
  const parts: string[] = [
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB, Node ${m.node}, ${m.duckdb}`,
    `Commit ${m.commit}${m.dirty ? ' + uncommitted changes' : ''}; ${m.date}; ` +
      `load average (1/5/15 min) at start ${formatLoad(m.loadAtStart)}, at end ${formatLoad(r.loadAtEnd)}`,
    `Each measurement: a child process pinned with taskset -c 0, median of ${r.options.runs} run(s) ` +
      `(${runsFor(SHORT_FILE_MB, r.options.runs)} on files up to ${SHORT_FILE_MB} MB); ` +
      'MB = 10^6 bytes; peak RSS is the highest of the runs.',
  ];
  if (r.conversions.length) {
    const textColumns = loadBenchContract('text').columns.length;
    const typedColumns = loadBenchContract('typed').columns.filter((c) => c.type !== 'string').length;
    parts.push(
      '',
      `CSV to Parquet, text contract (headline: ${textColumns} text columns; DuckDB all_varchar), ` +
        'with our parse stage alone and the raw-read ceiling',
    );
    parts.push(textTable(conversionTable(r, 'text', true)));
    if (r.conversions.some((c) => c.case.contract === 'typed')) {
      parts.push(
        '',
        `CSV to Parquet, typed contract (${typedColumns} typed columns; DuckDB given the same types)`,
      );
      parts.push(textTable(conversionTable(r, 'typed', false)));
    }
  }
  if (r.largeBatches?.length) {
    parts.push('', 'One SQS batch of ten large files through the ingest handler (text contract)');
    parts.push(textTable(largeBatchTable(r)));
  }
  if (r.small?.length) {
    parts.push('', 'Small files (5 KB, 40 rows), one after the other in one process, per file');
    parts.push(textTable(smallTable(r.small)));
  }
  if (r.batches?.length) {
    parts.push('', 'One SQS batch through the ingest handler, AWS latency modelled');
    parts.push(textTable(batchTable(r.batches)));
  }
  if (r.ledger) {
    parts.push('', `Requests per file against moto (${r.ledger.rows} rows, ${r.ledger.fileBytes} bytes)`);
    parts.push(textTable(ledgerTable(r.ledger)));
  }
  if (r.sweep) {
    parts.push(
      '',
      `Sweep of ${r.sweep.files} landed files against moto ` +
        `(upload took ${r.sweep.uploadSeconds.toFixed(0)} s; SQS answered in process)`,
    );
    parts.push(textTable(sweepTable(r.sweep)));
  }
  const cost = costTables(r);
  if (cost.smallFiles) parts.push('', 'Cost per million 5 KB files (USD)', textTable(cost.smallFiles));
  if (cost.terabyte)
    parts.push(
      '',
      `Cost per TB of CSV in ${cost.terabyte.sizeMb} MB files (USD)`,
      textTable(cost.terabyte.table),
    );
  if (r.bundle) parts.push('', 'Ingest Lambda bundle', textTable(bundleTable(r.bundle)));
  parts.push('', 'Goals', textTable(goalsTable(goals)), '', `Total time ${r.durationSeconds.toFixed(0)} s`);
  return parts.join('\n');
}

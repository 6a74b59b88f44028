/** The CSV to Parquet tables: one per contract, every size, our engine beside DuckDB and the ceiling. */
import type { ContractName } from '../args.js';
import type { CaseResult } from '../convert.js';
import { type BenchResults, MB, mbPerSecond, ratios } from './model.js';
import { compact, fixed, percent, type Table } from './table.js';

export const CONVERSION_HEADERS = [
  'size',
  'path',
  'MB/s',
  'rows/s',
  'vs DuckDB',
  'peak RSS MiB',
  'output MB',
  'CPU s',
  'CPU vs DuckDB',
  'GC % of wall',
];

function row(all: readonly CaseResult[], r: CaseResult, first: boolean): string[] {
  const ratio = ratios(all, r);
  return [
    first ? `${r.file.sizeMb} MB` : '',
    r.case.label,
    fixed(mbPerSecond(r), 1),
    compact(r.file.rows / (r.wallMs / 1000)),
    ratio ? percent(ratio.wall) : '',
    fixed(r.maxRssMiB, 0),
    r.outBytes ? fixed(r.outBytes / MB, 1) : '',
    fixed(r.cpuMs / 1000, 2),
    ratio ? percent(ratio.cpu) : '',
    r.gcMs === undefined ? '' : percent(r.gcMs / r.wallMs),
  ];
}

/** Rows of one contract, size by size; the contract-free diagnostics go with the headline contract. */
export function conversionTable(
  results: BenchResults,
  contract: ContractName,
  withDiagnostics: boolean,
): Table {
  const rows: string[][] = [];
  for (const file of results.files) {
    const own = results.conversions.filter(
      (r) =>
        r.file.sizeMb === file.sizeMb &&
        (r.case.contract === contract || (withDiagnostics && !r.case.contract)),
    );
    if (!own.some((r) => r.case.contract === contract)) continue;
    own.forEach((r, i) => {
      rows.push(row(results.conversions, r, i === 0));
    });
  }
  return {
    headers: CONVERSION_HEADERS,
    right: [false, false, true, true, true, true, true, true, true, true],
    rows,
  };
}

export function filesTable(results: BenchResults): Table {
  return {
    headers: ['size', 'bytes', 'data rows', 'line breaks', 'seed', 'generated'],
    right: [false, true, true, true, true, false],
    rows: results.files.map((f) => [
      `${f.sizeMb} MB`,
      f.bytes.toLocaleString('en-US'),
      f.rows.toLocaleString('en-US'),
      f.newlines.toLocaleString('en-US'),
      String(f.seed),
      f.reused ? 'reused' : 'this run',
    ]),
  };
}

/** One batch of ten large files through the handler, beside one such file converted alone. */
export function largeBatchTable(results: BenchResults): Table {
  return {
    headers: ['batch', 'wall s', 'MB/s', 'CPU s', 'peak RSS MiB', 'one file alone: peak RSS MiB'],
    right: [false, true, true, true, true, true],
    rows: (results.largeBatches ?? []).map((b) => {
      const alone = results.conversions.find(
        (r) => r.case.id === 'engine-text' && r.file.sizeMb === b.sizeMb && !r.case.nodeFlags,
      );
      return [
        `${b.files} files of ${b.sizeMb} MB`,
        fixed(b.wallMs / 1000, 1),
        fixed(b.bytes / MB / (b.wallMs / 1000), 1),
        fixed(b.cpuMs / 1000, 1),
        fixed(b.maxRssMiB, 0),
        alone ? fixed(alone.maxRssMiB, 0) : '',
      ];
    }),
  };
}

/**
 * `bronze validate <local-file> --dataset D`: what ingestion would make of a file, without AWS.
 * The file goes through the engine's own conversion (convertToBronze) with the Parquet output
 * discarded, so the checks are the ones the Lambda runs, not a copy of them.
 */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Contract } from '../../lambdas/core/contract.js';
import { convertToBronze, FileRejectedError } from '../../lambdas/core/convert.js';
import { isGzip } from '../../lambdas/core/engine.js';
import { HeaderMismatchError } from '../../lambdas/core/errors.js';
import type { ObjectWriter } from '../../lambdas/core/ports.js';
import { contractNamed } from '../datasets.js';
import { ExitCode, UsageError } from '../errors.js';
import { type Report, renderTable } from '../output.js';

export interface ValidateDeps {
  readonly contracts: readonly Contract[];
}

export interface ValidateOptions {
  /** The path to read, unless `source` is given. */
  readonly file: string;
  /** The bytes to read instead of `file` (an object in S3, streamed). */
  readonly source?: AsyncIterable<Uint8Array>;
  /** How to name the file in the report; default `file`. */
  readonly name?: string;
  readonly dataset: string;
  /** Bad rows listed; all of them are counted. Default 50. */
  readonly maxProblems?: number;
}

export type Verdict = 'accepted' | 'accepted_with_rejected_rows' | 'rejected';

export interface RowProblem {
  readonly line: number;
  readonly reason: string;
}

export interface ValidateData {
  readonly file: string;
  readonly dataset: string;
  readonly gzip: boolean;
  /** The contract's error policy in words. */
  readonly policy: string;
  readonly verdict: Verdict;
  /** Data rows read (the header excluded); for a whole-file rejection, those read before it. */
  readonly dataRows: number;
  readonly badRows: number;
  /** What the ledger would record. */
  readonly rowsIngested: number;
  readonly rowsRejected: number;
  /** Why the file would be rejected, as the quarantine report would say it. */
  readonly rejection?: { readonly code: string; readonly message: string; readonly line?: number };
  readonly header?: { missing: string[]; unexpected: string[]; duplicated: string[]; misordered: string[] };
  /** The first `maxProblems` bad rows, by line. */
  readonly problems: RowProblem[];
}

export const DEFAULT_MAX_PROBLEMS = 50;

type ErrorPolicy = Contract['error_policy'];

/** The error policy in words, for the report. */
export function describePolicy(policy: ErrorPolicy): string {
  if (policy.mode === 'abort') return 'abort: any bad row rejects the file';
  const limits = [
    policy.max_bad_rows !== undefined ? `${policy.max_bad_rows} rows` : undefined,
    policy.max_bad_rows_percent !== undefined ? `${policy.max_bad_rows_percent}%` : undefined,
  ].filter(Boolean);
  return `quarantine_rows: bad rows are set aside; the file is rejected above ${limits.join(' or ')}`;
}

/** Bronze is not wanted here: every byte is dropped. */
const DISCARD: ObjectWriter = {
  write: async () => undefined,
  complete: async () => ({ etag: 'discarded' }),
  abort: async () => undefined,
};

/** Validates a local file against its contract; exit 2 when it would be rejected or rows set aside. */
export async function validate(deps: ValidateDeps, options: ValidateOptions): Promise<Report<ValidateData>> {
  const contract = contractNamed(deps.contracts, options.dataset);
  if (!options.source) {
    try {
      if (!statSync(options.file).isFile()) throw new Error('not a regular file');
    } catch (e) {
      throw new UsageError(`cannot read ${options.file}: ${(e as Error).message}`, { cause: e });
    }
  }
  const maxProblems = options.maxProblems ?? DEFAULT_MAX_PROBLEMS;
  const gzip = isGzip(contract, basename(options.file));
  const base = {
    file: options.name ?? options.file,
    dataset: contract.ingestion_key,
    gzip,
    policy: describePolicy(contract.error_policy),
  };
  const problems: RowProblem[] = [];
  let badRows = 0;

  const rejectedWhole = (code: string, message: string, dataRows: number, line?: number): ValidateData => ({
    ...base,
    verdict: 'rejected',
    dataRows,
    badRows,
    rowsIngested: 0,
    rowsRejected: dataRows,
    rejection: { code, message, ...(line ? { line } : {}) },
    problems,
  });

  let data: ValidateData;
  try {
    // inspectAll: every bad row is listed whatever the policy, which rules only at the end.
    const result = await convertToBronze({
      contract,
      source: options.source ?? createReadStream(options.file),
      gzip,
      lineage: {
        sourceFile: options.source ? options.file : `file://${options.file}`,
        etag: 'local',
        runId: 'validate',
        ingestedAt: new Date(),
      },
      metadata: {},
      inspectAll: true,
      openBronze: async () => DISCARD,
      onBadRow: async (line, reason) => {
        badRows++;
        if (problems.length < maxProblems) problems.push({ line, reason });
      },
    });
    data = {
      ...base,
      verdict: badRows ? 'accepted_with_rejected_rows' : 'accepted',
      dataRows: result.dataRows,
      badRows,
      rowsIngested: result.rowsIngested,
      rowsRejected: result.rowsRejected,
      problems,
    };
  } catch (e) {
    if (!(e instanceof FileRejectedError)) throw e;
    data = rejectedWhole(e.code, e.message, e.dataRows, e.line);
    const cause = e.cause;
    if (cause instanceof HeaderMismatchError) {
      const { missing, unexpected, duplicated, misordered } = cause;
      data = { ...data, header: { missing, unexpected, duplicated, misordered } };
    }
  }
  const attention = data.verdict !== 'accepted';
  return { data, text: renderValidate(data), exitCode: attention ? ExitCode.Attention : ExitCode.Ok };
}

const VERDICTS: Readonly<Record<Verdict, string>> = {
  accepted: 'accepted',
  accepted_with_rejected_rows: 'accepted, with bad rows set aside in quarantine',
  rejected: 'rejected: the whole file would go to quarantine',
};

/** The bad rows by line, then the verdict and what the ledger would record. */
export function renderValidate(data: ValidateData): string {
  const blocks = [
    `${data.file}${data.gzip ? ' (gzip)' : ''} against ${data.dataset}\n` +
      `policy: ${data.policy}\n` +
      `data rows: ${data.dataRows}, bad rows: ${data.badRows}`,
  ];
  if (data.header) {
    const h = data.header;
    const parts = (
      [
        ['missing', h.missing],
        ['unexpected', h.unexpected],
        ['duplicated', h.duplicated],
        ['misordered', h.misordered],
      ] as const
    ).filter(([, names]) => names.length);
    blocks.push(
      `header (line 1):\n${parts.map(([what, names]) => `  ${what}: ${names.join(', ')}`).join('\n')}`,
    );
  }
  if (data.problems.length) {
    const more =
      data.badRows > data.problems.length
        ? `\n... and ${data.badRows - data.problems.length} more bad rows`
        : '';
    blocks.push(
      `${renderTable(data.problems, [
        { header: 'LINE', value: (p) => p.line, right: true },
        { header: 'PROBLEM', value: (p) => p.reason },
      ])}${more}`,
    );
  }
  const r = data.rejection;
  // Row messages already start with their line; header and decoding messages do not.
  const at = r?.line && !r.message.startsWith(`line ${r.line}:`) ? ` (line ${r.line})` : '';
  const why = r ? `\nreason: ${r.code}: ${r.message}${at}` : '';
  blocks.push(
    `verdict: ${VERDICTS[data.verdict]}${why}\n` +
      `ledger would record: rows_ingested ${data.rowsIngested}, rows_rejected ${data.rowsRejected}`,
  );
  return blocks.join('\n\n');
}

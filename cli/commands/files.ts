/** `bronze files <dataset>`: one page of a dataset's ledger items, through the status index or by key. */
import type { Contract } from '../../lambdas/core/contract.js';
import { type FileStatus, type Ledger, type LedgerItem, sourcePathOf } from '../../lambdas/core/ledger.js';
import { contractNamed } from '../datasets.js';
import { ExitCode } from '../errors.js';
import { formatBytes, type Report, renderTable } from '../output.js';

export interface FilesDeps {
  readonly ledger: Ledger;
  readonly contracts: readonly Contract[];
}

export interface FilesOptions {
  readonly dataset: string;
  readonly status?: FileStatus;
  readonly since?: Date;
  readonly limit?: number;
  readonly cursor?: string;
}

export interface FilesData {
  readonly dataset: string;
  readonly status?: FileStatus;
  readonly since?: string;
  /** The page size asked for, when it was not the default: kept in the next-page hint. */
  readonly limit?: number;
  readonly items: LedgerItem[];
  /** Pass to `--cursor` for the next page; absent on the last page. */
  readonly cursor?: string;
}

export const DEFAULT_PAGE_SIZE = 50;

/** Lists one page (ledger.listFiles: a Query on the GSI by status, or on the table by key; never a Scan). */
export async function files(deps: FilesDeps, options: FilesOptions): Promise<Report<FilesData>> {
  const dataset = contractNamed(deps.contracts, options.dataset).ingestion_key;
  const page = await deps.ledger.listFiles(dataset, {
    limit: options.limit ?? DEFAULT_PAGE_SIZE,
    ...(options.status ? { status: options.status } : {}),
    ...(options.since ? { since: options.since } : {}),
    ...(options.cursor ? { cursor: options.cursor } : {}),
  });
  const data: FilesData = {
    dataset,
    ...(options.status ? { status: options.status } : {}),
    ...(options.since ? { since: options.since.toISOString() } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    items: page.items,
    ...(page.cursor ? { cursor: page.cursor } : {}),
  };
  return { data, text: renderFiles(data), exitCode: ExitCode.Ok };
}

/** The page as a table, then how to ask for the next one. */
export function renderFiles(data: FilesData): string {
  const filters = [data.status && `--status ${data.status}`, data.since && `--since ${data.since}`]
    .filter(Boolean)
    .map((f) => ` ${f}`)
    .join('');
  if (!data.items.length) return `no files in ${data.dataset}${filters ? ` match${filters}` : ''}`;
  const table = renderTable(data.items, [
    { header: 'FILE', value: (i) => sourcePathOf(i) },
    { header: 'STATUS', value: (i) => i.status },
    { header: 'ROWS', value: (i) => i.rows_ingested, right: true },
    { header: 'REJECTED', value: (i) => i.rows_rejected, right: true },
    { header: 'SIZE', value: (i) => formatBytes(i.file_size), right: true },
    { header: 'ATTEMPTS', value: (i) => i.attempts, right: true },
    { header: 'DUPLICATES', value: (i) => i.duplicate_events ?? 0, right: true },
    { header: 'UPDATED', value: (i) => i.updated_at },
    { header: 'ERROR', value: (i) => i.error?.code },
  ]);
  const limit = data.limit !== undefined ? ` --limit ${data.limit}` : '';
  return data.cursor
    ? `${table}\nmore: bronze files ${data.dataset}${filters}${limit} --cursor ${data.cursor}`
    : table;
}

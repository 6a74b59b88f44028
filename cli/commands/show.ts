/** `bronze show <s3-uri>`: one file's whole ledger item, its history and its error. */
import type { Contract } from '../../lambdas/core/contract.js';
import type { Ledger, LedgerItem } from '../../lambdas/core/ledger.js';
import { fileRef } from '../datasets.js';
import { ExitCode } from '../errors.js';
import { formatBytes, type Report, renderKeyValues, renderTable } from '../output.js';

export interface ShowDeps {
  readonly ledger: Ledger;
  readonly contracts: readonly Contract[];
  /** Resolves the dataset of landing-bucket URIs; not needed with `dataset`. */
  readonly landingBucket?: string;
}

export interface ShowData {
  readonly dataset: string;
  /** `s3://bucket/key` as asked for (the item's file_path is a digest when the path is long). */
  readonly filePath: string;
  readonly found: boolean;
  readonly item?: LedgerItem;
}

/** Reads the item; a file the ledger does not know ends with exit 2. */
export async function show(
  deps: ShowDeps,
  options: { uri: string; dataset?: string },
): Promise<Report<ShowData>> {
  const ref = fileRef(deps.contracts, options.uri, {
    ...(options.dataset ? { dataset: options.dataset } : {}),
    ...(deps.landingBucket ? { landingBucket: deps.landingBucket } : {}),
  });
  const item = await deps.ledger.getFile({ ingestionKey: ref.dataset, filePath: ref.filePath });
  const data: ShowData = {
    dataset: ref.dataset,
    filePath: ref.sourcePath,
    found: item !== undefined,
    ...(item ? { item } : {}),
  };
  return { data, text: renderShow(data), exitCode: item ? ExitCode.Ok : ExitCode.Attention };
}

const SECTIONS = new Set(['history', 'error']);

/** Every attribute, then the error and the history as their own blocks. */
export function renderShow(data: ShowData): string {
  if (!data.item) {
    return `no ledger item for ${data.filePath} in ${data.dataset} (if landed, the next sweep finds it NEW)`;
  }
  const item = data.item as unknown as Record<string, unknown>;
  const entries = Object.keys(item)
    .filter((k) => !SECTIONS.has(k))
    .sort()
    .map((k): [string, unknown] => [
      k,
      k === 'file_size' ? `${item[k]} (${formatBytes(item[k] as number)})` : item[k],
    ]);
  const blocks = [renderKeyValues(entries)];
  if (data.item.error) {
    const e = data.item.error;
    blocks.push(`error:\n  ${e.code}${e.line ? ` at line ${e.line}` : ''}: ${e.message}`);
  }
  const history = data.item.history ?? [];
  blocks.push(
    history.length
      ? `history (newest first):\n${renderTable(history, [
          { header: 'REPLACED AT', value: (h) => h.replaced_at_iso },
          { header: 'ETAG', value: (h) => h.file_etag },
          { header: 'SIZE', value: (h) => formatBytes(h.file_size), right: true },
          { header: 'STATUS', value: (h) => h.status },
          { header: 'ROWS', value: (h) => h.rows_ingested, right: true },
          { header: 'REJECTED', value: (h) => h.rows_rejected, right: true },
          { header: 'PROCESSED AT', value: (h) => h.processed_at_iso },
          { header: 'RUN', value: (h) => h.run_id },
        ])}`
      : 'history: none (no earlier version)',
  );
  return blocks.join('\n\n');
}

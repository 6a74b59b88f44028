/** The per-file report of a local run, read from the ledger. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { allLedgerFiles } from '../cli/ledger-pages.js';
import { type Column, renderTable } from '../cli/output.js';
import { DynamoDbLedger } from '../lambdas/adapters/dynamodb-ledger.js';
import { type LedgerItem, parseS3Uri, sourcePathOf } from '../lambdas/core/ledger.js';
import type { LocalAwsClientConfig } from './aws-config.js';

/** Every file item of the given datasets, all pages. */
export async function ledgerItems(
  config: LocalAwsClientConfig,
  tableName: string,
  datasets: readonly string[],
): Promise<LedgerItem[]> {
  const client = new DynamoDBClient(config);
  try {
    const ledger = new DynamoDbLedger({ tableName, client });
    const items: LedgerItem[] = [];
    for (const dataset of datasets) items.push(...(await allLedgerFiles(ledger, dataset)));
    return items.sort((a, b) => a.file_path.localeCompare(b.file_path));
  } finally {
    client.destroy();
  }
}

function keyOf(uri: string | undefined): string | undefined {
  return uri ? parseS3Uri(uri).key : undefined;
}

/** Why a file was rejected, or why some of its rows were. */
function reason(item: LedgerItem): string | undefined {
  if (item.error) {
    const { code, message, line } = item.error;
    // Most messages already name their line.
    const where = line && !message.includes(`line ${line}`) ? ` (line ${line})` : '';
    return `${code}: ${message}${where}`;
  }
  if (item.rows_rejected) return `${item.rows_rejected} bad rows set aside in ${item.quarantine_path}`;
  return undefined;
}

/** Bronze keys embed the landing bucket's long generated name; the report names it once, above. */
function shortKey(uri: string | undefined, landingBucket: string): string {
  return keyOf(uri)?.replace(`/${landingBucket}/`, '/<landing>/') ?? '-';
}

function columns(landingBucket: string): Column<LedgerItem>[] {
  return [
    { header: 'File', value: (i) => keyOf(sourcePathOf(i)) },
    { header: 'Status', value: (i) => i.status },
    { header: 'Rows in', value: (i) => i.rows_ingested, right: true },
    { header: 'Rejected', value: (i) => i.rows_rejected, right: true },
    { header: 'Dup. events', value: (i) => i.duplicate_events ?? 0, right: true },
    { header: 'Versions', value: (i) => 1 + (i.history?.length ?? 0), right: true },
    { header: 'Bronze key', value: (i) => shortKey(i.bronze_path, landingBucket) },
  ];
}

/** The ledger items as an aligned table, then the reason of every rejection. */
export function formatLedgerReport(items: readonly LedgerItem[], landingBucket: string): string {
  const reasons = items
    .map((i) => [keyOf(sourcePathOf(i)), reason(i)] as const)
    .filter(([, why]) => why !== undefined)
    .map(([file, why]) => `  ${file}\n      ${why}`);
  return [
    `<landing> = ${landingBucket}`,
    '',
    renderTable(items, columns(landingBucket)),
    '',
    'Why files or rows were rejected:',
    ...reasons,
  ].join('\n');
}

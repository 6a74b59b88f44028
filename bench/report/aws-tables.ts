/** Tables of the moto sections (requests per file, sweep cost) and of the Lambda bundle. */
import type { LedgerRequests } from '../aws/ledger-requests.js';
import { total } from '../aws/request-counter.js';
import type { SweepCost, SweepPass } from '../aws/sweep-cost.js';
import type { BundleReport } from '../bundle.js';
import { fixed, type Table } from './table.js';

export function ledgerTable(l: LedgerRequests): Table {
  const ops = [
    ...new Set([...Object.keys(l.firstEvent.requests), ...Object.keys(l.duplicateEvent.requests)]),
  ].sort();
  const count = (r: Record<string, number>, op: string) => String(r[op] ?? 0);
  return {
    headers: ['request', 'first event (completed)', 'duplicate event (same ETag)'],
    right: [false, true, true],
    rows: [
      ...ops.map((op) => [op, count(l.firstEvent.requests, op), count(l.duplicateEvent.requests, op)]),
      [
        'DynamoDB, all',
        String(total(l.firstEvent.requests, 'DynamoDB')),
        String(total(l.duplicateEvent.requests, 'DynamoDB')),
      ],
      ['S3, all', String(total(l.firstEvent.requests, 'S3')), String(total(l.duplicateEvent.requests, 'S3'))],
    ],
  };
}

export function sweepTable(s: SweepCost): Table {
  const col = (p: SweepPass) => [
    fixed(p.seconds, 1),
    String(p.listed),
    String(p.listPages),
    String(p.requests['S3 ListObjectsV2'] ?? 0),
    String(p.requests['DynamoDB BatchGetItem'] ?? 0),
    String(total(p.requests, 'DynamoDB') - (p.requests['DynamoDB BatchGetItem'] ?? 0)),
    String(p.enqueued),
    String(p.requests['SQS SendMessageBatch'] ?? 0),
  ];
  return {
    headers: [
      'ledger before the sweep',
      'seconds',
      'files listed',
      'list pages',
      'ListObjectsV2',
      'BatchGetItem',
      'other DynamoDB',
      'enqueued',
      'SendMessageBatch',
    ],
    right: [false, true, true, true, true, true, true, true, true],
    rows: [
      ['empty (every file new)', ...col(s.emptyLedger)],
      ['every file completed', ...col(s.allCompleted)],
    ],
  };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

export function bundleTable(b: BundleReport): Table {
  return {
    headers: ['measure', 'value'],
    right: [false, true],
    rows: [
      ['index.mjs (raw)', mb(b.jsBytes)],
      ['index.mjs deflated', mb(b.jsDeflatedBytes)],
      ['index.mjs.map (raw)', mb(b.mapBytes)],
      ['asset unzipped (index.mjs, map, contracts)', mb(b.assetBytes)],
      ['deployed zip (index.mjs, map, contracts)', mb(b.zipBytes)],
      ['cold import, median of 5', `${fixed(b.importMs, 0)} ms`],
      ['cold import with --enable-source-maps (as deployed)', `${fixed(b.importWithSourceMapsMs, 0)} ms`],
      ['process start + import + exit', `${fixed(b.processMs, 0)} ms`],
      ['RSS after import', `${fixed(b.importRssMiB, 0)} MiB`],
    ],
  };
}

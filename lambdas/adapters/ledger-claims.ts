/**
 * The claim decision as a pure function: from the item a run observed and its request, either
 * an answer that needs no write (busy, exhausted) or the one conditional write that moves the
 * item, conditioned on exactly what was observed (optimistic concurrency).
 */
import type { PutCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { InfrastructureError } from '../core/errors.js';
import {
  type ClaimOutcome,
  type ClaimRequest,
  FileStatus,
  HISTORY_LIMIT,
  type HistoryEntry,
  type LedgerItem,
} from '../core/ledger.js';

export type ClaimPut = Pick<
  PutCommandInput,
  'Item' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
>;
export type ClaimUpdate = Pick<
  UpdateCommandInput,
  'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
>;

export type ClaimPlan =
  /** Decided without writing. */
  | { readonly kind: 'answer'; readonly outcome: ClaimOutcome }
  /** A whole new item; `item` is what gets stored. */
  | {
      readonly kind: 'put';
      readonly input: ClaimPut;
      readonly item: LedgerItem;
      readonly previous?: LedgerItem;
    }
  /** The observed item updated in place; the stored result comes back from DynamoDB. */
  | { readonly kind: 'update'; readonly input: ClaimUpdate; readonly previous: LedgerItem }
  /** Same ETag already finished: only the duplicate counter moves. */
  | { readonly kind: 'duplicate'; readonly input: ClaimUpdate; readonly observed: LedgerItem };

/** The GSI sort key: status first so one status is one key range, then time. */
export function statusAt(status: FileStatus, updatedAtIso: string): string {
  return `${status}#${updatedAtIso}`;
}

/** Drops undefined fields so that a locally built item equals the one DynamoDB returns. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Joins SET / REMOVE / ADD clauses into one update expression. */
export function updateExpression(clauses: { set?: string[]; remove?: string[]; add?: string[] }): string {
  const parts: string[] = [];
  if (clauses.set?.length) parts.push(`SET ${clauses.set.join(', ')}`);
  if (clauses.remove?.length) parts.push(`REMOVE ${clauses.remove.join(', ')}`);
  if (clauses.add?.length) parts.push(`ADD ${clauses.add.join(', ')}`);
  return parts.join(' ');
}

const CLAIM_SET = [
  '#status = :processing',
  'status_at = :statusAt',
  'updated_at = :now',
  'run_id = :run',
  'lease_until = :lease',
  'attempts = :attempts',
];

function claimValues(request: ClaimRequest, attempts: number): Record<string, unknown> {
  const now = request.now.toISOString();
  return {
    ':processing': FileStatus.Processing,
    ':statusAt': statusAt(FileStatus.Processing, now),
    ':now': now,
    ':run': request.runId,
    ':lease': leaseUntil(request),
    ':attempts': attempts,
  };
}

function leaseUntil(request: ClaimRequest): number {
  return request.now.getTime() + request.leaseMs;
}

/** Processing under a lease that has not ended: its run is alive. */
export function isLive(item: LedgerItem, now: Date): boolean {
  return item.status === FileStatus.Processing && (item.lease_until ?? 0) > now.getTime();
}

function freshItem(request: ClaimRequest, firstSeenAt: string, history: HistoryEntry[]): LedgerItem {
  const now = request.now.toISOString();
  return compact({
    ingestion_key: request.ingestionKey,
    file_path: request.filePath,
    source_path: request.sourcePath === request.filePath ? undefined : request.sourcePath,
    status: FileStatus.Processing,
    status_at: statusAt(FileStatus.Processing, now),
    file_etag: request.etag,
    file_size: request.size,
    version_id: request.versionId,
    source_last_modified: request.sourceLastModified?.toISOString(),
    attempts: 1,
    lease_until: leaseUntil(request),
    run_id: request.runId,
    first_seen_at: firstSeenAt,
    updated_at: now,
    history,
  });
}

/** What the replaced version leaves behind on the item. */
export function historyEntryFor(old: LedgerItem, replacedAt: Date): HistoryEntry {
  return compact({
    file_etag: old.file_etag,
    file_size: old.file_size,
    version_id: old.version_id,
    status: old.status,
    rows_ingested: old.rows_ingested,
    rows_rejected: old.rows_rejected,
    processed_at_iso: old.processed_at_iso,
    run_id: old.run_id,
    replaced_at_iso: replacedAt.toISOString(),
  });
}

function firstClaim(request: ClaimRequest): ClaimPlan {
  const item = freshItem(request, request.now.toISOString(), []);
  return { kind: 'put', item, input: { Item: item, ConditionExpression: 'attribute_not_exists(file_path)' } };
}

function newVersionClaim(observed: LedgerItem, request: ClaimRequest): ClaimPlan {
  const history = [historyEntryFor(observed, request.now), ...(observed.history ?? [])].slice(
    0,
    HISTORY_LIMIT,
  );
  const item = freshItem(request, observed.first_seen_at, history);
  return {
    kind: 'put',
    item,
    previous: observed,
    input: {
      Item: item,
      ConditionExpression:
        'file_etag = :observedEtag AND run_id = :observedRun AND #status = :observedStatus',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':observedEtag': observed.file_etag,
        ':observedRun': observed.run_id,
        ':observedStatus': observed.status,
      },
    },
  };
}

function takeover(observed: LedgerItem, request: ClaimRequest): ClaimPlan {
  // An item without a lease (restored by hand) is taken over only while it still has none.
  const leaseCondition =
    observed.lease_until === undefined ? 'attribute_not_exists(lease_until)' : 'lease_until = :observedLease';
  return {
    kind: 'update',
    previous: observed,
    input: {
      UpdateExpression: updateExpression({ set: CLAIM_SET }),
      ConditionExpression: `run_id = :observedRun AND ${leaseCondition}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: compact({
        ...claimValues(request, observed.attempts + 1),
        ':observedRun': observed.run_id,
        ':observedLease': observed.lease_until,
      }),
    },
  };
}

function reprocessClaim(observed: LedgerItem, request: ClaimRequest): ClaimPlan {
  // The request is consumed by this claim; who asked and why stay on the item as the record.
  return {
    kind: 'update',
    previous: observed,
    input: {
      UpdateExpression: updateExpression({ set: CLAIM_SET, remove: ['reprocess_requested_at'] }),
      ConditionExpression: 'reprocess_requested_at = :observedRequest AND run_id = :observedRun',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ...claimValues(request, 1),
        ':observedRequest': observed.reprocess_requested_at,
        ':observedRun': observed.run_id,
      },
    },
  };
}

/**
 * Claims again a file left `failed` or `paused` (a pause was no attempt, so the count goes on
 * from where it stood before the pause); an operator's reprocess request restarts the count, and
 * the write holds only while the item is as observed.
 */
function reclaim(
  observed: LedgerItem,
  request: ClaimRequest,
  from: FileStatus.Failed | FileStatus.Paused,
): ClaimPlan {
  const requested = observed.reprocess_requested_at;
  const condition = `#status = :${from} AND run_id = :observedRun`;
  return {
    kind: 'update',
    previous: observed,
    input: {
      UpdateExpression: updateExpression({
        set: CLAIM_SET,
        remove: requested === undefined ? [] : ['reprocess_requested_at'],
      }),
      ConditionExpression:
        requested === undefined ? condition : `${condition} AND reprocess_requested_at = :observedRequest`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: compact({
        ...claimValues(request, requested === undefined ? observed.attempts + 1 : 1),
        [`:${from}`]: from,
        ':observedRun': observed.run_id,
        ':observedRequest': requested,
      }),
    },
  };
}

function duplicate(observed: LedgerItem): ClaimPlan {
  return {
    kind: 'duplicate',
    observed,
    input: {
      UpdateExpression: updateExpression({ add: ['duplicate_events :one'] }),
      ConditionExpression: 'file_etag = :etag',
      ExpressionAttributeValues: { ':one': 1, ':etag': observed.file_etag },
    },
  };
}

/** Decides a claim from the observed item (see DESIGN.md, "Ledger", for the transitions). */
export function planClaim(observed: LedgerItem | undefined, request: ClaimRequest): ClaimPlan {
  if (observed === undefined) return firstClaim(request);
  if (request.etagFromEvent && observed.file_etag !== request.etag)
    return { kind: 'answer', outcome: { kind: 'other_version', item: observed } };
  // A live run is never taken over, whatever ETag it holds: its message comes back later.
  if (isLive(observed, request.now)) return { kind: 'answer', outcome: { kind: 'busy', item: observed } };
  if (observed.file_etag !== request.etag) return newVersionClaim(observed, request);
  switch (observed.status) {
    case FileStatus.Processing:
      // A run that keeps dying (out of memory, timeout) must not be retried for ever.
      if (observed.attempts >= request.maxAttempts && observed.reprocess_requested_at === undefined) {
        return { kind: 'answer', outcome: { kind: 'exhausted', item: observed } };
      }
      return takeover(observed, request);
    case FileStatus.Completed:
    case FileStatus.Rejected:
      return observed.reprocess_requested_at === undefined
        ? duplicate(observed)
        : reprocessClaim(observed, request);
    case FileStatus.Failed:
      if (observed.reprocess_requested_at !== undefined || observed.attempts < request.maxAttempts) {
        return reclaim(observed, request, FileStatus.Failed);
      }
      return { kind: 'answer', outcome: { kind: 'exhausted', item: observed } };
    case FileStatus.Paused:
      return reclaim(observed, request, FileStatus.Paused);
    default:
      throw new InfrastructureError(
        `${observed.file_path} has an unknown status: ${String(observed.status)}`,
      );
  }
}

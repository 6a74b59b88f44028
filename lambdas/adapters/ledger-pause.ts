/**
 * The decision to record a version as paused, as a pure function like the claim's: an answer
 * that needs no write, or one conditional write on exactly what was observed.
 */
import {
  FileStatus,
  HISTORY_LIMIT,
  type LedgerItem,
  type PauseOutcome,
  type PauseRequest,
} from '../core/ledger.js';
import {
  type ClaimPut,
  type ClaimUpdate,
  compact,
  historyEntryFor,
  isLive,
  statusAt,
  updateExpression,
} from './ledger-claims.js';

export type PausePlan =
  | { readonly kind: 'answer'; readonly outcome: PauseOutcome }
  | { readonly kind: 'put'; readonly input: ClaimPut; readonly item: LedgerItem }
  | { readonly kind: 'update'; readonly input: ClaimUpdate; readonly observed: LedgerItem };

const OBSERVED_CONDITION =
  'file_etag = :observedEtag AND run_id = :observedRun AND #status = :observedStatus';

function observedValues(observed: LedgerItem): Record<string, unknown> {
  return {
    ':observedEtag': observed.file_etag,
    ':observedRun': observed.run_id,
    ':observedStatus': observed.status,
  };
}

/**
 * A paused item for the version. A replaced version goes to history, and its bronze path stays so
 * the claim after `resume` still removes that object when the new one lands in another partition.
 */
function pausedItem(request: PauseRequest, observed: LedgerItem | undefined): LedgerItem {
  const now = request.now.toISOString();
  const history = observed
    ? [historyEntryFor(observed, request.now), ...(observed.history ?? [])].slice(0, HISTORY_LIMIT)
    : [];
  return compact({
    ingestion_key: request.ingestionKey,
    file_path: request.filePath,
    source_path: request.sourcePath === request.filePath ? undefined : request.sourcePath,
    status: FileStatus.Paused,
    status_at: statusAt(FileStatus.Paused, now),
    file_etag: request.etag,
    file_size: request.size,
    version_id: request.versionId,
    source_last_modified: request.sourceLastModified?.toISOString(),
    attempts: 0,
    run_id: request.runId,
    first_seen_at: observed?.first_seen_at ?? now,
    updated_at: now,
    bronze_path: observed?.bronze_path,
    partition_date: observed?.partition_date,
    history,
  });
}

/** Whether an item of the same ETag is left as it is, and the answer the engine gives for it. */
function keptAnswer(observed: LedgerItem, request: PauseRequest): PauseOutcome | undefined {
  switch (observed.status) {
    case FileStatus.Paused:
      return { kind: 'paused', item: observed };
    case FileStatus.Completed:
    case FileStatus.Rejected:
      return { kind: 'duplicate', item: observed };
    default:
      // A file failed to its limit stays exhausted: a pause must not hand it fresh attempts.
      return observed.attempts >= request.maxAttempts && observed.reprocess_requested_at === undefined
        ? { kind: 'exhausted', item: observed }
        : undefined;
  }
}

/** Decides how a version of a paused dataset is recorded, from the item a run observed. */
export function planPause(observed: LedgerItem | undefined, request: PauseRequest): PausePlan {
  if (observed === undefined) {
    const item = pausedItem(request, undefined);
    return {
      kind: 'put',
      item,
      input: { Item: item, ConditionExpression: 'attribute_not_exists(file_path)' },
    };
  }
  if (request.etagFromEvent && observed.file_etag !== request.etag)
    return { kind: 'answer', outcome: { kind: 'other_version', item: observed } };
  if (isLive(observed, request.now)) return { kind: 'answer', outcome: { kind: 'busy', item: observed } };
  if (observed.file_etag !== request.etag) {
    const item = pausedItem(request, observed);
    return {
      kind: 'put',
      item,
      input: {
        Item: item,
        ConditionExpression: OBSERVED_CONDITION,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: observedValues(observed),
      },
    };
  }
  const kept = keptAnswer(observed, request);
  if (kept) return { kind: 'answer', outcome: kept };
  const now = request.now.toISOString();
  return {
    kind: 'update',
    observed,
    input: {
      UpdateExpression: updateExpression({
        set: ['#status = :paused', 'status_at = :statusAt', 'updated_at = :now', 'run_id = :run'],
        remove: ['lease_until'],
      }),
      ConditionExpression: OBSERVED_CONDITION,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ...observedValues(observed),
        ':paused': FileStatus.Paused,
        ':statusAt': statusAt(FileStatus.Paused, now),
        ':now': now,
        ':run': request.runId,
      },
    },
  };
}

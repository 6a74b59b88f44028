import { type AfterLoad, archiveTarget, type Contract, LANDING_BUCKET } from './contract.js';
import { ObjectChangedError } from './errors.js';
import type { ObjectHead, ObjectStore } from './ports.js';

/** What the contract's `after_load` did to a completed source version. */
export interface AfterLoadResult {
  readonly action: Exclude<AfterLoad['action'], 'keep'>;
  /** done; skipped (the version is gone, or a newer one is current); failed (logged, counted). */
  readonly result: 'done' | 'skipped' | 'failed';
  readonly reason?: string;
  /** archive: the `s3://` path of the copy. */
  readonly archivedTo?: string;
}

/** The version the ledger recorded as completed. */
export interface CompletedVersion {
  readonly bucket: string;
  readonly key: string;
  readonly etag: string;
  readonly versionId?: string;
}

/** The object's HEAD taken after completion: `known: false` when the HEAD itself failed. */
export type SourceNow = { readonly known: true; readonly current?: ObjectHead } | { readonly known: false };

export interface AfterLoadDeps {
  readonly store: ObjectStore;
  readonly landingBucket: string;
  readonly warn?: (message: string, extra?: Record<string, unknown>) => void;
}

/**
 * Applies `after_load` to the very version that was completed, never to a newer one: the object
 * must still have the completed ETag, and every call names the version when it is known
 * (CopySourceIfMatch as well, where the store honours it). A version already gone is skipped, so
 * a retry is harmless. Never throws: a failure is reported in the result, the file stays completed.
 */
export async function applyAfterLoad(
  deps: AfterLoadDeps,
  contract: Contract,
  version: CompletedVersion,
  now: SourceNow,
): Promise<AfterLoadResult | undefined> {
  const afterLoad = contract.after_load;
  if (afterLoad.action === 'keep') return undefined;
  const { action } = afterLoad;
  const file = `s3://${version.bucket}/${version.key}`;
  if (!now.known) return failed(deps, action, file, 'could not HEAD the source to check its version');
  if (!now.current) return { action, result: 'skipped', reason: 'the source no longer exists' };
  if (now.current.etag !== version.etag) {
    return {
      action,
      result: 'skipped',
      reason: `a newer version (ETag ${now.current.etag}) is current: left as it is`,
    };
  }
  // Same ETag, same bytes: the current version's id serves when the event or HEAD gave none.
  const versionId = version.versionId ?? now.current.versionId;
  const pinned = versionId ? { versionId } : {};
  try {
    switch (afterLoad.action) {
      case 'delete':
        await removeVersion(deps.store, version, versionId, now.current.lastModified);
        return { action, result: 'done' };
      case 'tag':
        await deps.store.tag(version.bucket, version.key, { [afterLoad.key]: afterLoad.value }, pinned);
        return { action, result: 'done' };
      case 'archive': {
        const target = archiveTarget(afterLoad, version.bucket, version.key);
        const bucket = target.bucket === LANDING_BUCKET ? deps.landingBucket : target.bucket;
        await deps.store.copy(
          {
            bucket: version.bucket,
            key: version.key,
            ifMatch: version.etag,
            size: now.current.size,
            ...pinned,
          },
          { bucket, key: target.key },
        );
        await removeVersion(deps.store, version, versionId, now.current.lastModified);
        return { action, result: 'done', archivedTo: `s3://${bucket}/${target.key}` };
      }
    }
  } catch (e) {
    if (e instanceof ObjectChangedError)
      return { action, result: 'skipped', reason: `the version changed or vanished: ${e.message}` };
    return failed(deps, action, file, (e as Error).message ?? String(e));
  }
}

/**
 * Deletes the completed version. In a versioned bucket that makes the version before it current
 * again, which the sweep would take for a new one and ingest over the newer data: a version that
 * landed strictly earlier (LastModified has whole seconds) is hidden behind a delete marker. One
 * from the same second or later may be a newer upload and is left for the engine.
 */
async function removeVersion(
  store: ObjectStore,
  version: CompletedVersion,
  versionId: string | undefined,
  landedAt: Date | undefined,
): Promise<void> {
  if (!versionId) {
    await store.delete(version.bucket, version.key);
    return;
  }
  await store.delete(version.bucket, version.key, { versionId });
  if (!landedAt) return;
  const resurfaced = await store.head(version.bucket, version.key);
  if (resurfaced?.lastModified && resurfaced.lastModified.getTime() < landedAt.getTime())
    await store.delete(version.bucket, version.key);
}

function failed(
  deps: AfterLoadDeps,
  action: AfterLoadResult['action'],
  file: string,
  reason: string,
): AfterLoadResult {
  deps.warn?.(`after_load ${action} failed; the file stays completed and its source is left in place`, {
    file,
    reason,
  });
  return { action, result: 'failed', reason };
}

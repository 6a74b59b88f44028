/**
 * A received message must stay invisible for at least the claim's lease: a crashed run's own
 * message that came back while the lease still ran would be answered `busy` and dropped, leaving
 * the file `processing` until a sweep happened to find it.
 */
import { LEASE_MARGIN_MS } from '../lambdas/core/engine.js';

/** The longest lease an ingest claim holds: the whole function timeout plus the engine's margin. */
export function ingestLeaseSeconds(functionTimeoutSeconds: number): number {
  return functionTimeoutSeconds + LEASE_MARGIN_MS / 1000;
}

/** Throws, naming the props, when the queue's visibility timeout is shorter than the lease. */
export function checkVisibilityCoversLease(settings: {
  readonly visibilityTimeoutSeconds: number;
  readonly functionTimeoutSeconds: number;
}): void {
  const lease = ingestLeaseSeconds(settings.functionTimeoutSeconds);
  if (settings.visibilityTimeoutSeconds >= lease) return;
  throw new Error(
    `ingestQueueVisibilityTimeout (${settings.visibilityTimeoutSeconds} s) is shorter than the ingest ` +
      `lease: ingestTimeout (${settings.functionTimeoutSeconds} s) plus ${LEASE_MARGIN_MS / 1000} s = ` +
      `${lease} s. A crashed run's message would come back while its lease still runs, be dropped as ` +
      `busy, and leave the file processing until a sweep. Set ingestQueueVisibilityTimeout to at least ` +
      `${lease} s, or leave it unset (6x ingestTimeout).`,
  );
}

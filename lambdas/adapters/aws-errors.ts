/**
 * Reading SDK errors without depending on their classes: mocks, retries and service variants
 * all agree on `name` and `$metadata.httpStatusCode`, not always on the prototype.
 */

/** The error's `name` (the service's error code for SDK errors), or '' for non-errors. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

/** The HTTP status of an SDK error, when the service answered. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  return metadata?.httpStatusCode;
}

/** A short description for messages: `Name: message`. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Exponential backoff with full jitter: a random delay in [0, base * 2^attempt), capped. */
export function backoffDelay(attempt: number, baseMs: number, capMs = 5_000): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

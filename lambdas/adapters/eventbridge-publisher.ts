import {
  EventBridgeClient,
  type EventBridgeClientConfig,
  PutEventsCommand,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import { InfrastructureError } from '../core/errors.js';
import { type EventPublisher, OUTCOME_EVENT_SOURCE, type OutcomeEvent } from '../core/outcome-events.js';
import { backoffDelay, describeError, sleep } from './aws-errors.js';

/** PutEvents takes at most ten entries. */
const MAX_ENTRIES_PER_CALL = 10;

export interface EventBridgePublisherOptions {
  /**
   * Name or ARN of the bus.
   * @default - the account's default bus
   */
  readonly eventBusName?: string;
  /** A ready client; by default one is built from `clientConfig`. */
  readonly client?: EventBridgeClient;
  /** Used only when no client is given. */
  readonly clientConfig?: EventBridgeClientConfig;
  /** Retries of entries EventBridge reports as failed. Default: 4 tries from 100 ms. */
  readonly retry?: { readonly maxTries?: number; readonly baseDelayMs?: number };
}

/** An outcome event as a PutEvents entry. */
export function putEventsEntry(event: OutcomeEvent, eventBusName: string | undefined): PutEventsRequestEntry {
  return {
    Source: OUTCOME_EVENT_SOURCE,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
    ...(eventBusName ? { EventBusName: eventBusName } : {}),
  };
}

function describeFailures(failed: ReadonlyArray<PutEventsResultEntry>): string {
  return failed.map((e) => `${e.ErrorCode ?? 'unknown'}: ${e.ErrorMessage ?? ''}`.trim()).join('; ');
}

/**
 * EventPublisher on EventBridge: one PutEvents call per ten events (the invocation's ten files
 * make one call), entries the service failed retried with backoff, an error after the last try.
 */
export class EventBridgePublisher implements EventPublisher {
  private readonly client: EventBridgeClient;
  private readonly eventBusName: string | undefined;
  private readonly maxTries: number;
  private readonly baseDelayMs: number;

  constructor(options: EventBridgePublisherOptions = {}) {
    this.client = options.client ?? new EventBridgeClient(options.clientConfig ?? {});
    this.eventBusName = options.eventBusName || undefined;
    this.maxTries = options.retry?.maxTries ?? 4;
    this.baseDelayMs = options.retry?.baseDelayMs ?? 100;
  }

  async publish(events: readonly OutcomeEvent[]): Promise<void> {
    const entries = events.map((e) => putEventsEntry(e, this.eventBusName));
    for (let start = 0; start < entries.length; start += MAX_ENTRIES_PER_CALL) {
      await this.putWithRetries(entries.slice(start, start + MAX_ENTRIES_PER_CALL));
    }
  }

  private async putWithRetries(entries: PutEventsRequestEntry[]): Promise<void> {
    let pending = entries;
    for (let attempt = 1; ; attempt++) {
      const failed = await this.putOnce(pending);
      if (failed.length === 0) return;
      if (attempt >= this.maxTries) {
        throw new InfrastructureError(
          `PutEvents failed for ${failed.length} of ${entries.length} outcome events after ${attempt} tries: ` +
            describeFailures(failed.map(([, result]) => result)),
        );
      }
      pending = failed.map(([entry]) => entry);
      await sleep(backoffDelay(attempt - 1, this.baseDelayMs));
    }
  }

  /** One PutEvents call; returns the entries it failed, paired with their results. */
  private async putOnce(
    entries: PutEventsRequestEntry[],
  ): Promise<Array<[PutEventsRequestEntry, PutEventsResultEntry]>> {
    try {
      const out = await this.client.send(new PutEventsCommand({ Entries: entries }));
      if (!out.FailedEntryCount) return [];
      // Results come back in request order; a failed one carries an ErrorCode and no EventId.
      return entries
        .map((entry, i) => [entry, out.Entries?.[i] ?? {}] as [PutEventsRequestEntry, PutEventsResultEntry])
        .filter(([, result]) => result.ErrorCode !== undefined || result.EventId === undefined);
    } catch (error) {
      // A throttled or failed call is retried whole, as failed entries are.
      if (entries.length && isRetryable(error)) {
        return entries.map((entry) => [entry, { ErrorCode: errorCode(error), ErrorMessage: String(error) }]);
      }
      throw new InfrastructureError(`PutEvents failed: ${describeError(error)}`, { cause: error });
    }
  }
}

function errorCode(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

/** Throttling and server errors pass; a malformed request or a missing permission does not. */
function isRetryable(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const name = errorCode(error);
  return (status !== undefined && status >= 500) || /Throttl|InternalException/.test(name);
}

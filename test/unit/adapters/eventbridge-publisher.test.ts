import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '../../../lambdas/adapters/eventbridge-publisher.js';
import { InfrastructureError } from '../../../lambdas/core/errors.js';
import { type OutcomeEvent, outcomeEvent } from '../../../lambdas/core/outcome-events.js';

const eventBridge = mockClient(EventBridgeClient);
afterEach(() => eventBridge.reset());

function publisher(options: { maxTries?: number; eventBusName?: string } = {}): EventBridgePublisher {
  return new EventBridgePublisher({
    client: new EventBridgeClient({ region: 'us-east-1' }),
    eventBusName: options.eventBusName,
    retry: { maxTries: options.maxTries ?? 3, baseDelayMs: 1 },
  });
}

function events(count: number): OutcomeEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const event = outcomeEvent(
      {
        status: 'completed',
        retry: false,
        bucket: 'landing',
        key: `things/${i}.csv`,
        runId: 'r',
        dataset: 'things',
        durationMs: 1,
      },
      { bronzeBucket: 'bronze', decidedAt: new Date(0) },
    );
    if (!event) throw new Error('completed is final');
    return event;
  });
}

/** The keys of the events of each PutEvents call. */
function calls(): string[][] {
  return eventBridge
    .commandCalls(PutEventsCommand)
    .map((call) => (call.args[0].input.Entries ?? []).map((e) => JSON.parse(e.Detail ?? '{}').key as string));
}

describe('EventBridgePublisher', () => {
  it('sends ten events in one PutEvents call and twenty-five in three', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })),
    }));
    await publisher().publish(events(10));
    expect(calls().map((c) => c.length)).toEqual([10]);
    eventBridge.resetHistory();
    await publisher().publish(events(25));
    expect(calls().map((c) => c.length)).toEqual([10, 10, 5]);
  });

  it('every entry names the source, the detail-type and the bus it was given', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    await publisher({ eventBusName: 'data-platform' }).publish(events(1));
    expect(eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]).toMatchObject({
      Source: 'bronze-ingest',
      DetailType: 'Bronze File Completed',
      EventBusName: 'data-platform',
    });
  });

  it('retries only the entries EventBridge failed', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [
          { EventId: 'a' },
          { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' },
          { EventId: 'c' },
        ],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }] });
    await publisher().publish(events(3));
    expect(calls()).toEqual([['things/0.csv', 'things/1.csv', 'things/2.csv'], ['things/1.csv']]);
  });

  it('gives up after its last try with an InfrastructureError naming the failure', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }],
    });
    const error = await publisher({ maxTries: 2 })
      .publish(events(1))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfrastructureError);
    expect((error as Error).message).toMatch(/after 2 tries: ThrottlingException: slow down/);
    expect(calls()).toHaveLength(2);
  });

  it('a throttled call is retried; an access denial is not', async () => {
    const throttled = Object.assign(new Error('rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    eventBridge
      .on(PutEventsCommand)
      .rejectsOnce(throttled)
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'a' }] });
    await publisher().publish(events(1));
    expect(calls()).toHaveLength(2);

    eventBridge.reset();
    const denied = Object.assign(new Error('not authorized'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    eventBridge.on(PutEventsCommand).rejects(denied);
    await expect(publisher().publish(events(1))).rejects.toThrow(/AccessDeniedException/);
    expect(calls()).toHaveLength(1);
  });
});

/** Invariant 9: one record's problem is its own, whatever the rest of its batch holds. */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { EngineLogger, FileOutcome } from '../../../lambdas/core/engine.js';
import { FileStatus } from '../../../lambdas/core/ledger.js';
import type { MessageVisibility, ReceivedMessage } from '../../../lambdas/core/ports.js';
import { createIngestHandler } from '../../../lambdas/ingest/handler.js';
import { testContract } from '../../helpers/csv.js';
import { memoryEngine } from '../../helpers/engine.js';

const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 300_000 };

/** A classic S3 notification, its key URL-encoded as S3 sends it (or as given). */
function s3Notification(encodedKey: string): string {
  return JSON.stringify({
    Records: [
      { eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'landing' }, object: { key: encodedKey } } },
    ],
  });
}

function recordingLogger() {
  const errors: { message: string; extra?: Record<string, unknown> }[] = [];
  const logger: EngineLogger = {
    info: () => undefined,
    warn: () => undefined,
    error: (message, extra) => errors.push({ message, ...(extra ? { extra } : {}) }),
  };
  return { logger, errors };
}

describe('ingest handler records', () => {
  it('completes nine good records and returns only the one whose key is malformed URL encoding', async () => {
    const engine = memoryEngine([testContract()]);
    const records: SQSRecord[] = [];
    for (let i = 0; i < 10; i++) {
      const key = `things/file ${i}.csv`;
      engine.land(key, `id,name\n${i},n${i}\n`);
      const encoded = i === 4 ? 'things/bad%E0%A4%A.csv' : encodeURIComponent(key).replace(/%20/g, '+');
      records.push({ messageId: `m-${i}`, body: s3Notification(encoded) } as SQSRecord);
    }
    const { logger, errors } = recordingLogger();
    const handler = createIngestHandler(() => ({ ...engine.deps, logger }));

    const response = await handler({ Records: records } as SQSEvent, context);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-4' }]);
    for (let i = 0; i < 10; i++) {
      if (i === 4) continue;
      const item = await engine.ledger.getFile({
        ingestionKey: 'things',
        filePath: `s3://landing/things/file ${i}.csv`,
      });
      expect(item?.status, `file ${i}`).toBe(FileStatus.Completed);
    }
    expect(errors).toEqual([
      expect.objectContaining({ extra: expect.objectContaining({ messageId: 'm-4' }) }),
    ]);
    expect(String(errors[0]?.extra?.reason)).toContain('things/bad%E0%A4%A.csv');
  });

  it('keeps going when handling one record throws, returning only that record', async () => {
    const engine = memoryEngine([testContract()]);
    engine.land('things/a.csv', 'id,name\n1,a\n');
    engine.land('things/b.csv', 'id,name\n2,b\n');
    const { logger, errors } = recordingLogger();
    const handler = createIngestHandler(() => ({
      ...engine.deps,
      logger,
      // A listener that throws for one file stands in for any unexpected error on its path.
      onOutcome: (outcome) => {
        if (outcome.key === 'things/a.csv') throw new Error('listener broke');
      },
    }));
    const event = {
      Records: ['things/a.csv', 'things/b.csv'].map((key, i) => ({
        messageId: `m-${i}`,
        body: JSON.stringify({ bucket: 'landing', key }),
      })),
    } as unknown as SQSEvent;

    const response = await handler(event, context);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
    const recordErrors = errors.filter((e) => e.extra?.messageId !== undefined);
    expect(recordErrors.map((e) => [e.message, e.extra?.messageId])).toEqual([
      ['message could not be handled; it alone returns to the queue', 'm-0'],
    ]);
    expect(
      (await engine.ledger.getFile({ ingestionKey: 'things', filePath: 's3://landing/things/b.csv' }))
        ?.status,
    ).toBe(FileStatus.Completed);
  });
});

class RecordingVisibility implements MessageVisibility {
  readonly changes: { message: ReceivedMessage; seconds: number }[] = [];
  async changeVisibility(message: ReceivedMessage, seconds: number): Promise<void> {
    this.changes.push({ message, seconds });
  }
}

function requestRecord(key: string, messageId = 'm-0'): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:ingest',
    body: JSON.stringify({ bucket: 'landing', key }),
  } as SQSRecord;
}

describe('ingest handler: the newest version is not held back by the visibility timeout', () => {
  it('brings a newer version answered busy back when the holder’s lease ends', async () => {
    const engine = memoryEngine([testContract()]);
    engine.land('things/a.csv', 'id,name\n1,a\n');
    const holder = await engine.ledger.claimFile({
      ingestionKey: 'things',
      filePath: 's3://landing/things/a.csv',
      etag: 'older-etag',
      size: 10,
      runId: 'holder',
      now: engine.clock.now(),
      leaseMs: 90_000,
      maxAttempts: 5,
    });
    expect(holder.kind).toBe('claimed');
    const visibility = new RecordingVisibility();
    const handler = createIngestHandler(() => ({ ...engine.deps, messageVisibility: visibility }));

    const response = await handler({ Records: [requestRecord('things/a.csv')] } as SQSEvent, context);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
    expect(visibility.changes).toEqual([
      {
        message: { queueArn: 'arn:aws:sqs:us-east-1:123456789012:ingest', receiptHandle: 'rh-m-0' },
        seconds: 90,
      },
    ]);
  });

  it('brings the message back at once when a newer version landed while the old one was ingested', async () => {
    const engine = memoryEngine([testContract()]);
    engine.land('things/a.csv', 'id,name\n1,a\n');
    // The overwrite lands once the old version's bytes are flowing, as it would mid-file.
    engine.store.beforeRead = (_bucket, key) => {
      engine.store.beforeRead = undefined;
      queueMicrotask(() => engine.store.putSync('landing', key, 'id,name\n2,b\n'));
    };
    const visibility = new RecordingVisibility();
    const outcomes: FileOutcome[] = [];
    const handler = createIngestHandler(() => ({
      ...engine.deps,
      messageVisibility: visibility,
      onOutcome: (o) => outcomes.push(o),
    }));

    const response = await handler({ Records: [requestRecord('things/a.csv')] } as SQSEvent, context);

    expect(outcomes.map((o) => [o.status, o.retry])).toEqual([['completed', true]]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
    expect(visibility.changes.map((c) => c.seconds)).toEqual([0]);
  });

  it('leaves an infrastructure failure to the visibility timeout', async () => {
    const engine = memoryEngine([testContract()]);
    engine.land('things/a.csv', 'id,name\n1,a\n');
    engine.store.head = async () => {
      throw new Error('S3 is down');
    };
    const visibility = new RecordingVisibility();
    const handler = createIngestHandler(() => ({ ...engine.deps, messageVisibility: visibility }));

    const response = await handler({ Records: [requestRecord('things/a.csv')] } as SQSEvent, context);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
    expect(visibility.changes).toEqual([]);
  });
});

describe('ingest handler: deliveries that cannot succeed now', () => {
  it('makes an unreadable message visible again at once, so it reaches the dead-letter queue without waiting', async () => {
    const engine = memoryEngine([testContract()]);
    const visibility = new RecordingVisibility();
    const handler = createIngestHandler(() => ({ ...engine.deps, messageVisibility: visibility }));
    const record = { ...requestRecord('things/a.csv'), body: 'this is not an event' };

    const response = await handler({ Records: [record] } as SQSEvent, context);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
    expect(visibility.changes.map((c) => c.seconds)).toEqual([0]);
  });

  it('counts a delivery of the version a live run holds as a duplicate event and drops it', async () => {
    const engine = memoryEngine([testContract()]);
    const etag = engine.land('things/a.csv', 'id,name\n1,a\n');
    await engine.ledger.claimFile({
      ingestionKey: 'things',
      filePath: 's3://landing/things/a.csv',
      etag,
      size: 12,
      runId: 'holder',
      now: engine.clock.now(),
      leaseMs: 90_000,
      maxAttempts: 5,
    });
    const handler = createIngestHandler(() => engine.deps);

    const response = await handler({ Records: [requestRecord('things/a.csv')] } as SQSEvent, context);

    expect(response.batchItemFailures).toEqual([]);
    expect(
      await engine.ledger.getFile({ ingestionKey: 'things', filePath: 's3://landing/things/a.csv' }),
    ).toMatchObject({ status: FileStatus.Processing, run_id: 'holder', duplicate_events: 1 });
  });
});

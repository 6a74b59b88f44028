import { describe, expect, it } from 'vitest';
import { ingestRequestBody, parseMessage } from '../../../lambdas/core/events.js';
import { fixture } from '../../helpers/csv.js';

const body = (name: string) => fixture('events', name).toString('utf8');

describe('parseMessage', () => {
  it('reads an EventBridge Object Created event, whose key is not URL-encoded, with the ETag and size it announces', () => {
    expect(parseMessage(body('eventbridge-object-created.json'))).toEqual({
      kind: 'files',
      requests: [
        {
          bucket: 'landing-bucket',
          key: 'orders/2024-03-01 orders.csv',
          reason: 'event',
          etag: 'b1946ac92492d2347c6235b4d2611184',
          size: 1200,
          eventTime: '2024-03-01T10:00:00Z',
        },
      ],
    });
  });

  it('reads a classic S3 notification and decodes its URL-encoded key with + for space, with the ETag and size it announces', () => {
    expect(parseMessage(body('s3-notification.json'))).toEqual({
      kind: 'files',
      requests: [
        {
          bucket: 'landing-bucket',
          key: 'orders/2024-03-01 orders (1).csv',
          reason: 'event',
          etag: 'b1946ac92492d2347c6235b4d2611184',
          size: 1200,
          eventTime: '2024-03-01T10:00:00.000Z',
        },
      ],
    });
  });

  it('announces no version when an event lacks the size or gives a quoted ETag without one', () => {
    const event = (object: Record<string, unknown>) =>
      JSON.stringify({ 'detail-type': 'Object Created', detail: { bucket: { name: 'b' }, object } });
    expect(parseMessage(event({ key: 'k.csv', etag: 'e1' }))).toEqual({
      kind: 'files',
      requests: [{ bucket: 'b', key: 'k.csv', reason: 'event' }],
    });
    expect(parseMessage(event({ key: 'k.csv', etag: '"e1"', size: 5, 'version-id': 'v7' }))).toEqual({
      kind: 'files',
      requests: [{ bucket: 'b', key: 'k.csv', reason: 'event', etag: 'e1', size: 5, versionId: 'v7' }],
    });
  });

  it('ignores the s3:TestEvent S3 sends when notifications are configured', () => {
    expect(parseMessage(body('s3-test-event.json'))).toEqual({ kind: 'test' });
  });

  it('round-trips the requests the sweep and the CLI send', () => {
    const request = { bucket: 'b', key: 'k/x.csv', reason: 'reprocess' as const, reprocess: true };
    expect(parseMessage(ingestRequestBody(request))).toEqual({ kind: 'files', requests: [request] });
  });

  it('reads a request without optional fields', () => {
    expect(parseMessage('{"bucket":"landing","key":"k"}')).toEqual({
      kind: 'files',
      requests: [{ bucket: 'landing', key: 'k' }],
    });
  });

  it.each([
    'not json',
    '[1,2]',
    '{"hello":"world"}',
    '{"detail-type":"Object Created","detail":{}}',
    '{"bucket":"landing"}',
    '{"bucket":"","key":"k"}',
    '{"bucket":"b","key":"k","reason":"whim"}',
    '{"bucket":"b","key":"k","reprocess":"yes"}',
  ])('calls %s unrecognised', (text) => {
    expect(parseMessage(text).kind).toBe('unrecognised');
  });
});

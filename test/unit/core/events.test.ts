import { describe, expect, it } from 'vitest';
import { ingestRequestBody, parseMessage } from '../../../lambdas/core/events.js';
import { fixture } from '../../helpers/csv.js';

const body = (name: string) => fixture('events', name).toString('utf8');

describe('parseMessage', () => {
  it('reads an EventBridge Object Created event, whose key is not URL-encoded', () => {
    expect(parseMessage(body('eventbridge-object-created.json'))).toEqual({
      kind: 'files',
      requests: [{ bucket: 'landing-bucket', key: 'orders/2024-03-01 orders.csv', reason: 'event' }],
    });
  });

  it('reads a classic S3 notification and decodes its URL-encoded key with + for space', () => {
    expect(parseMessage(body('s3-notification.json'))).toEqual({
      kind: 'files',
      requests: [{ bucket: 'landing-bucket', key: 'orders/2024-03-01 orders (1).csv', reason: 'event' }],
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

/** Claim 4 of issue 10: no configuration can strand a crashed file behind its own lease. */
import { Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { checkVisibilityCoversLease, ingestLeaseSeconds } from '../../lib/lease-check.js';
import { synthesize } from './synth.js';

describe('the ingest queue visibility timeout covers the claim lease', () => {
  it('refuses at synth a visibility timeout shorter than the function timeout plus 60 s, naming both props', () => {
    expect(() =>
      synthesize({
        props: { ingestTimeout: Duration.minutes(10), ingestQueueVisibilityTimeout: Duration.minutes(10) },
      }),
    ).toThrow(/ingestQueueVisibilityTimeout \(600 s\).*ingestTimeout \(600 s\).*at least 660 s/s);
  });

  it('accepts a visibility timeout equal to the lease', () => {
    const { template } = synthesize({
      props: { ingestTimeout: Duration.seconds(30), ingestQueueVisibilityTimeout: Duration.seconds(90) },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 90 });
  });

  it('is a pure check: the lease is the whole function timeout plus the engine margin', () => {
    expect(ingestLeaseSeconds(16)).toBe(76);
    expect(() =>
      checkVisibilityCoversLease({ visibilityTimeoutSeconds: 75, functionTimeoutSeconds: 16 }),
    ).toThrow(/shorter than the ingest lease/);
    expect(() =>
      checkVisibilityCoversLease({ visibilityTimeoutSeconds: 76, functionTimeoutSeconds: 16 }),
    ).not.toThrow();
  });
});

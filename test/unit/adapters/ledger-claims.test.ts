import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ClaimPlan, planClaim } from '../../../lambdas/adapters/ledger-claims.js';
import {
  type ClaimRequest,
  FileStatus,
  HISTORY_LIMIT,
  type LedgerItem,
} from '../../../lambdas/core/ledger.js';

const NOW = Date.parse('2026-05-01T00:00:00.000Z');

const requestArbitrary: fc.Arbitrary<ClaimRequest> = fc.record({
  ingestionKey: fc.constant('sales'),
  filePath: fc.constant('s3://landing/a.csv'),
  etag: fc.constantFrom('etag-1', 'etag-2'),
  size: fc.nat(),
  runId: fc.constant('run-new'),
  now: fc.constant(new Date(NOW)),
  leaseMs: fc.integer({ min: 1, max: 900_000 }),
  maxAttempts: fc.integer({ min: 1, max: 5 }),
});

const itemArbitrary: fc.Arbitrary<LedgerItem> = fc
  .record({
    status: fc.constantFrom(...Object.values(FileStatus)),
    file_etag: fc.constantFrom('etag-1', 'etag-2'),
    attempts: fc.integer({ min: 1, max: 6 }),
    lease_until: fc.option(fc.integer({ min: NOW - 60_000, max: NOW + 60_000 }), { nil: undefined }),
    reprocess_requested_at: fc.option(fc.constant('2026-04-30T00:00:00.000Z'), { nil: undefined }),
    history_length: fc.integer({ min: 0, max: HISTORY_LIMIT }),
  })
  .map(({ history_length, ...fields }) => ({
    ingestion_key: 'sales',
    file_path: 's3://landing/a.csv',
    status_at: `${fields.status}#2026-04-01T00:00:00.000Z`,
    file_size: 1,
    run_id: 'run-old',
    first_seen_at: '2026-04-01T00:00:00.000Z',
    updated_at: '2026-04-01T00:00:00.000Z',
    ...fields,
    history: Array.from({ length: history_length }, (_, i) => ({
      file_etag: `old-${i}`,
      file_size: i,
      status: FileStatus.Completed,
      replaced_at_iso: '2026-04-01T00:00:00.000Z',
    })),
  }));

function expressionsOf(plan: Exclude<ClaimPlan, { kind: 'answer' }>): string {
  const input = plan.input as { UpdateExpression?: string; ConditionExpression?: string };
  return `${input.UpdateExpression ?? ''} ${input.ConditionExpression ?? ''}`;
}

function placeholders(expression: string, sigil: ':' | '#'): Set<string> {
  return new Set(expression.match(new RegExp(`${sigil}[A-Za-z]+`, 'g')) ?? []);
}

describe('planClaim', () => {
  it('conditions every write it plans on what was observed', () => {
    fc.assert(
      fc.property(fc.option(itemArbitrary, { nil: undefined }), requestArbitrary, (observed, request) => {
        const plan = planClaim(observed, request);
        if (plan.kind === 'answer') return;
        expect(plan.input.ConditionExpression).toBeTruthy();
      }),
    );
  });

  it('defines every placeholder it uses and uses every one it defines, as DynamoDB demands', () => {
    fc.assert(
      fc.property(fc.option(itemArbitrary, { nil: undefined }), requestArbitrary, (observed, request) => {
        const plan = planClaim(observed, request);
        if (plan.kind === 'answer') return;
        const expressions = expressionsOf(plan);
        const values = Object.keys(plan.input.ExpressionAttributeValues ?? {});
        const names = Object.keys(plan.input.ExpressionAttributeNames ?? {});
        expect(new Set(values)).toEqual(placeholders(expressions, ':'));
        expect(new Set(names)).toEqual(placeholders(expressions, '#'));
      }),
    );
  });

  it('never claims a file whose lease is still live', () => {
    fc.assert(
      fc.property(itemArbitrary, requestArbitrary, (observed, request) => {
        const live = observed.status === FileStatus.Processing && (observed.lease_until ?? 0) > NOW;
        if (live)
          expect(planClaim(observed, request)).toEqual({
            kind: 'answer',
            outcome: { kind: 'busy', item: observed },
          });
      }),
    );
  });

  it('keeps at most HISTORY_LIMIT earlier versions, the replaced one first', () => {
    fc.assert(
      fc.property(itemArbitrary, requestArbitrary, (observed, request) => {
        const plan = planClaim(observed, request);
        if (plan.kind !== 'put' || observed.file_etag === request.etag) return;
        expect(plan.item.history?.length).toBeLessThanOrEqual(HISTORY_LIMIT);
        expect(plan.item.history?.[0]?.file_etag).toBe(observed.file_etag);
      }),
    );
  });

  it('counts a repeated event for a finished ETag unless a reprocess was asked for', () => {
    fc.assert(
      fc.property(itemArbitrary, requestArbitrary, (observed, request) => {
        const finished = observed.status === FileStatus.Completed || observed.status === FileStatus.Rejected;
        if (!finished || observed.file_etag !== request.etag) return;
        const expected = observed.reprocess_requested_at === undefined ? 'duplicate' : 'update';
        expect(planClaim(observed, request).kind).toBe(expected);
      }),
    );
  });
});

describe('planClaim on an expired lease', () => {
  const dead = (attempts: number, reprocess?: string): LedgerItem => ({
    ingestion_key: 'sales',
    file_path: 's3://landing/a.csv',
    status: FileStatus.Processing,
    status_at: 'processing#2026-04-01T00:00:00.000Z',
    file_etag: 'etag-1',
    file_size: 1,
    attempts,
    lease_until: NOW - 1,
    run_id: 'run-dead',
    first_seen_at: '2026-04-01T00:00:00.000Z',
    updated_at: '2026-04-01T00:00:00.000Z',
    ...(reprocess ? { reprocess_requested_at: reprocess } : {}),
  });
  const request: ClaimRequest = {
    ingestionKey: 'sales',
    filePath: 's3://landing/a.csv',
    etag: 'etag-1',
    size: 1,
    runId: 'run-new',
    now: new Date(NOW),
    leaseMs: 1000,
    maxAttempts: 3,
  };

  it('takes over a dead run under the attempt limit', () => {
    expect(planClaim(dead(2), request).kind).toBe('update');
  });

  it('stops taking over a file whose runs keep dying once the attempt limit is reached', () => {
    expect(planClaim(dead(3), request)).toMatchObject({ kind: 'answer', outcome: { kind: 'exhausted' } });
  });

  it('takes over at the limit when an operator asked for a reprocess', () => {
    expect(planClaim(dead(3, '2026-04-30T00:00:00.000Z'), request).kind).toBe('update');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadContracts } from '../../../lambdas/core/contract.js';
import { ingestObject } from '../../../lambdas/core/engine.js';
import { quarantineKeysFor } from '../../../lambdas/core/layout.js';
import { FileStatus } from '../../../lambdas/core/ledger.js';
import { fixture, testContract } from '../../helpers/csv.js';
import { BUCKETS, bronzeKeysIn, memoryEngine, readParquet } from '../../helpers/engine.js';

const strict = testContract();
const lenient = testContract({ error_policy: { mode: 'quarantine_rows', max_bad_rows: 2 } });

/** The rows a file set aside in quarantine (one JSON object per line). */
function quarantinedRows(engine: ReturnType<typeof memoryEngine>, key: string) {
  const object = engine.store.get(BUCKETS.quarantine, quarantineKeysFor('things', 'landing', key).rows);
  return object!.body
    .toString()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

function bronzeOf(engine: ReturnType<typeof memoryEngine>, key: string) {
  const [bronzeKey] = bronzeKeysIn(engine.store, 'things', key);
  const object = bronzeKey === undefined ? undefined : engine.store.get(BUCKETS.bronze, bronzeKey);
  return object ? readParquet(object.body) : undefined;
}

describe('ingestObject', () => {
  it('writes bronze with every lineage column and completes the file', async () => {
    const engine = memoryEngine([strict]);
    const etag = engine.land('things/a.csv', fixture('csv', 'quoted-newlines.csv'));
    const outcome = await engine.ingest('things/a.csv', { runId: 'run-A' });
    expect(outcome).toMatchObject({ status: 'completed', retry: false, rowsIngested: 3, rowsRejected: 0 });
    const rows = await bronzeOf(engine, 'things/a.csv');
    expect(rows).toEqual([
      expect.objectContaining({ id: '1', name: 'multi\nline, with comma', _source_row: 2n }),
      expect.objectContaining({ id: '2', name: 'say "hi"', _source_row: 4n }),
      expect.objectContaining({ id: '3', name: 'plain', _source_row: 5n }),
    ]);
    for (const row of rows!) {
      expect(row).toMatchObject({
        _source_file: 's3://landing/things/a.csv',
        _source_etag: etag,
        _run_id: 'run-A',
      });
      expect(row._ingested_at).toEqual(new Date('2024-03-01T12:00:00Z'));
    }
    const item = await engine.ledger.getFile({
      ingestionKey: 'things',
      filePath: 's3://landing/things/a.csv',
    });
    expect(item).toMatchObject({
      status: FileStatus.Completed,
      file_etag: etag,
      rows_ingested: 3,
      rows_rejected: 0,
      bronze_path: `s3://bronze/${bronzeKeysIn(engine.store, 'things', 'things/a.csv')[0]}`,
    });
  });

  it('writes a load time past the years a double holds exactly in microseconds (2255)', async () => {
    const engine = memoryEngine([strict]);
    engine.clock.current = new Date('2300-01-01T00:00:00.123Z');
    engine.land('things/a.csv', 'id,name\n1,x\n2,y\n');
    expect(await engine.ingest('things/a.csv')).toMatchObject({ status: 'completed', rowsIngested: 2 });
    const rows = await bronzeOf(engine, 'things/a.csv');
    expect(rows!.map((r) => r._ingested_at)).toEqual([engine.clock.current, engine.clock.current]);
  });

  it('puts source ETag, file and run id in the bronze object metadata', async () => {
    const engine = memoryEngine([strict]);
    const etag = engine.land('things/a.csv', 'id,name\n1,x\n');
    await engine.ingest('things/a.csv', { runId: 'run-M' });
    const [bronzeKey] = bronzeKeysIn(engine.store, 'things', 'things/a.csv');
    const object = engine.store.get(BUCKETS.bronze, bronzeKey!)!;
    expect(object.metadata).toMatchObject({
      'source-etag': etag,
      'source-file': 's3://landing/things/a.csv',
      'run-id': 'run-M',
    });
  });

  it('skips a second event for the same ETag and counts it as a duplicate', async () => {
    const engine = memoryEngine([strict]);
    engine.land('things/a.csv', 'id,name\n1,x\n');
    await engine.ingest('things/a.csv');
    const second = await engine.ingest('things/a.csv');
    expect(second).toMatchObject({ status: 'duplicate', retry: false });
    expect(
      (await engine.ledger.getFile({ ingestionKey: 'things', filePath: 's3://landing/things/a.csv' }))
        ?.duplicate_events,
    ).toBe(1);
    expect(engine.store.keys(BUCKETS.bronze)).toHaveLength(1);
  });

  it('replaces bronze when a new version lands and records the old one in history', async () => {
    const engine = memoryEngine([strict]);
    const first = engine.land('things/a.csv', 'id,name\n1,x\n');
    await engine.ingest('things/a.csv');
    engine.land('things/a.csv', 'id,name\n1,x\n2,y\n');
    expect(await engine.ingest('things/a.csv')).toMatchObject({ status: 'completed', rowsIngested: 2 });
    expect(engine.store.keys(BUCKETS.bronze)).toHaveLength(1);
    expect(await bronzeOf(engine, 'things/a.csv')).toHaveLength(2);
    const item = await engine.ledger.getFile({
      ingestionKey: 'things',
      filePath: 's3://landing/things/a.csv',
    });
    expect(item?.history?.[0]).toMatchObject({
      file_etag: first,
      status: FileStatus.Completed,
      rows_ingested: 1,
    });
  });

  it('rejects a bad header, copies the file to quarantine and writes a readable report', async () => {
    const engine = memoryEngine([strict]);
    const etag = engine.land('things/bad.csv', 'name,id,extra\nx,1,z\n');
    const outcome = await engine.ingest('things/bad.csv');
    expect(outcome).toMatchObject({
      status: 'rejected',
      retry: false,
      error: { code: 'HEADER_MISMATCH', line: 1 },
    });
    const keys = quarantineKeysFor('things', 'landing', 'things/bad.csv');
    expect(engine.store.get(BUCKETS.quarantine, keys.copy)?.body.toString()).toBe('name,id,extra\nx,1,z\n');
    const report = JSON.parse(engine.store.get(BUCKETS.quarantine, keys.report)!.body.toString());
    expect(report).toMatchObject({
      dataset: 'things',
      file: 's3://landing/things/bad.csv',
      etag,
      reason_code: 'HEADER_MISMATCH',
      first_bad_line: 1,
      data_rows: 1,
      rows_ingested: 0,
      rows_rejected: 1,
    });
    expect(report.message).toContain('unexpected: extra');
    expect(report.message).toContain('misordered');
    expect(engine.store.keys(BUCKETS.bronze)).toEqual([]);
    const item = await engine.ledger.getFile({
      ingestionKey: 'things',
      filePath: 's3://landing/things/bad.csv',
    });
    expect(item).toMatchObject({ status: FileStatus.Rejected, error: { code: 'HEADER_MISMATCH' } });
  });

  it('rejects the whole file on the first bad row under the abort policy, still counting every row', async () => {
    const engine = memoryEngine([strict]);
    engine.land('things/r.csv', fixture('csv', 'ragged.csv'));
    const outcome = await engine.ingest('things/r.csv');
    expect(outcome).toMatchObject({
      status: 'rejected',
      rowsIngested: 0,
      rowsRejected: 5,
      error: { code: 'BAD_ROW', line: 3 },
    });
    expect(engine.store.keys(BUCKETS.bronze)).toEqual([]);
  });

  it('keeps good rows and quarantines bad ones with their lines under the threshold', async () => {
    const engine = memoryEngine([lenient]);
    engine.land('things/r.csv', fixture('csv', 'ragged.csv'));
    const outcome = await engine.ingest('things/r.csv');
    expect(outcome).toMatchObject({ status: 'completed', rowsIngested: 3, rowsRejected: 2 });
    expect((await bronzeOf(engine, 'things/r.csv'))!.map((r) => r._source_row)).toEqual([2n, 4n, 6n]);
    expect(quarantinedRows(engine, 'things/r.csv')).toEqual([
      { line: 3, reason: 'has 1 fields, expected 2', fields: ['2'] },
      { line: 5, reason: 'has 3 fields, expected 2', fields: ['4', 'delta', 'extra'] },
    ]);
  });

  it('keeps non-ASCII text byte for byte in bronze, header names, messages and quarantined rows', async () => {
    const engine = memoryEngine([
      testContract({
        columns: [{ name: 'id', type: 'int64' }, { name: 'prénom' }],
        error_policy: { mode: 'quarantine_rows', max_bad_rows: 5 },
      }),
    ]);
    const names = ['café crème', '東京 出荷', 'Zürich ✓', '😀 e\u0301', 'ascii only', 'Ærø "øl", quoted'];
    const lines = ['\uFEFFid,prénom'];
    // Enough rows for several 64 KiB text chunks, and 1000-byte reads that cut characters in two.
    for (let i = 0; i < 6000; i++) {
      const name = names[i % names.length]!;
      lines.push(`${i},${/[",]/.test(name) ? `"${name.replaceAll('"', '""')}"` : name}`);
    }
    lines.push('7€,Müller');
    const key = 'things/été 東京.csv';
    engine.land(key, `${lines.join('\n')}\n`);
    const outcome = await engine.ingest(key);
    expect(outcome).toMatchObject({ status: 'completed', rowsIngested: 6000, rowsRejected: 1 });
    const rows = (await bronzeOf(engine, key))!;
    expect(rows.map((r) => r.prénom)).toEqual(
      Array.from({ length: 6000 }, (_, i) => names[i % names.length]),
    );
    // The lineage strings are non-ASCII too.
    expect(new Set(rows.map((r) => r._source_file))).toEqual(new Set([`s3://landing/${key}`]));
    expect(quarantinedRows(engine, key)).toEqual([
      { line: 6002, reason: 'field id: cannot read "7€" as int64', fields: ['7€', 'Müller'] },
    ]);
  });

  it.each([
    ['all-string', [{ name: 'id' }, { name: 'name' }]],
    ['typed', [{ name: 'id', type: 'int64' }, { name: 'name' }]],
  ])('quarantines a row with a field over max_field_bytes (%s contract)', async (_, columns) => {
    const engine = memoryEngine([
      testContract({
        columns,
        limits: { max_field_bytes: 12 },
        error_policy: { mode: 'quarantine_rows', max_bad_rows: 5 },
      }),
    ]);
    engine.land('things/l.csv', 'id,name\n1,twelve bytes\n2,thirteen byte\n3,ééééééé\n4,ok\n');
    expect(await engine.ingest('things/l.csv')).toMatchObject({ rowsIngested: 2, rowsRejected: 2 });
    expect(quarantinedRows(engine, 'things/l.csv').map((r) => r.reason)).toEqual([
      'field name is longer than 12 bytes',
      'field name is longer than 12 bytes',
    ]);
  });

  it('rejects the file when bad rows pass the count threshold', async () => {
    const engine = memoryEngine([
      testContract({ error_policy: { mode: 'quarantine_rows', max_bad_rows: 1 } }),
    ]);
    engine.land('things/r.csv', fixture('csv', 'ragged.csv'));
    expect(await engine.ingest('things/r.csv')).toMatchObject({
      status: 'rejected',
      rowsRejected: 5,
      error: { code: 'TOO_MANY_BAD_ROWS', line: 3 },
    });
  });

  it('rejects the file when bad rows pass the percentage threshold', async () => {
    const engine = memoryEngine([
      testContract({ error_policy: { mode: 'quarantine_rows', max_bad_rows_percent: 30 } }),
    ]);
    engine.land('things/r.csv', fixture('csv', 'ragged.csv'));
    expect(await engine.ingest('things/r.csv')).toMatchObject({
      status: 'rejected',
      error: { code: 'TOO_MANY_BAD_ROWS' },
    });
  });

  it.each([
    ['empty.csv', 'EMPTY'],
    ['invalid-utf8.csv', 'INVALID_UTF8'],
  ])('rejects %s with code %s', async (name, code) => {
    const engine = memoryEngine([strict]);
    engine.land(`things/${name}`, fixture('csv', name));
    expect(await engine.ingest(`things/${name}`)).toMatchObject({ status: 'rejected', error: { code } });
  });

  it('completes a header-only file with zero rows and writes no bronze object', async () => {
    const engine = memoryEngine([strict]);
    engine.land('things/h.csv', fixture('csv', 'header-only.csv'));
    expect(await engine.ingest('things/h.csv')).toMatchObject({ status: 'completed', rowsIngested: 0 });
    expect(engine.store.keys(BUCKETS.bronze)).toEqual([]);
    const item = await engine.ledger.getFile({
      ingestionKey: 'things',
      filePath: 's3://landing/things/h.csv',
    });
    expect(item).toMatchObject({ status: FileStatus.Completed, rows_ingested: 0 });
    expect(item?.bronze_path).toBeUndefined();
  });

  it('reads gzip sources by extension', async () => {
    const engine = memoryEngine([testContract({ sources: [{ prefix: 'things/', suffix: '.csv.gz' }] })]);
    engine.land('things/p.csv.gz', fixture('csv', 'plain.csv.gz'));
    expect(await engine.ingest('things/p.csv.gz')).toMatchObject({ status: 'completed', rowsIngested: 2 });
  });

  it('ignores objects no contract claims and folder markers', async () => {
    const engine = memoryEngine([strict]);
    engine.land('elsewhere/a.csv', 'x');
    engine.land('things/', '');
    expect(await engine.ingest('elsewhere/a.csv')).toMatchObject({ status: 'ignored', retry: false });
    expect(await engine.ingest('things/')).toMatchObject({ status: 'ignored', retry: false });
  });

  it('stops with a retry when the object changes between claim and read, and the newer version wins', async () => {
    const engine = memoryEngine([strict]);
    engine.land('things/a.csv', 'id,name\n1,old\n');
    engine.store.beforeRead = () => {
      engine.store.beforeRead = undefined;
      engine.land('things/a.csv', 'id,name\n1,new\n2,new\n');
    };
    expect(await engine.ingest('things/a.csv')).toMatchObject({
      status: 'changed',
      retry: true,
      error: { code: 'OBJECT_CHANGED' },
    });
    expect(engine.store.keys(BUCKETS.bronze)).toEqual([]);
    expect(await engine.ingest('things/a.csv')).toMatchObject({ status: 'completed', rowsIngested: 2 });
  });

  it('marks an infrastructure error failed and asks for a retry', async () => {
    const engine = memoryEngine([strict]);
    engine.land('things/a.csv', 'id,name\n1,x\n');
    engine.store.beforeRead = () => {
      throw new Error('socket hang up');
    };
    expect(await engine.ingest('things/a.csv')).toMatchObject({ status: 'failed', retry: true });
    const item = await engine.ledger.getFile({
      ingestionKey: 'things',
      filePath: 's3://landing/things/a.csv',
    });
    expect(item).toMatchObject({
      status: FileStatus.Failed,
      attempts: 1,
      error: { message: 'socket hang up' },
    });
  });

  it('leaves a file held by a live run alone and lets an expired lease be taken over', async () => {
    const engine = memoryEngine([strict]);
    engine.land('things/a.csv', 'id,name\n1,x\n');
    await engine.ledger.claimFile({
      ingestionKey: 'things',
      filePath: 's3://landing/things/a.csv',
      etag: engine.store.get('landing', 'things/a.csv')!.etag,
      size: 12,
      runId: 'crashed',
      now: engine.clock.now(),
      leaseMs: 120_000,
      maxAttempts: 5,
    });
    expect(await engine.ingest('things/a.csv')).toMatchObject({ status: 'busy', retry: false });
    engine.clock.advance(121_000);
    expect(await engine.ingest('things/a.csv')).toMatchObject({ status: 'completed' });
    const item = await engine.ledger.getFile({
      ingestionKey: 'things',
      filePath: 's3://landing/things/a.csv',
    });
    expect(item).toMatchObject({ attempts: 2 });
  });

  it('ingests every sample of the shipped contracts to the outcome its name promises', async () => {
    const engine = memoryEngine(loadContracts('datasets'));
    const samples: Array<[string, string]> = [
      ['orders/2024-03-01.csv', 'completed'],
      ['orders/2024-03-03-ragged.csv', 'completed'],
      ['orders/2024-03-04-too-many-bad.csv', 'rejected'],
      ['orders/2024-03-05-bad-header.csv', 'rejected'],
      ['orders/2024-03-06-header-only.csv', 'completed'],
      ['orders/2024-03-07-empty.csv', 'rejected'],
      ['orders/2024-03-08-latin1.csv', 'rejected'],
      ['partners/orders/2024-03-01-partner.csv.gz', 'completed'],
      ['customers/2024-03-02-reordered.csv', 'completed'],
      ['customers/2024-03-03-bad-row.csv', 'rejected'],
    ];
    for (const [key, status] of samples) {
      engine.land(key, fixture('..', '..', 'samples', ...key.split('/')));
      expect(await engine.ingest(key), key).toMatchObject({ status });
    }
  });
});

describe('schema evolution', () => {
  const evolving = testContract({
    columns: [
      { name: 'id', type: 'int64', nullable: false },
      { name: 'name' },
      { name: 'amount', type: 'double' },
    ],
    schema_evolution: { unexpected_columns: 'rescue', missing_columns: 'null', bad_values: 'rescue' },
  });

  it('writes rescued values to _rescued_data and records the drift on the ledger item and the outcome', async () => {
    const engine = memoryEngine([evolving]);
    engine.land('things/d.csv', 'id,name,region\n1,a,north\n2,b,\n');
    const outcome = await engine.ingest('things/d.csv');
    expect(outcome).toMatchObject({
      status: 'completed',
      rowsIngested: 2,
      drift: { columnsMissing: ['amount'], columnsUnexpected: ['region'], valuesRescued: { region: 1 } },
    });
    const rows = await bronzeOf(engine, 'things/d.csv');
    expect(rows).toEqual([
      expect.objectContaining({ id: 1n, name: 'a', amount: null, _rescued_data: '{"region":"north"}' }),
      expect.objectContaining({ id: 2n, name: 'b', amount: null, _rescued_data: null }),
    ]);
    const item = await engine.ledger.getFile({
      ingestionKey: 'things',
      filePath: 's3://landing/things/d.csv',
    });
    expect(item).toMatchObject({
      columns_missing: ['amount'],
      columns_unexpected: ['region'],
      values_rescued: { region: 1 },
    });
  });

  it("logs the drift on the file's outcome line", async () => {
    const engine = memoryEngine([evolving]);
    const lines: Array<[string, Record<string, unknown> | undefined]> = [];
    const record = (message: string, extra?: Record<string, unknown>) => void lines.push([message, extra]);
    const deps = { ...engine.deps, logger: { info: record, warn: record, error: record } };
    engine.land('things/d.csv', 'id,name,amount\n1,a,x\n');
    await ingestObject(
      deps,
      { bucket: BUCKETS.landing, key: 'things/d.csv' },
      { runId: 'r', remainingMs: () => 60_000 },
    );
    expect(lines).toContainEqual([
      'file completed',
      expect.objectContaining({ drift: expect.objectContaining({ valuesRescued: { amount: 1 } }) }),
    ]);
  });

  it('clears the drift of an earlier version when a clean version completes', async () => {
    const engine = memoryEngine([evolving]);
    engine.land('things/d.csv', 'id,name,amount\n1,a,x\n');
    await engine.ingest('things/d.csv');
    engine.land('things/d.csv', 'id,name,amount\n1,a,1.5\n');
    expect((await engine.ingest('things/d.csv')).drift).toBeUndefined();
    const item = await engine.ledger.getFile({
      ingestionKey: 'things',
      filePath: 's3://landing/things/d.csv',
    });
    expect(item?.values_rescued).toBeUndefined();
  });

  it('has no _rescued_data column in bronze of a dataset that does not rescue', async () => {
    const engine = memoryEngine([testContract({ schema_evolution: { unexpected_columns: 'ignore' } })]);
    engine.land('things/i.csv', 'id,name,extra\n1,a,z\n');
    expect(await engine.ingest('things/i.csv')).toMatchObject({
      status: 'completed',
      drift: { columnsUnexpected: ['extra'] },
    });
    const [row] = (await bronzeOf(engine, 'things/i.csv'))!;
    expect(Object.keys(row!)).not.toContain('_rescued_data');
  });
});

describe('encodings', () => {
  it.each([
    ['windows-1252', 'windows-1252.csv', 'Café crème'],
    ['utf-16', 'utf-16be-bom.csv', '日本語'],
  ])('ingests a %s file as UTF-8 text in bronze', async (encoding, name, text) => {
    const engine = memoryEngine([testContract({ encoding, header: { extra_columns: 'allow' } })]);
    engine.land('things/e.csv', fixture('csv', name));
    expect(await engine.ingest('things/e.csv')).toMatchObject({ status: 'completed' });
    const rows = await bronzeOf(engine, 'things/e.csv');
    expect(rows![0]).toMatchObject({ id: '1', name: text });
  });
});

describe('row accounting', () => {
  /** The quarantine report of a rejected file. */
  const reportOf = (engine: ReturnType<typeof memoryEngine>, key: string) =>
    JSON.parse(
      engine.store
        .get(BUCKETS.quarantine, quarantineKeysFor('things', 'landing', key).report)!
        .body.toString(),
    );

  it('counts the data rows before undecodable bytes and names their line', async () => {
    const engine = memoryEngine([strict]);
    const good = Array.from({ length: 5 }, (_, i) => `${i + 1},ok\n`).join('');
    engine.land(
      'things/u.csv',
      Buffer.concat([Buffer.from(`id,name\n${good}6,caf`), Buffer.from([0xe9, 0x0a])]),
    );
    const outcome = await engine.ingest('things/u.csv');
    expect(outcome).toMatchObject({
      status: 'rejected',
      rowsRejected: 5,
      error: { code: 'INVALID_UTF8', line: 7 },
    });
    expect(reportOf(engine, 'things/u.csv')).toMatchObject({
      data_rows: 5,
      rows_rejected: 5,
      first_bad_line: 7,
    });
  });

  it('reports the Latin-1 sample on its second and last line', async () => {
    const engine = memoryEngine(loadContracts('datasets'));
    const key = 'orders/2024-03-08-latin1.csv';
    engine.land(key, fixture('..', '..', 'samples', 'orders', '2024-03-08-latin1.csv'));
    expect(await engine.ingest(key)).toMatchObject({ error: { code: 'INVALID_UTF8', line: 2 } });
  });

  it('quarantines a record longer than max_record_bytes as one bad row and ingests the rest', async () => {
    const engine = memoryEngine([
      testContract({
        error_policy: { mode: 'quarantine_rows', max_bad_rows: 1 },
        limits: { max_record_bytes: 100_000, max_field_bytes: 100_000 },
      }),
    ]);
    engine.land('things/l.csv', `id,name\n1,a\n2,${'x'.repeat(300_000)}\n3,b\n`);
    const outcome = await engine.ingest('things/l.csv');
    expect(outcome).toMatchObject({ status: 'completed', rowsIngested: 2, rowsRejected: 1 });
    expect((await bronzeOf(engine, 'things/l.csv'))!.map((r) => r._source_row)).toEqual([2n, 4n]);
    const [bad] = quarantinedRows(engine, 'things/l.csv');
    expect(bad).toMatchObject({ line: 3, reason: expect.stringContaining('longer than 100000 bytes') });
    expect(bad.fields[0]).toHaveLength(1024);
  });

  it('rejects a record longer than max_record_bytes under abort, counting every row and naming the cause', async () => {
    const engine = memoryEngine([
      testContract({ limits: { max_record_bytes: 100_000, max_field_bytes: 100_000 } }),
    ]);
    engine.land('things/l.csv', `id,name\n1,a\n2,${'x'.repeat(300_000)}\n3,b\n`);
    const outcome = await engine.ingest('things/l.csv');
    expect(outcome).toMatchObject({
      status: 'rejected',
      rowsRejected: 3,
      error: { code: 'BAD_ROW', line: 3 },
    });
    expect(outcome.error?.message).not.toContain('unterminated quote');
  });

  it('copies a rejected empty file to quarantine, as every rejected file', async () => {
    const engine = memoryEngine([strict]);
    engine.land('things/e.csv', '');
    expect(await engine.ingest('things/e.csv')).toMatchObject({
      status: 'rejected',
      error: { code: 'EMPTY' },
    });
    const keys = quarantineKeysFor('things', 'landing', 'things/e.csv');
    expect(engine.store.get(BUCKETS.quarantine, keys.copy)?.body.length).toBe(0);
    expect(reportOf(engine, 'things/e.csv').quarantined_copy).toBe(`s3://quarantine/${keys.copy}`);
  });

  it('holds rows_ingested + rows_rejected = data rows and bronze rows = rows_ingested for any mix of good and bad rows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('good', 'short', 'long', 'blank'), { maxLength: 40 }),
        async (kinds) => {
          const engine = memoryEngine([
            testContract({ error_policy: { mode: 'quarantine_rows', max_bad_rows_percent: 100 } }),
          ]);
          const lines = kinds.map((k, i) =>
            k === 'good' ? `${i},n${i}` : k === 'short' ? `${i}` : k === 'long' ? `${i},a,b` : '',
          );
          engine.land('things/p.csv', `id,name\n${lines.join('\n')}\n`);
          const outcome = await engine.ingest('things/p.csv');
          const dataRows = kinds.filter((k) => k !== 'blank').length;
          expect(outcome.status).toBe('completed');
          expect(outcome.rowsIngested! + outcome.rowsRejected!).toBe(dataRows);
          const rows = (await bronzeOf(engine, 'things/p.csv')) ?? [];
          expect(rows).toHaveLength(outcome.rowsIngested!);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('classifies every failure of arbitrary bytes as a data outcome, never an unclassified error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const engine = memoryEngine([strict]);
        engine.land('things/x.csv', Buffer.concat([Buffer.from('id,name\n'), bytes]));
        const outcome = await engine.ingest('things/x.csv');
        expect(['completed', 'rejected']).toContain(outcome.status);
      }),
      { numRuns: 150 },
    );
  });
});

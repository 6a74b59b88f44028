import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deoptimizationsOf, runTracedV8 } from '../../helpers/v8-trace.js';

const PARQUET = fileURLToPath(new URL('../../../lambdas/core/parquet/index.ts', import.meta.url));

/**
 * Typed columns as the converter hands them over (NumberValues, blocks of 500 rows, row groups of
 * 10,000), in a process of their own with V8's optimizations traced. Like the bench file's typed
 * columns, in its order: ids (small integers) ahead of amounts and timestamps (numbers past 2^31),
 * a date and a timestamp with nulls, booleans, then the lineage's line numbers and load time.
 */
const SCRIPT = `
const { NumberValues, ParquetWriter } = await import(${JSON.stringify(PARQUET)});
const columns = [
  { name: 'id', type: 'int64', nullable: false },
  { name: 'account', type: 'int64', nullable: true },
  { name: 'amount', type: 'decimal', precision: 12, scale: 2, nullable: true },
  { name: 'discount', type: 'decimal', precision: 5, scale: 4, nullable: true },
  { name: 'created', type: 'timestamp_micros', nullable: true },
  { name: 'shipped', type: 'timestamp_micros', nullable: true },
  { name: 'due', type: 'date', nullable: true },
  { name: 'active', type: 'boolean', nullable: true },
  { name: 'line', type: 'int64', nullable: false },
  { name: 'loaded', type: 'timestamp_micros', nullable: false },
];
const writer = new ParquetWriter({ write: async () => {} }, columns);
const BLOCK = 500;
const values = columns.map(() => new Float64Array(BLOCK));
const present = columns.map(() => new Uint8Array(BLOCK));
let row = 0;
for (let group = 0; group < 8; group++) {
  for (let block = 0; block < 20; block++) {
    for (let i = 0; i < BLOCK; i++, row++) {
      const day = 19_000 + (row % 700);
      const at = [
        row + 1,
        (row * 7919) % 1_000_003,
        (row * 104_729) % 10_000_000_000,
        (row * 31) % 10_000,
        day * 86_400_000_000 + (row % 86_400) * 1_000_000,
        day * 86_400_000_000 + 3_600_000_000,
        day + 30,
        row % 3,
        row + 2,
        1_796_000_000_000_000,
      ];
      for (let c = 0; c < columns.length; c++) {
        values[c][i] = at[c];
        present[c][i] = (c === 5 || c === 6) && row % 4 === 0 ? 0 : 1;
      }
    }
    await writer.appendRows(columns.map((_, c) => new NumberValues(values[c], present[c], BLOCK)), BLOCK);
  }
  await writer.endRowGroup();
}
await writer.close();
`;

const FIXED_ENCODER = [
  'encode',
  'encodeNumbers',
  'numbersAsInt64',
  'numbersAsInt32',
  'numbersAsBoolean',
  'flushPage',
];

describe('fixed-width column encoder, as V8 runs it', () => {
  // Its bounds hold any value (small integers, boxed numbers, bigints, booleans). Had V8 first
  // seen boxed numbers stored there (timestamps), the first small integer (a chunk's first id)
  // deoptimized the loop, which V8 then compiled again.
  it('is not deoptimized by the columns it meets once optimized', () => {
    const run = runTracedV8(SCRIPT, ['--trace-opt', '--trace-deopt']);
    expect(run.status, run.stderr).toBe(0);
    // The case happened: V8 optimized the encoder's loops while the blocks were encoded.
    expect(run.stdout).toMatch(/completed optimizing .*<JSFunction numbersAsInt64 /);
    expect(deoptimizationsOf(run.stdout, FIXED_ENCODER)).toEqual([]);
  });
});

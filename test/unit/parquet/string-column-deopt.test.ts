import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deoptimizationsOf, runTracedV8 } from '../../helpers/v8-trace.js';

const PARQUET = fileURLToPath(new URL('../../../lambdas/core/parquet/index.ts', import.meta.url));

/**
 * String columns as the converter hands them over (byte spans, blocks of 500 rows, row groups of
 * 10,000), in a process of their own with V8's optimizations traced. Like the bench file's text
 * columns: four of distinct values (ids, amounts, times) ahead of columns whose values repeat; a
 * code column with nulls from its second row group on; a comment column whose dictionary is given
 * up; pages filling up (64 KiB pages here, for row groups this short).
 */
const SCRIPT = `
const { ByteSpans, ParquetWriter } = await import(${JSON.stringify(PARQUET)});
const names = ['id', 'account', 'amount', 'created', 'status', 'code', 'comment'];
const columns = names.map((name) => ({ name, type: 'string', nullable: true }));
const writer = new ParquetWriter({ write: async () => {} }, columns, { byteStrings: true, pageSizeBytes: 1 << 16 });
const encoder = new TextEncoder();
const BLOCK = 500;
let row = 0;
for (let group = 0; group < 8; group++) {
  for (let block = 0; block < 20; block++) {
    const texts = names.map(() => []);
    for (let i = 0; i < BLOCK; i++, row++) {
      texts[0].push(String(1_000_000 + row));
      texts[1].push(String(7_000_000 + ((row * 7919) % 1_000_003)));
      texts[2].push((row * 0.37).toFixed(2));
      texts[3].push('2024-03-' + String(1 + (row % 28)).padStart(2, '0') + 'T10:' + String(row % 60).padStart(2, '0') + ':' + String(row % 59).padStart(2, '0'));
      texts[4].push(['new', 'paid', 'shipped', 'void'][row % 4]);
      texts[5].push(group > 0 && row % 11 === 0 ? null : 'C' + (row % 37));
      texts[6].push(row % 5 === 0 ? null : 'comment number ' + row * 7);
    }
    const values = texts.map((column) => {
      const starts = new Int32Array(BLOCK);
      const ends = new Int32Array(BLOCK);
      const parts = [];
      let at = 0;
      column.forEach((text, i) => {
        if (text === null) { starts[i] = -1; return; }
        parts.push(text);
        starts[i] = at;
        at += text.length;
        ends[i] = at;
      });
      return new ByteSpans(encoder.encode(parts.join('')), starts, ends, BLOCK);
    });
    await writer.appendRows(values, BLOCK);
  }
  await writer.endRowGroup();
}
await writer.close();
`;

const STRING_ENCODER = [
  'encodeSpans',
  'encodeSpanDictionary',
  'encodeSpansPlain',
  'stopsPaying',
  'replayDictionary',
  'takeDictionaryAsPage',
  'indexOrAdd',
  'sameBytes',
  'copyBytes',
  'add',
  'compare',
  'keep',
];

describe('string column encoder, as V8 runs it', () => {
  // A branch V8 had not seen run when it optimized one of these loops (a value's first repeat in
  // the dictionary, a first null, a page filling up, a dictionary given up) deoptimizes it when
  // first taken, and V8 compiles it again: four such recompiles over the bench's first 10 MB.
  it('is not deoptimized by the blocks it meets once optimized', () => {
    const run = runTracedV8(SCRIPT, ['--trace-opt', '--trace-deopt']);
    expect(run.status, run.stderr).toBe(0);
    // The case happened: V8 optimized the encoder's loops while the blocks were encoded.
    expect(run.stdout).toMatch(/completed optimizing .*<JSFunction encodeSpanDictionary /);
    expect(run.stdout).toMatch(/completed optimizing .*<JSFunction encodeSpansPlain /);
    expect(deoptimizationsOf(run.stdout, STRING_ENCODER)).toEqual([]);
  });
});

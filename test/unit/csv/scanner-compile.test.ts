import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTracedV8 } from '../../helpers/v8-trace.js';

const DECODE = fileURLToPath(new URL('../../../lambdas/core/csv/decode.ts', import.meta.url));
const READER = fileURLToPath(new URL('../../../lambdas/core/csv/reader.ts', import.meta.url));

/**
 * A file read as the converter reads one (its first chunk's header taken as strings, 64 KiB
 * pieces that outgrow a new scanner's arrays) in a process of its own, with V8's field
 * generalizations traced. A field generalized on purpose after the modules load marks that point
 * in V8's own output, so the order of the lines is V8's and not two streams'.
 */
const SCRIPT = `
const { utf8Chunks } = await import(${JSON.stringify(DECODE)});
const { readCsv } = await import(${JSON.stringify(READER)});
const marker = { moduleLoaded: 0 };
marker.moduleLoaded = 'yes';
const row = (i) => i + ',' + ((i * 7) % 1000) + ',"name ' + i + '",2024-01-02T03:04:05Z\\n';
let text = 'id,amount,name,at\\n';
for (let i = 0; text.length < 2_000_000; i++) text += row(i);
const bytes = new TextEncoder().encode(text);
async function* pieces() {
  for (let at = 0; at < bytes.length; at += 1 << 16) yield bytes.subarray(at, at + (1 << 16));
}
let header;
let records = 0;
for await (const chunk of readCsv(utf8Chunks(pieces()), { delimiter: ',', quoteChar: '"', maxRecordChars: 1 << 20 })) {
  header ??= chunk.fields(0);
  records += chunk.count;
}
if (header.join() !== 'id,amount,name,at' || records < 40_000) throw new Error('not read: ' + header + ' ' + records);
`;

// Fields of the scanner and its chunks that the scan loop's compiled code reads or stores.
const SCAN_FIELDS = ['starts', 'ends', 'firstField', 'lines', 'cachedText'];

describe('CSV scan loop, as V8 compiles it', () => {
  // V8 takes a field stored only once for a constant, and a compile of the loop under way when
  // the first file changed one (the scanner's arrays growing, a chunk's text cached for its
  // header) was thrown away and done again: 20 to 50 ms of compile at each cold start, on one core.
  it('depends on no field that a first file turns from constant to mutable', () => {
    const run = runTracedV8(SCRIPT, ['--trace-generalization']);
    expect(run.status, run.stderr).toBe(0);
    // Found by its name alone: tsx's loader thread traces too, and V8 prints a line in several
    // writes, so the loader's output may fall between "[generalizing]" and the field's name.
    const loaded = run.stdout.indexOf('moduleLoaded');
    expect(loaded).toBeGreaterThanOrEqual(0);
    const afterLoad = run.stdout
      .slice(loaded)
      .split('\n')
      .filter((line) => new RegExp(`^\\[generalizing\\](${SCAN_FIELDS.join('|')}):.*->.*mutable`).test(line));
    expect(afterLoad).toEqual([]);
  });
});

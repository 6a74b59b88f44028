import fc from 'fast-check';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { textOf } from '../../../lambdas/core/csv/decode.js';
import { readCsv } from '../../../lambdas/core/csv/reader.js';
import { inPieces } from '../../helpers/csv.js';

/** What papaparse makes of the whole text at once: records (blank lines dropped) and which have problems. */
function papaparse(text: string, lineBreak: string): { records: string[][]; problems: boolean[] } {
  const result = Papa.parse<string[]>(text, {
    delimiter: ',',
    quoteChar: '"',
    escapeChar: '"',
    newline: lineBreak as Papa.ParseConfig['newline'],
    skipEmptyLines: false,
  });
  const bad = new Set(result.errors.map((e) => e.row));
  const records: string[][] = [];
  const problems: boolean[] = [];
  result.data.forEach((record, row) => {
    if (record.length === 1 && record[0] === '' && !bad.has(row)) return;
    records.push(record);
    problems.push(bad.has(row));
  });
  return { records, problems };
}

async function scanned(text: string, cuts: number[]): Promise<{ records: string[][]; problems: boolean[] }> {
  const records: string[][] = [];
  const problems: boolean[] = [];
  for await (const chunk of readCsv(inPieces(text, cuts), {
    delimiter: ',',
    quoteChar: '"',
    maxRecordChars: 1 << 20,
  })) {
    for (let i = 0; i < chunk.count; i++) {
      records.push(chunk.fields(i).map(textOf));
      problems.push(chunk.problems.has(i));
    }
  }
  return { records, problems };
}

/** Well-formed fields, quoted when they must be (or at random), and fields with stray quotes and spaces. */
const cell = fc.oneof(
  { weight: 5, arbitrary: fc.stringMatching(/^[a-zé ]{0,5}$/) },
  {
    weight: 3,
    arbitrary: fc.stringMatching(/^[a-z ,"\n\r]{0,6}$/).map((s) => `"${s.replaceAll('"', '""')}"`),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z]{1,3}"[a-z]{0,2}$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^"[a-z]{0,3}"[ \t\r\n]{1,2}$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a,"\n\r \t]{0,6}$/) },
);

const csv = (lineBreak: string) =>
  fc
    .array(fc.array(cell, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 30 })
    .chain((rows) =>
      fc
        .boolean()
        .map((finalBreak) => rows.map((r) => r.join(',')).join(lineBreak) + (finalBreak ? lineBreak : '')),
    );

describe('CsvScanner (property)', () => {
  it.each(['\n', '\r\n', '\r'])(
    'reads what papaparse reads, however the bytes are cut (line break %j)',
    async (lineBreak) => {
      await fc.assert(
        fc.asyncProperty(csv(lineBreak), fc.array(fc.nat(), { maxLength: 6 }), async (text, cuts) => {
          // The file's line break is read off its first one, as the reader does.
          const first = /\r\n|\n|\r/.exec(text)?.[0] ?? '\n';
          expect(await scanned(text, cuts)).toEqual(papaparse(text, first));
        }),
        { numRuns: 500 },
      );
    },
  );

  it('reads malformed quoting as papaparse does: the quote is text and the record has a problem', async () => {
    const text = 'id,note\n1,"a"b,c\n2,"unclosed\n3,x\n';
    expect(await scanned(text, [5, 13])).toEqual(papaparse(text, '\n'));
    // The quote after `a` is text, so the field runs on to the end of the file, never closed.
    expect(await scanned(text, [])).toEqual({
      records: [
        ['id', 'note'],
        ['1', 'a"b,c\n2,"unclosed\n3,x\n'],
      ],
      problems: [false, true],
    });
  });
});

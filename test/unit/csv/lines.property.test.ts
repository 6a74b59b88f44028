import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textOf } from '../../../lambdas/core/csv/decode.js';
import { readCsv } from '../../../lambdas/core/csv/reader.js';
import { inPieces } from '../../helpers/csv.js';

/** A field as users' files hold them: plain, or needing quotes for a delimiter, quote or line break. */
const field = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z0-9 é]{0,6}$/) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z ,"\n]{1,8}$/) },
  { weight: 1, arbitrary: fc.constantFrom('\n', '\n\n', '""', ',') },
);

interface Sample {
  readonly text: string;
  readonly records: string[][];
  readonly lines: number[];
}

/**
 * A CSV text with the records it holds and the line each starts on, counted independently of the
 * reader while the text is written: quoted fields with line breaks, blank lines, optional quoting
 * of fields that need none, and (when `stray`) a quote in the middle of an unquoted field, which
 * papaparse keeps as text.
 */
const sample = (lineBreak: '\n' | '\r\n'): fc.Arbitrary<Sample> =>
  fc
    .record({
      width: fc.integer({ min: 1, max: 4 }),
      rows: fc.array(fc.tuple(fc.array(field, { minLength: 4, maxLength: 4 }), fc.nat(9), fc.nat(9)), {
        minLength: 1,
        maxLength: 60,
      }),
      finalBreak: fc.boolean(),
    })
    .map(({ width, rows, finalBreak }) => {
      const records: string[][] = [];
      const lines: number[] = [];
      const parts: string[] = [];
      let line = 1;
      for (const [fields, blankDice, quoteDice] of rows) {
        if (blankDice === 0 && parts.length > 0) {
          parts.push(lineBreak);
          line++;
        }
        const record = fields
          .slice(0, width)
          .map((f) => (f.includes('\r') ? f : f.replaceAll('\n', lineBreak)));
        if (record.length === 1 && record[0] === '') record[0] = 'x';
        const stray =
          quoteDice === 1 && record[0] !== '' && !/[",\r\n]/.test(record[0]!) ? `${record[0]}"z` : undefined;
        if (stray) record[0] = stray;
        const cells = record.map((f, i) =>
          (i === 0 && stray) || !(/[",\r\n]/.test(f) || quoteDice === 2) ? f : `"${f.replaceAll('"', '""')}"`,
        );
        if (parts.length > 0) parts.push(lineBreak);
        parts.push(cells.join(','));
        records.push(record);
        lines.push(line);
        line += 1 + record.reduce((n, f) => n + f.split(lineBreak).length - 1, 0);
      }
      if (finalBreak) parts.push(lineBreak);
      return { text: parts.join(''), records, lines };
    });

describe('readCsv line numbers (property)', () => {
  it.each(['\n', '\r\n'] as const)(
    'numbers every record by the line it starts on, however the text is cut (line break %j)',
    async (lineBreak) => {
      await fc.assert(
        fc.asyncProperty(sample(lineBreak), fc.array(fc.nat(), { maxLength: 6 }), async (s, cuts) => {
          const records: string[][] = [];
          const lines: number[] = [];
          for await (const chunk of readCsv(inPieces(s.text, cuts), {
            delimiter: ',',
            quoteChar: '"',
            maxRecordChars: 1 << 20,
          })) {
            for (let i = 0; i < chunk.count; i++) records.push(chunk.fields(i).map(textOf));
            lines.push(...chunk.lines);
          }
          expect(records).toEqual(s.records);
          expect(lines).toEqual(s.lines);
        }),
        { numRuns: 400 },
      );
    },
  );
});

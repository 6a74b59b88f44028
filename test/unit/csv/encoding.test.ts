import { describe, expect, it } from 'vitest';
import { textOf, utf8Chunks } from '../../../lambdas/core/csv/decode.js';
import { type Encoding, toUtf8 } from '../../../lambdas/core/csv/encoding.js';
import { readCsv } from '../../../lambdas/core/csv/reader.js';
import { fixture, pieces } from '../../helpers/csv.js';

/** Records (as text) and their lines read from bytes in `encoding`, cut into pieces of `chunk` bytes. */
async function read(bytes: Uint8Array, encoding: Encoding, chunk: number) {
  const out = { records: [] as string[][], lines: [] as number[], error: undefined as unknown };
  try {
    for await (const c of readCsv(utf8Chunks(toUtf8(pieces(bytes, chunk), encoding)), {
      delimiter: ',',
      quoteChar: '"',
      maxRecordChars: 1_000_000,
    })) {
      Array.from({ length: c.count }, (_, i) => c.fields(i)).forEach((r, i) => {
        out.records.push(r.map(textOf));
        out.lines.push(c.lines[i]!);
      });
    }
  } catch (e) {
    out.error = e;
  }
  return out;
}

const CHUNKS = [1, 2, 3, 5, 7, 1000];
const UTF16_RECORDS = [
  ['id', 'name'],
  ['1', '日本語'],
  ['2', 'emoji 😀, quoted'],
  ['3', 'Ünïcödé'],
];

describe('encodings other than UTF-8, transcoded as they stream', () => {
  it('reads windows-1252, curly quotes, the euro sign and the ligature included', async () => {
    for (const chunk of CHUNKS) {
      const { records, error } = await read(fixture('csv', 'windows-1252.csv'), 'windows-1252', chunk);
      expect(error).toBeUndefined();
      expect(records).toEqual([
        ['id', 'name', 'price'],
        ['1', 'Café crème', '3'],
        ['2', '“Smart” quotes – €5', '5'],
        ['3', 'Œuvre ™', '7'],
      ]);
    }
  });

  it('reads iso-8859-1 byte for code point', async () => {
    for (const chunk of CHUNKS) {
      const { records } = await read(fixture('csv', 'iso-8859-1.csv'), 'iso-8859-1', chunk);
      expect(records).toEqual([
        ['id', 'name'],
        ['1', 'Zürich'],
        ['2', 'Ærø ½'],
        ['3', 'naïve'],
      ]);
    }
  });

  it.each(['utf-16le-bom.csv', 'utf-16be-bom.csv'])(
    'reads %s whatever chunk boundaries cut code units and surrogate pairs',
    async (name) => {
      for (const chunk of CHUNKS) {
        const { records, lines, error } = await read(fixture('csv', name), 'utf-16', chunk);
        expect(error).toBeUndefined();
        expect(records).toEqual(UTF16_RECORDS);
        expect(lines).toEqual([1, 2, 3, 4]);
      }
    },
  );

  it('refuses UTF-16 without a byte order mark, naming the cause', async () => {
    const { error } = await read(fixture('csv', 'utf-16le-no-bom.csv'), 'utf-16', 7);
    expect(error).toMatchObject({ code: 'INVALID_ENCODING', line: 1 });
    expect((error as Error).message).toContain('byte order mark');
  });

  it('reports a lone surrogate on its line, after the records before it', async () => {
    for (const chunk of [2, 4, 1000]) {
      const { records, error } = await read(fixture('csv', 'utf-16le-lone-surrogate.csv'), 'utf-16', chunk);
      expect(error).toMatchObject({ code: 'INVALID_ENCODING', line: 3 });
      expect(records).toEqual([
        ['id', 'name'],
        ['1', 'ok'],
      ]);
    }
  });

  it('reports a UTF-16 file cut inside a code unit', async () => {
    const bytes = fixture('csv', 'utf-16le-bom.csv');
    const { error } = await read(bytes.subarray(0, bytes.length - 1), 'utf-16', 7);
    expect(error).toMatchObject({ code: 'INVALID_ENCODING' });
  });

  it('passes UTF-8 through untouched', async () => {
    const source = pieces(Buffer.from('a\n'), 1);
    expect(toUtf8(source, 'utf-8')).toBe(source);
  });
});

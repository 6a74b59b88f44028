import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { textOf, utf8Chunks } from '../../../lambdas/core/csv/decode.js';
import { readCsv } from '../../../lambdas/core/csv/reader.js';
import { DataError } from '../../../lambdas/core/errors.js';
import { fixture, parseAll, pieces } from '../../helpers/csv.js';

/** Records (as text) and lines read before the stream ends or fails, and the failure. */
async function readUntilFailure(
  bytes: Uint8Array,
  chunk: number,
  maxRecordChars = 1_000_000,
): Promise<{ records: string[][]; lines: number[]; problems: string[]; error?: unknown }> {
  const out = { records: [] as string[][], lines: [] as number[], problems: [] as string[] };
  try {
    for await (const c of readCsv(utf8Chunks(pieces(bytes, chunk)), {
      delimiter: ',',
      quoteChar: '"',
      maxRecordChars,
    })) {
      Array.from({ length: c.count }, (_, i) => c.fields(i)).forEach((r, i) => {
        out.records.push(r.map(textOf));
        out.lines.push(c.lines[i]!);
        const p = c.problems.get(i);
        if (p) out.problems.push(`${c.lines[i]}: ${p}`);
      });
    }
  } catch (error) {
    return { ...out, error };
  }
  return out;
}

describe('readCsv over decoded chunks', () => {
  it('drops a UTF-8 byte order mark', async () => {
    const { records } = await parseAll(fixture('csv', 'bom.csv'));
    expect(records).toEqual([
      ['id', 'name'],
      ['1', 'alpha'],
      ['2', 'beta'],
    ]);
  });

  it.each(['crlf.csv', 'cr.csv', 'no-final-newline.csv'])(
    'reads %s with the right records and lines',
    async (name) => {
      const { records, lines } = await parseAll(fixture('csv', name));
      expect(records).toEqual([
        ['id', 'name'],
        ['1', 'alpha'],
        ['2', 'beta'],
      ]);
      expect(lines).toEqual([1, 2, 3]);
    },
  );

  it('keeps delimiters, doubled quotes and newlines inside quoted fields and numbers lines where records start', async () => {
    const { records, lines } = await parseAll(fixture('csv', 'quoted-newlines.csv'));
    expect(records).toEqual([
      ['id', 'name'],
      ['1', 'multi\nline, with comma'],
      ['2', 'say "hi"'],
      ['3', 'plain'],
    ]);
    expect(lines).toEqual([1, 2, 4, 5]);
  });

  it('numbers lines by the line break the file uses, inside quoted fields too', async () => {
    const bytes = Buffer.from('id,name\r\n1,"two\r\nlines"\r\n2,"lone\nLF"\r\n3,x\r\n');
    const { records, lines } = await parseAll(bytes);
    expect(records.slice(1)).toEqual([
      ['1', 'two\r\nlines'],
      ['2', 'lone\nLF'],
      ['3', 'x'],
    ]);
    expect(lines).toEqual([1, 2, 4, 5]);
  });

  it('gives the same records whatever the chunk size', async () => {
    const bytes = fixture('csv', 'quoted-newlines.csv');
    const whole = await parseAll(bytes, { chunk: 1 << 20 });
    for (const size of [1, 2, 3, 5, 11]) expect(await parseAll(bytes, { chunk: size })).toEqual(whole);
  });

  it('skips blank lines but counts them in line numbers', async () => {
    const { records, lines } = await parseAll(fixture('csv', 'blank-lines.csv'));
    expect(records).toEqual([
      ['id', 'name'],
      ['1', 'alpha'],
      ['2', 'beta'],
    ]);
    expect(lines).toEqual([1, 2, 4]);
  });

  it('yields nothing for an empty file and only the header for a header-only file', async () => {
    expect((await parseAll(fixture('csv', 'empty.csv'))).records).toEqual([]);
    expect((await parseAll(fixture('csv', 'header-only.csv'))).records).toEqual([['id', 'name']]);
  });

  it('decompresses gzip in the stream', async () => {
    const { records } = await parseAll(fixture('csv', 'plain.csv.gz'), { gzip: true });
    expect(records).toEqual([
      ['id', 'name'],
      ['1', 'alpha'],
      ['2', 'beta'],
    ]);
  });

  it('rejects corrupt gzip as a data error', async () => {
    const bytes = Buffer.from(fixture('csv', 'plain.csv.gz'));
    bytes[20] = bytes[20]! ^ 0xff;
    await expect(parseAll(bytes, { gzip: true })).rejects.toBeInstanceOf(DataError);
  });

  it('reports invalid UTF-8 as a data error naming the line', async () => {
    const error = await parseAll(fixture('csv', 'invalid-utf8.csv')).catch((e) => e);
    expect(error).toBeInstanceOf(DataError);
    expect(error).toMatchObject({ code: 'INVALID_UTF8', line: 3 });
    expect(error.message).toContain('line 3');
  });

  it.each([
    ['an overlong form', [0xc0, 0x80], 3],
    ['an overlong three-byte form', [0xe0, 0x80, 0x80], 3],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80], 3],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 3],
    ['a stray continuation byte', [0x80], 3],
  ])('reports %s as invalid UTF-8 on its line, whatever the read size', async (_, bad, line) => {
    const bytes = Buffer.concat([Buffer.from('id,name\n1,ok\n2,'), Buffer.from(bad), Buffer.from('\n3,x\n')]);
    for (const chunk of [1, 2, 5, 1000]) {
      const error = await parseAll(bytes, { chunk }).catch((e) => e);
      expect(error).toMatchObject({ code: 'INVALID_UTF8', line });
    }
  });

  it('reports a character cut by the end of the file, and reads files shorter than a BOM', async () => {
    const cut = await parseAll(Buffer.from([0x69, 0x64, 0x0a, 0xc3])).catch((e) => e);
    expect(cut).toMatchObject({ code: 'INVALID_UTF8', line: 2 });
    expect(cut.message).toContain('truncated at end of file');
    expect((await parseAll(Buffer.from('x\n'), { chunk: 1 })).records).toEqual([['x']]);
    expect((await parseAll(Buffer.from([0xef, 0xbb, 0xbf]))).records).toEqual([]);
    expect(await parseAll(Buffer.from([0xef, 0xbb])).catch((e) => e)).toMatchObject({ code: 'INVALID_UTF8' });
  });

  it('reports an unterminated quote at the end of the file as a problem on the line where it starts', async () => {
    const { records, problems } = await parseAll(fixture('csv', 'unterminated-quote.csv'));
    expect(records).toHaveLength(3);
    expect(problems).toEqual([expect.stringMatching(/^3: .*unterminated/i)]);
  });

  it('stops an unterminated quote at the record size limit instead of buffering the file', async () => {
    const bytes = Buffer.from(
      `id,name\n1,"never closed\n${'y'.repeat(999)}\n`.repeat(1) + `${'z'.repeat(999)}\n`.repeat(3000),
    );
    const error = await parseAll(bytes, { chunk: 65536, maxRecordChars: 100_000 }).catch((e) => e);
    expect(error).toMatchObject({ code: 'RECORD_TOO_LONG', line: 2 });
  });

  it('reads a very long field whole', async () => {
    const { records } = await parseAll(fixture('csv', 'long-field.csv'), { chunk: 65536 });
    expect(records[1]![1]).toHaveLength(300_000);
    expect(records[2]).toEqual(['2', 'short']);
  });

  it('reads the records before an invalid byte, then reports the byte on its line', async () => {
    const good = Array.from({ length: 5 }, (_, i) => `${i + 1},row ${i + 1}\n`).join('');
    const bytes = Buffer.concat([
      Buffer.from(`id,name\n${good}6,caf`),
      Buffer.from([0xe9]),
      Buffer.from(',x\n7,y\n'),
    ]);
    for (const chunk of [1, 3, 16, 1000]) {
      const { records, lines, error } = await readUntilFailure(bytes, chunk);
      expect(error).toMatchObject({ code: 'INVALID_UTF8', line: 7 });
      expect(records).toHaveLength(6);
      expect(lines.at(-1)).toBe(6);
    }
  });

  it('reads the records before an invalid byte deep in a large file', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `${i + 1},some text for row ${i + 1}\n`).join('');
    const bytes = Buffer.concat([Buffer.from(`id,name\n${rows}`), Buffer.from([0xff]), Buffer.from('\n')]);
    const { records, error } = await readUntilFailure(bytes, 65536);
    expect(error).toMatchObject({ code: 'INVALID_UTF8', line: 20_002 });
    expect(records).toHaveLength(20_001);
  });

  it('reports a Latin-1 byte on the last line on that line, with or without a final line break', async () => {
    const sample = readFileSync(
      join(import.meta.dirname, '..', '..', '..', 'samples', 'orders', '2024-03-08-latin1.csv'),
    );
    const withoutBreak = sample.subarray(0, sample.length - 1);
    for (const bytes of [sample, withoutBreak]) {
      for (const chunk of [1, 2, 7, 1000]) {
        const { records, error } = await readUntilFailure(bytes, chunk);
        expect(error).toMatchObject({ code: 'INVALID_UTF8', line: 2 });
        expect(records).toHaveLength(1);
      }
    }
  });

  it('sets a record longer than the limit aside as a bad row and reads on at the next line', async () => {
    const bytes = Buffer.from(`id,name\n1,a\n2,${'x'.repeat(300_000)}\n3,"quoted\nline"\n4,b\n`);
    for (const chunk of [1000, 65536, 100_000]) {
      const { records, lines, problems, error } = await readUntilFailure(bytes, chunk, 100_000);
      expect(error).toBeUndefined();
      expect(lines).toEqual([1, 2, 3, 4, 6]);
      expect(records[2]![0]).toHaveLength(1024);
      expect(records[3]).toEqual(['3', 'quoted\nline']);
      expect(records[4]).toEqual(['4', 'b']);
      expect(problems).toEqual([
        expect.stringMatching(/^3: record is longer than 100000 bytes \(limits.max_record_bytes\)/),
      ]);
    }
  });

  it('follows quoted line breaks inside a record longer than the limit', async () => {
    const bytes = Buffer.from(`id,name\n1,${'x'.repeat(200_000)},"a\nb"\n2,c\n`);
    for (const chunk of [1000, 65536]) {
      const { lines, records, problems } = await readUntilFailure(bytes, chunk, 100_000);
      expect(lines).toEqual([1, 2, 4]);
      expect(records[2]).toEqual(['2', 'c']);
      expect(problems).toHaveLength(1);
    }
  });

  it('names the cause when the header, or a quoted field that never closes, passes the limit', async () => {
    const header = await readUntilFailure(Buffer.from(`${'h'.repeat(300_000)}\n1\n`), 65536, 100_000);
    expect(header.error).toMatchObject({ code: 'RECORD_TOO_LONG', line: 1 });
    expect((header.error as Error).message).toContain('header record starting on line 1');
    expect((header.error as Error).message).toContain('no line break');
    const quoted = await readUntilFailure(
      Buffer.from(`id,name\n1,"${'q\n'.repeat(200_000)}`),
      65536,
      100_000,
    );
    expect(quoted.error).toMatchObject({ code: 'RECORD_TOO_LONG', line: 2 });
    expect((quoted.error as Error).message).toContain('unterminated quote?');
  });
});

import { describe, expect, it } from 'vitest';
import { DataError } from '../../../lambdas/core/errors.js';
import { fixture, parseAll } from '../../helpers/csv.js';

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
});

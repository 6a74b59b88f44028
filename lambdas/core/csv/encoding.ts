import { TextDecoder } from 'node:util';
import type { Contract } from '../contract.js';
import { DataError } from '../errors.js';

export type Encoding = Contract['encoding'];

/**
 * The bytes of a file in `encoding` as UTF-8 bytes, streaming: the UTF-8 source itself (no work
 * added to that path), or a transcoding of a single-byte or UTF-16 source. Bronze is UTF-8 whatever
 * the source.
 */
export function toUtf8(source: AsyncIterable<Uint8Array>, encoding: Encoding): AsyncIterable<Uint8Array> {
  switch (encoding) {
    case 'utf-8':
      return source;
    case 'iso-8859-1':
      // Every byte is the code point of the same number (WHATWG's "iso-8859-1" label means
      // windows-1252, so the decoder is not used for it).
      return transcode(source, (chunk) =>
        Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).toString('latin1'),
      );
    case 'windows-1252':
      // Single-byte: a chunk never ends inside a character. Node's TextDecoder reads this label as
      // Latin-1, so bytes 0x80-0x9F are mapped here.
      return transcode(source, (chunk) =>
        Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)
          .toString('latin1')
          .replace(C1_RANGE, (c) => WINDOWS_1252_C1.charAt(c.charCodeAt(0) - 0x80)),
      );
    case 'utf-16':
      return utf16ToUtf8(source);
  }
}

const C1_RANGE = /[\x80-\x9f]/g;
/** windows-1252 bytes 0x80-0x9F (the five unassigned ones kept as their C1 code points, as WHATWG does). */
const WINDOWS_1252_C1 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

async function* transcode(
  source: AsyncIterable<Uint8Array>,
  decode: (chunk: Uint8Array) => string,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) yield Buffer.from(decode(chunk), 'utf8');
}

/** Line breaks (CRLF, CR or LF once each) in decoded text. */
function lineBreaks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}

/**
 * UTF-16 with a byte order mark (little or big endian) as UTF-8. The decoder is streaming, so a
 * code unit or a surrogate pair cut by a chunk boundary is joined. Bytes that are not UTF-16 (a
 * lone surrogate, an odd byte at the end) are a DataError on their line, after the lines before
 * it are yielded so that their rows are counted.
 */
async function* utf16ToUtf8(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let decoder: TextDecoder | undefined;
  let head = new Uint8Array(0);
  let line = 1;
  let lastCR = false;
  const emit = (text: string): Uint8Array => {
    // A CRLF split by a chunk boundary is one line break.
    line += lineBreaks(text) - (lastCR && text.charCodeAt(0) === 10 ? 1 : 0);
    lastCR = text.charCodeAt(text.length - 1) === 13;
    return Buffer.from(text, 'utf8');
  };
  /** A byte of a code unit cut by the previous chunk's end: the decoder is given whole units only. */
  let odd: Uint8Array | undefined;
  for await (const chunk of source) {
    let bytes: Uint8Array = chunk;
    if (!decoder) {
      head = Buffer.concat([head, chunk]);
      if (head.length < 2) continue;
      decoder = utf16Decoder(head);
      bytes = head;
    }
    if (odd) bytes = Buffer.concat([odd, bytes]);
    odd = bytes.length % 2 ? bytes.slice(bytes.length - 1) : undefined;
    if (odd) bytes = bytes.subarray(0, bytes.length - 1);
    let text: string;
    try {
      text = decoder.decode(bytes, { stream: true });
    } catch (e) {
      yield* linesBefore(bytes, decoder.encoding, emit);
      throw notUtf16(line, e);
    }
    if (text.length) yield emit(text);
  }
  if (!decoder) {
    if (head.length === 0) return;
    throw notUtf16(1, undefined, 'the file is shorter than a byte order mark');
  }
  if (odd) throw notUtf16(line, undefined, 'the file ends inside a UTF-16 code unit');
  let rest: string;
  try {
    rest = decoder.decode();
  } catch (e) {
    throw notUtf16(line, e, 'the file ends inside a character');
  }
  if (rest.length) yield emit(rest);
}

/** A fatal UTF-16 decoder for the byte order mark `head` starts with. */
function utf16Decoder(head: Uint8Array): TextDecoder {
  if (head[0] === 0xff && head[1] === 0xfe) return new TextDecoder('utf-16le', { fatal: true });
  if (head[0] === 0xfe && head[1] === 0xff) return new TextDecoder('utf-16be', { fatal: true });
  throw notUtf16(1, undefined, 'encoding "utf-16" needs a byte order mark (FF FE or FE FF) at the start');
}

/** The complete lines of a chunk before its first undecodable unit, as one UTF-8 chunk. */
function* linesBefore(
  bytes: Uint8Array,
  encoding: string,
  emit: (text: string) => Uint8Array,
): Generator<Uint8Array> {
  // Decoded again without failing: the first replacement character marks the bad unit.
  const lenient = new TextDecoder(encoding, { ignoreBOM: true }).decode(bytes);
  const bad = lenient.indexOf('\ufffd');
  const before = bad === -1 ? '' : lenient.slice(0, bad);
  const end = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) + 1;
  if (end > 0) yield emit(lenient.slice(0, end));
}

function notUtf16(
  line: number,
  cause: unknown,
  why = 'invalid UTF-16 (a lone surrogate or a cut code unit)',
): DataError {
  return new DataError('INVALID_ENCODING', `${why} on line ${line}`, { line, cause });
}

import { isUtf8 } from 'node:buffer';
import { createGunzip } from 'node:zlib';
import { DataError } from '../errors.js';

/** Decompresses a gzip byte stream as it flows; corrupt input becomes a DataError. */
export async function* gunzip(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const inflater = createGunzip();
  const pump = (async () => {
    try {
      for await (const chunk of source) {
        if (!inflater.write(chunk)) await new Promise((resolve) => inflater.once('drain', resolve));
      }
      inflater.end();
    } catch (e) {
      inflater.destroy(e as Error);
    }
  })();
  try {
    for await (const chunk of inflater) yield chunk as Buffer;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code?.startsWith('Z_')) {
      throw new DataError('UNDECODABLE', `gzip stream is corrupt: ${(e as Error).message}`, { cause: e });
    }
    throw e;
  } finally {
    inflater.destroy();
    await pump;
  }
}

/**
 * Counts line breaks (CRLF, CR or LF each count once) in bytes; `prevCR` carries a CR across
 * chunks. Buffer#indexOf is a native scan: a loop over every byte costs several times more.
 */
export function countLineBreaks(bytes: Uint8Array, prevCR: boolean): { count: number; endsWithCR: boolean } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let count = 0;
  const from = prevCR && buf[0] === 10 ? 1 : 0;
  for (let p = buf.indexOf(10, from); p !== -1; p = buf.indexOf(10, p + 1)) count++;
  for (let p = buf.indexOf(13, from); p !== -1; p = buf.indexOf(13, p + 1)) {
    if (buf[p + 1] !== 10) count++;
  }
  const endsWithCR = buf.length > 0 && buf[buf.length - 1] === 13;
  // A CR at the very end is counted now; if the next chunk starts with LF that LF is skipped.
  return { count, endsWithCR };
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need = 0;
    // The allowed range of the second byte rules out overlong forms, surrogates and code points past U+10FFFF.
    let low = 0x80;
    let high = 0xbf;
    if (b < 0x80) {
      i++;
      continue;
    }
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else return i;
    // A sequence cut by the end is judged with the bytes that follow it, but the bytes it has are
    // judged now: a lead byte followed by a line break is bad on its own line.
    const second = bytes[i + 1];
    if (second === undefined) return bytes.length;
    if (second < low || second > high) return i;
    for (let k = 2; k <= need; k++) {
      const next = bytes[i + k];
      if (next === undefined) return bytes.length;
      if ((next & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return bytes.length;
}

function linesIn(bytes: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) {
    const b = bytes[i];
    if (b === 10) n++;
    else if (b === 13 && bytes[i + 1] !== 10) n++;
  }
  return n;
}

/**
 * Where the first invalid sequence of a chunk is: its line (`lineBase` is the chunk's first) and
 * the offset where that line starts in the chunk. Only called on a chunk that failed the check.
 */
function invalidAt(body: Uint8Array, prevCR: boolean, lineBase: number): { line: number; lineStart: number } {
  const bad = Math.min(firstInvalidUtf8(body), body.length);
  // An LF completing the previous chunk's CR was counted with that CR.
  const skip = prevCR && body[0] === 10 && bad > 0 ? 1 : 0;
  let lineStart = bad;
  while (lineStart > 0 && body[lineStart - 1] !== 10 && body[lineStart - 1] !== 13) lineStart--;
  return { line: lineBase + linesIn(body, bad) - skip, lineStart };
}

/** Bytes at the end of `bytes` that start a UTF-8 sequence the chunk does not complete. */
function incompleteTail(bytes: Uint8Array): number {
  const end = bytes.length;
  for (let back = 1; back <= 3 && back <= end; back++) {
    const b = bytes[end - back]!;
    if (b < 0x80) return 0;
    if (b < 0xc0) continue;
    const need = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1;
    return need >= back ? back : 0;
  }
  return 0;
}

/**
 * Real text of byte text: the characters a byte text's UTF-8 bytes encode. Used where a value is
 * shown or stored as text (header names, messages, rejected rows), not on the hot path.
 */
export function textOf(bytes: string): string {
  return ASCII.test(bytes) ? bytes : Buffer.from(bytes, 'latin1').toString('utf8');
}

/** Byte text of real text (the inverse of textOf), for values written next to a file's own. */
export function byteTextOf(text: string): string {
  return ASCII.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1');
}

/** ASCII is its own byte text: most header names and lineage values need no round trip. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the range is all of ASCII, NUL included.
const ASCII = /^[\x00-\x7f]*$/;

const BOM = [0xef, 0xbb, 0xbf];

/**
 * Checks that a byte stream is UTF-8 and yields it as it comes, less the BOM, with a character cut
 * by a chunk's end moved to the next chunk. Fields are read from these bytes as byte text: strings
 * with one character per byte (latin1). CSV structure (delimiters, quotes, line breaks) is ASCII,
 * so it reads the same as decoded text, but every string cut from byte text is one byte per
 * character (a single CJK character or emoji in decoded text makes the whole chunk, and every
 * field cut from it, two bytes per character), its length is its UTF-8 byte length, and its
 * characters are the bytes Parquet stores. textOf turns a value back into text where one is
 * shown. Invalid UTF-8 is a DataError naming the line it is on, thrown after the bytes of the
 * lines before it are yielded.
 */
export async function* utf8Chunks(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let lineBase = 1;
  let prevCR = false;
  let first = true;
  /** The start of a sequence cut by the previous chunk's end. */
  let tail: Uint8Array | undefined;
  for await (const chunk of source) {
    let bytes: Uint8Array = chunk;
    if (tail) {
      bytes = Buffer.concat([tail, bytes]);
      tail = undefined;
    }
    let start = 0;
    if (first) {
      if (bytes.length < BOM.length) {
        tail = bytes;
        continue;
      }
      first = false;
      if (bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2]) start = 3;
    }
    const cut = bytes.length - incompleteTail(bytes);
    const body = bytes.subarray(start, cut);
    if (!isUtf8(body)) {
      // The lines before the bad one are still read, so that their rows are counted.
      const bad = invalidAt(body, prevCR, lineBase);
      if (bad.lineStart > 0) yield body.subarray(0, bad.lineStart);
      throw new DataError('INVALID_UTF8', `invalid UTF-8 byte sequence on line ${bad.line}`, {
        line: bad.line,
      });
    }
    if (cut < bytes.length) tail = bytes.slice(cut);
    const breaks = countLineBreaks(body, prevCR);
    lineBase += breaks.count;
    if (body.length) {
      prevCR = breaks.endsWithCR;
      yield body;
    }
  }
  if (tail) {
    // A sequence the file ends inside, or a whole file shorter than a BOM (so holding none).
    if (!isUtf8(tail) || incompleteTail(tail) > 0) {
      throw new DataError(
        'INVALID_UTF8',
        `invalid UTF-8 byte sequence on line ${lineBase} (truncated at end of file)`,
        { line: lineBase },
      );
    }
    yield tail;
  }
}

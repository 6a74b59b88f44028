import { createGunzip } from 'node:zlib';
import { DataError } from '../errors.js';

// Small enough that a chunk's parsed records die young (a scavenge that finds a whole 1 MiB
// chunk of records alive copies them all: measured 46% of parse time in GC), large enough to
// keep papaparse's per-call overhead small.
const MIN_TEXT_CHUNK = 64 * 1024;

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

/** Counts line breaks (CRLF, CR or LF each count once) in a string; `prevCR` carries a CR across chunks. */
export function countLineBreaks(text: string, prevCR: boolean): { count: number; endsWithCR: boolean } {
  let count = 0;
  let i = 0;
  if (prevCR && text.charCodeAt(0) === 10) i = 1;
  for (let p = text.indexOf('\n', i); p !== -1; p = text.indexOf('\n', p + 1)) count++;
  for (let p = text.indexOf('\r', i); p !== -1; p = text.indexOf('\r', p + 1)) {
    if (text.charCodeAt(p + 1) !== 10) count++;
  }
  const endsWithCR = text.length > 0 && text.charCodeAt(text.length - 1) === 13;
  // A CR at the very end is counted now; if the next chunk starts with LF that LF is skipped.
  return { count, endsWithCR };
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need = 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return i;
    // A sequence cut by the chunk end is judged by the decoder with the next chunk.
    if (i + need >= bytes.length) return bytes.length;
    for (let k = 1; k <= need; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
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
 * Decodes UTF-8 bytes into text chunks of at least 64 KiB (the last may be shorter). The BOM is
 * dropped. Invalid UTF-8 is a DataError naming the line it is on.
 */
export async function* decodeUtf8(source: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let lineBase = 1;
  let prevCR = false;
  let pending = '';
  const fail = (bytes: Uint8Array, e: unknown): never => {
    const bad = firstInvalidUtf8(bytes);
    const line = lineBase + linesIn(bytes, Math.min(bad, bytes.length));
    throw new DataError('INVALID_UTF8', `invalid UTF-8 byte sequence on line ${line}`, { line, cause: e });
  };
  for await (const chunk of source) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch (e) {
      fail(chunk, e);
      return;
    }
    const breaks = countLineBreaks(text, prevCR);
    lineBase += breaks.count;
    prevCR = breaks.endsWithCR;
    pending = pending.length ? pending + text : text;
    if (pending.length >= MIN_TEXT_CHUNK) {
      yield pending;
      pending = '';
    }
  }
  let tail: string;
  try {
    tail = decoder.decode();
  } catch (e) {
    throw new DataError(
      'INVALID_UTF8',
      `invalid UTF-8 byte sequence on line ${lineBase} (truncated at end of file)`,
      {
        line: lineBase,
        cause: e,
      },
    );
  }
  pending += tail;
  if (pending.length) yield pending;
}

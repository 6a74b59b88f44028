/**
 * UTF-8 encoding for the string column hot loop. For the short values most CSV fields are, a JS
 * loop beats Buffer#write, whose call costs about as much as copying ~25 characters in JS; past 32
 * characters the native copy wins (48: 351 vs 241 MB/s, 256: 1034 vs 288 MB/s through the writer).
 * Both turn lone surrogates into U+FFFD.
 */

const NATIVE_MIN_CHARS = 32;

/** Writes `s` as UTF-8 at `b[q]` and returns the end offset; `b` needs 3 bytes per UTF-16 unit. */
export function writeUtf8(s: string, b: Buffer, q: number): number {
  const len = s.length;
  if (len > NATIVE_MIN_CHARS) return q + b.write(s, q);
  let j = 0;
  for (; j < len; j++) {
    const c = s.charCodeAt(j);
    if (c >= 0x80) return encodeUtf8Tail(s, j, b, q);
    b[q++] = c;
  }
  return q;
}

/** Encodes the non-ASCII tail of `s` from index `j` at `b[q]`; returns the end offset. Needs 3 bytes per unit. */
export function encodeUtf8Tail(s: string, j: number, b: Uint8Array, q: number): number {
  const len = s.length;
  for (; j < len; j++) {
    const c = s.charCodeAt(j);
    if (c < 0x80) {
      b[q++] = c;
    } else if (c < 0x800) {
      b[q++] = 0xc0 | (c >>> 6);
      b[q++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      b[q++] = 0xe0 | (c >>> 12);
      b[q++] = 0x80 | ((c >>> 6) & 0x3f);
      b[q++] = 0x80 | (c & 0x3f);
    } else {
      const d = j + 1 < len ? s.charCodeAt(j + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        b[q++] = 0xf0 | (cp >>> 18);
        b[q++] = 0x80 | ((cp >>> 12) & 0x3f);
        b[q++] = 0x80 | ((cp >>> 6) & 0x3f);
        b[q++] = 0x80 | (cp & 0x3f);
        j++;
      } else {
        b[q++] = 0xef;
        b[q++] = 0xbf;
        b[q++] = 0xbd;
      }
    }
  }
  return q;
}

/**
 * Writes byte text `s` (one character per byte, see ParquetWriterOptions.byteStrings) at `b[q]` and
 * returns the end offset; `b` needs a byte per character. The same JS loop, native copy split.
 */
export function writeByteText(s: string, b: Buffer, q: number): number {
  const len = s.length;
  if (len > NATIVE_MIN_CHARS) return q + b.write(s, q, 'latin1');
  for (let j = 0; j < len; j++) b[q++] = s.charCodeAt(j);
  return q;
}

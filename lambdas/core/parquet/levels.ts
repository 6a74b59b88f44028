import { ByteBuf } from './bytes.js';
import { writeHybrid } from './rle.js';

/**
 * Definition levels of a data page v1 (4-byte length + RLE/bit-packed hybrid, bit width 1), and
 * the trick that avoids copying page values: values are encoded after a small reserved gap and
 * the levels, usually a single RLE run, are written right-aligned into that gap.
 */
export const LEVELS_GAP = 16;

export class LevelsEncoder {
  private readonly out = new ByteBuf(256);
  private levels = new Uint8Array(1024);
  private readonly joined = new ByteBuf(1024);

  /** A scratch array of at least `n` bytes for the caller to fill with levels (0 null, 1 present). */
  scratch(n: number): Uint8Array {
    this.levels = fitLevels(this.levels, n);
    return this.levels;
  }

  /** Levels for `n` values; when `nulls` > 0 they are read from levels[0..n) (0 null, 1 present). */
  encode(n: number, nulls: number, levels: Uint8Array = this.levels): Uint8Array {
    const out = this.out;
    out.pos = 4;
    if (nulls === 0) {
      out.varint(n * 2);
      out.ensure(1);
      out.buf[out.pos++] = 1;
    } else {
      writeHybrid(levels, 0, n, 1, out);
    }
    const len = out.pos - 4;
    out.buf.writeUInt32LE(len, 0);
    return out.view();
  }

  /**
   * The page body: `levels` then page.buf[LEVELS_GAP..page.pos). Writes the levels into the gap when
   * they fit, so only pages with many nulls pay for a copy. The result is valid until the next call.
   */
  join(levels: Uint8Array, page: ByteBuf): Uint8Array {
    if (levels.length <= LEVELS_GAP) {
      const start = LEVELS_GAP - levels.length;
      page.buf.set(levels, start);
      return page.u8.subarray(start, page.pos);
    }
    const j = this.joined;
    j.pos = 0;
    j.ensure(levels.length + page.pos - LEVELS_GAP);
    j.bytes(levels);
    j.bytes(page.u8.subarray(LEVELS_GAP, page.pos));
    return j.view();
  }

  /** A page body: its values, after definition levels for the page's `n` rows when the column is nullable. */
  pageBody(nullable: boolean, page: ByteBuf, n: number, nulls: number, levels: Uint8Array): Uint8Array {
    return nullable ? this.join(this.encode(n, nulls, levels), page) : page.u8.subarray(LEVELS_GAP, page.pos);
  }
}

/** Shared by every writer of the process: its results are used synchronously, before the next call. */
export const sharedLevels = new LevelsEncoder();

/**
 * `levels` if it holds at least `n` bytes, else a larger copy of it: pages keep their levels as
 * rows arrive, since the rows themselves are gone by the time the page is flushed.
 */
export function fitLevels(levels: Uint8Array<ArrayBuffer>, n: number): Uint8Array<ArrayBuffer> {
  if (levels.length >= n) return levels;
  const next = new Uint8Array(Math.max(n, levels.length * 2, 1024));
  next.set(levels);
  return next;
}

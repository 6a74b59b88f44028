// Longer values are left out of the footer rather than bloating it; readers then just skip pruning.
const MAX_STAT_BYTES = 4096;
// A bound kept truncated to this many bytes still orders every value exactly, except against values
// sharing the whole prefix, and those are too long to be written anyway.
const KEPT = MAX_STAT_BYTES + 1;

/**
 * Running min/max of a string column chunk, compared on the encoded UTF-8 bytes: unsigned
 * byte-wise order is what Parquet requires, and comparing bytes already in a buffer (4 at a time,
 * read big-endian so word order is byte order) is cheaper than comparing JS strings, whose UTF-16
 * order also differs for characters beyond U+FFFF.
 */
export class StringStats {
  private readonly min = new Uint8Array(KEPT + 3);
  private readonly max = new Uint8Array(KEPT + 3);
  private readonly minView = new DataView(this.min.buffer);
  private readonly maxView = new DataView(this.max.buffer);
  private minLen = -1;
  private maxLen = 0;

  reset(): void {
    this.minLen = -1;
  }

  /** Adds the present value at bytes [start, start + len) of `dv`. */
  add(dv: DataView, start: number, len: number): void {
    if (this.minLen < 0) {
      this.minLen = keep(dv, start, len, this.min);
      this.maxLen = keep(dv, start, len, this.max);
    } else if (compare(dv, start, len, this.minView, this.minLen) < 0) {
      this.minLen = keep(dv, start, len, this.min);
    } else if (compare(dv, start, len, this.maxView, this.maxLen) > 0) {
      this.maxLen = keep(dv, start, len, this.max);
    }
  }

  /** min/max bytes, each omitted when absent or longer than MAX_STAT_BYTES. */
  bytes(): { min?: Uint8Array; max?: Uint8Array } {
    const out: { min?: Uint8Array; max?: Uint8Array } = {};
    if (this.minLen < 0) return out;
    if (this.minLen <= MAX_STAT_BYTES) out.min = this.min.slice(0, this.minLen);
    if (this.maxLen <= MAX_STAT_BYTES) out.max = this.max.slice(0, this.maxLen);
    return out;
  }
}

function keep(dv: DataView, start: number, len: number, target: Uint8Array): number {
  const n = Math.min(len, KEPT);
  for (let i = 0; i < n; i++) target[i] = dv.getUint8(start + i);
  return n;
}

/** Unsigned byte-wise comparison of dv[start, start + len) with m[0, mLen). */
function compare(dv: DataView, start: number, len: number, m: DataView, mLen: number): number {
  const n = Math.min(len, mLen);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a = dv.getUint32(start + i);
    const b = m.getUint32(i);
    if (a !== b) return a < b ? -1 : 1;
  }
  for (; i < n; i++) {
    const d = dv.getUint8(start + i) - m.getUint8(i);
    if (d !== 0) return d;
  }
  return len - mLen;
}

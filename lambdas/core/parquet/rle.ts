import type { ByteBuf } from './bytes.js';

/** Bits needed to store values 0..maxValue (at least 1, which every reader accepts). */
export function bitWidthFor(maxValue: number): number {
  let w = 1;
  while (w < 32 && maxValue >= 2 ** w) w++;
  return w;
}

/**
 * Appends values[start..end) as an RLE/bit-packed hybrid run sequence (no length prefix).
 * Runs of 8 or more equal values become RLE runs; the rest is bit-packed in groups of 8.
 */
export function writeHybrid(
  values: Int32Array | Uint8Array,
  start: number,
  end: number,
  bitWidth: number,
  out: ByteBuf,
): void {
  if (bitWidth > 24) throw new RangeError(`bit width ${bitWidth} is not supported`);
  const byteWidth = (bitWidth + 7) >> 3;
  let i = start;
  while (i < end) {
    const v = values[i]!;
    let j = i + 1;
    while (j < end && values[j] === v) j++;
    if (j - i >= 8) {
      out.varint((j - i) * 2);
      out.ensure(byteWidth);
      for (let b = 0; b < byteWidth; b++) out.buf[out.pos++] = (v >>> (8 * b)) & 0xff;
      i = j;
      continue;
    }
    // Extend the literal group by group until a run long enough for RLE starts on a group boundary.
    let k = i;
    for (;;) {
      k += 8;
      if (k >= end) {
        k = end;
        break;
      }
      const w = values[k]!;
      let r = k + 1;
      while (r < end && r - k < 8 && values[r] === w) r++;
      if (r - k >= 8) break;
    }
    bitPack(values, i, k, bitWidth, out);
    i = k;
  }
}

function bitPack(
  values: Int32Array | Uint8Array,
  start: number,
  end: number,
  bitWidth: number,
  out: ByteBuf,
) {
  const groups = (end - start + 7) >> 3;
  out.varint(groups * 2 + 1);
  out.ensure(groups * bitWidth);
  const b = out.buf;
  let p = out.pos;
  let acc = 0;
  let bits = 0;
  const last = start + groups * 8;
  // Values past `end` pad the last group with zeros; readers stop at the page's value count.
  for (let i = start; i < last; i++) {
    const v = i < end ? values[i]! : 0;
    acc |= v << bits;
    bits += bitWidth;
    while (bits >= 8) {
      b[p++] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
    }
  }
  out.pos = p;
}

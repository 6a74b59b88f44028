import { ByteBuf } from './bytes.js';

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

/**
 * Runs writeHybrid over inputs that take each of its branches, a few times, when the module loads,
 * for the reason snappy.ts primes its compressor: V8 compiled bitPack's loop on the stack before
 * the code after the loop had ever run, and that code then deoptimized on every call, 348 times
 * over the first 10 MB of the benchmark.
 */
function prime(): void {
  // Definition levels (bit width 1) and dictionary indices (width 10): runs of 8 or more and
  // literal groups of each, ending on a partial group, and a literal run of over 63 groups (its
  // header takes two varint bytes).
  const levels = new Uint8Array(301);
  for (let i = 0; i < levels.length; i++) levels[i] = i < 40 || i % 3 === 0 ? 1 : 0;
  const indices = new Int32Array(1201);
  for (let i = 0; i < indices.length; i++) indices[i] = i >= 100 && i < 150 ? 5 : (i * 31) % 1000;
  for (let round = 0; round < PRIME_ROUNDS; round++) {
    // A small buffer each round, so that the pages' buffers growing is seen too.
    writeHybrid(levels, 0, levels.length, 1, new ByteBuf(16));
    writeHybrid(indices, 0, indices.length, 10, new ByteBuf(16));
  }
}
const PRIME_ROUNDS = 8;
prime();

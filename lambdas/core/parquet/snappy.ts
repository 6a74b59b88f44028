import { ByteBuf } from './bytes.js';

/**
 * Snappy block compressor (the raw format Parquet's SNAPPY codec uses), after the reference
 * implementation: 64 KiB fragments, a 14-bit hash table of 4-byte sequences, and a skip that
 * grows on incompressible input so such data passes through quickly.
 *
 * An input of 64 KiB or more is sampled first, and stored as literals when the samples do not
 * compress by an eighth. The reference's skip only speeds up data with no matches at all; Parquet
 * pages of random-looking numbers (amounts, ids) find a short match every few bytes, and the
 * matcher then costs as much as on text for a few percent (bench notes, "Fifth pass").
 */

const BLOCK_SIZE = 1 << 16;
const HASH_BITS = 14;
const INPUT_MARGIN = 15;
const table = new Uint16Array(1 << HASH_BITS);

/** Upper bound of the compressed size of `n` input bytes. */
export function snappyMaxLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

const SAMPLE_FROM = 1 << 16;
const SAMPLE_BYTES = 4096;
const SAMPLES = 3;
/** Stored as literals when samples of this many bytes compress to more than (1 - 1/8) of it. */
const WORTH_COMPRESSING = SAMPLES * SAMPLE_BYTES - (SAMPLES * SAMPLE_BYTES) / 8;
const sampleOut = new Uint8Array(snappyMaxLength(SAMPLE_BYTES));

/** Appends the Snappy compression of `input` to `out`. */
export function snappyCompress(input: Uint8Array, out: ByteBuf): void {
  out.ensure(snappyMaxLength(input.length));
  out.varint(input.length);
  let op = out.pos;
  // The plain Uint8Array over the buffer, as the samples' scratch is: a Buffer here and a
  // Uint8Array there would give the compressor two maps, and the first page sampled would
  // deoptimize it (bench notes, "Sixth pass").
  const o = out.u8;
  // Offsets below are into the input's whole buffer (see viewsOf).
  const { bytes, dv } = viewsOf(input.buffer);
  const begin = input.byteOffset;
  const end = begin + input.length;
  const store = input.length >= SAMPLE_FROM && !worthCompressing(bytes, dv, begin, input.length);
  for (let start = begin; start < end; start += BLOCK_SIZE) {
    const fragmentEnd = Math.min(end, start + BLOCK_SIZE);
    op = store
      ? emitLiteral(bytes, start, fragmentEnd, o, op)
      : compressFragment(bytes, dv, start, fragmentEnd, o, op);
  }
  out.pos = op;
}

/** Whether three samples, around the quarter points of the input, compress by at least an eighth. */
function worthCompressing(bytes: Uint8Array, dv: DataView, begin: number, length: number): boolean {
  let compressed = 0;
  for (let i = 1; i <= SAMPLES; i++) {
    const start = begin + Math.floor((length * i) / (SAMPLES + 1)) - SAMPLE_BYTES / 2;
    compressed += compressFragment(bytes, dv, start, start + SAMPLE_BYTES, sampleOut, 0);
  }
  return compressed <= WORTH_COMPRESSING;
}

interface Views {
  readonly bytes: Uint8Array;
  readonly dv: DataView;
}

const views = new WeakMap<ArrayBufferLike, Views>();

/**
 * Byte and DataView views of a whole buffer (unaligned 32-bit DataView reads are about twice as
 * fast as four byte loads), kept while the buffer lives: pages come from the writer's reused
 * buffers, and a small file compresses dozens of pages, where new views for each would cost more
 * than compressing the page.
 */
function viewsOf(buffer: ArrayBufferLike): Views {
  let v = views.get(buffer);
  if (!v) {
    v = { bytes: new Uint8Array(buffer), dv: new DataView(buffer) };
    views.set(buffer, v);
  }
  return v;
}

function compressFragment(
  input: Uint8Array,
  dv: DataView,
  base: number,
  end: number,
  o: Uint8Array,
  op: number,
): number {
  const size = end - base;
  let bits = 8;
  while (bits < HASH_BITS && 1 << bits < size) bits++;
  const shift = 32 - bits;
  table.fill(0, 0, 1 << bits);
  let nextEmit = base;
  if (size >= INPUT_MARGIN) {
    const ipLimit = end - INPUT_MARGIN;
    let ip = base + 1;
    let nextVal = dv.getInt32(ip, true);
    outer: for (;;) {
      let skip = 32;
      let nextIp = ip;
      let candidate = 0;
      let val = 0;
      do {
        ip = nextIp;
        val = nextVal;
        nextIp = ip + (skip >>> 5);
        skip++;
        if (nextIp > ipLimit) break outer;
        nextVal = dv.getInt32(nextIp, true);
        const hash = Math.imul(val, 0x1e35a7bd) >>> shift;
        candidate = base + table[hash]!;
        table[hash] = ip - base;
      } while (val !== dv.getInt32(candidate, true));

      op = emitLiteral(input, nextEmit, ip, o, op);
      let cur = 0;
      do {
        const matchStart = ip;
        let a = candidate + 4;
        ip += 4;
        for (;;) {
          if (ip > end - 4) {
            while (ip < end && input[ip] === input[a]) {
              ip++;
              a++;
            }
            break;
          }
          // Compare 4 bytes at a time; the lowest differing bit locates the first differing byte.
          const x = dv.getInt32(ip, true) ^ dv.getInt32(a, true);
          if (x === 0) {
            ip += 4;
            a += 4;
            continue;
          }
          ip += (31 - Math.clz32(x & -x)) >>> 3;
          break;
        }
        op = emitCopy(o, op, matchStart - candidate, ip - matchStart);
        nextEmit = ip;
        if (ip >= ipLimit) break outer;
        table[Math.imul(dv.getInt32(ip - 1, true), 0x1e35a7bd) >>> shift] = ip - 1 - base;
        cur = dv.getInt32(ip, true);
        const h = Math.imul(cur, 0x1e35a7bd) >>> shift;
        candidate = base + table[h]!;
        table[h] = ip - base;
      } while (cur === dv.getInt32(candidate, true));
      ip++;
      nextVal = dv.getInt32(ip, true);
    }
  }
  if (nextEmit < end) op = emitLiteral(input, nextEmit, end, o, op);
  return op;
}

function emitLiteral(input: Uint8Array, from: number, to: number, o: Uint8Array, op: number): number {
  const n = to - from - 1;
  if (n < 60) {
    o[op++] = n << 2;
  } else if (n < 0x100) {
    o[op++] = 60 << 2;
    o[op++] = n;
  } else {
    // Fragments are at most 64 KiB, so two length bytes always suffice.
    o[op++] = 61 << 2;
    o[op++] = n & 0xff;
    o[op++] = n >>> 8;
  }
  if (n < 32) {
    for (let i = from; i < to; i++) o[op++] = input[i]!;
    return op;
  }
  o.set(input.subarray(from, to), op);
  return op + n + 1;
}

function emitCopy(o: Uint8Array, op: number, offset: number, len: number): number {
  while (len >= 68) {
    op = emitCopyUpTo64(o, op, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    op = emitCopyUpTo64(o, op, offset, 60);
    len -= 60;
  }
  return emitCopyUpTo64(o, op, offset, len);
}

function emitCopyUpTo64(o: Uint8Array, op: number, offset: number, len: number): number {
  if (len < 12 && offset < 2048) {
    o[op] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    o[op + 1] = offset & 0xff;
    return op + 2;
  }
  o[op] = 2 | ((len - 1) << 2);
  o[op + 1] = offset & 0xff;
  o[op + 2] = offset >>> 8;
  return op + 3;
}

/**
 * Runs the compressor over a small input that takes every branch, a few times, when the module loads.
 * V8 optimizes the hot loop while it is still compressing the first page; code it compiles before
 * a branch has ever run (the end of a fragment, a long literal, a long copy, a match reaching the
 * end) deoptimizes when that branch is first taken, and an on-stack-replaced loop did so at every
 * fragment until the whole function was recompiled: 33 deoptimizations, and a compressor three
 * times slower than its steady state, over the first 10 MB of the benchmark.
 */
const PRIME_ROUNDS = 4;

function prime(): void {
  // Its own buffer, as a page's is (the compressor reads through views of the whole buffer).
  const input = Buffer.alloc(6000);
  let seed = 1;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 24;
  };
  // 300 incompressible bytes (a literal past 256), a 100-byte repeat (a copy past 64), 40 fresh
  // bytes (a literal past 32), a short repeat from 2 KiB back (a 3-byte copy), a 66-byte repeat,
  // 10 fresh bytes, a repeat, 100 fresh bytes (a literal past 60), then a repeat running into the
  // end of the input.
  let n = 0;
  const fresh = (count: number) => {
    for (let i = 0; i < count; i++) input[n++] = random();
  };
  const repeat = (from: number, count: number) => {
    for (let i = 0; i < count; i++) input[n++] = input[from + i]!;
  };
  fresh(300);
  repeat(100, 100);
  fresh(2000);
  repeat(50, 8);
  fresh(40);
  repeat(500, 66);
  fresh(10);
  repeat(900, 20);
  fresh(100);
  repeat(700, input.length - n);
  const out = new ByteBuf(snappyMaxLength(input.length) + 16);
  // V8 records type feedback only once a function has run for a while; the first rounds allocate
  // it, the last ones fill it.
  for (let round = 0; round < PRIME_ROUNDS; round++) {
    out.pos = 0;
    snappyCompress(input, out);
    out.pos = 0;
    snappyCompress(input.subarray(0, 10), out);
  }
}
prime();

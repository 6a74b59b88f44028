import { INITIAL_SLOTS, mixHash, RETAINED_SLOTS, SEED } from './string-index.js';

/**
 * A column chunk's distinct values given as byte spans (see ByteSpans), and their dictionary
 * indices: StringIndex's table, with the keys left where the dictionary already holds them. Entry
 * k is `dict[offsets[k] + 4, + its length)`, after a 4-byte little-endian length (a PLAIN
 * dictionary page's layout), so a lookup compares bytes and makes no string.
 */
export class BytesIndex {
  /** By slot: the entry index held there, or -1. */
  private entries = new Int32Array(INITIAL_SLOTS).fill(-1);
  private hashes = new Int32Array(INITIAL_SLOTS);
  /** The slot of each entry, so that clearing visits only the slots in use. */
  private slots = new Int32Array(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  /** Distinct values held; each one's index is the count before it was added. */
  size = 0;

  clear(): void {
    if (this.size === 0) return;
    if (this.entries.length > RETAINED_SLOTS) {
      this.allocate(INITIAL_SLOTS);
    } else {
      for (let i = 0; i < this.size; i++) this.entries[this.slots[i]!] = -1;
    }
    this.size = 0;
  }

  /**
   * The index of src[from, to) in the dictionary `dict` with entry offsets `offsets`. A value not
   * held yet is added as index `size` and returned as `-1 - index`: the caller then appends it to
   * the dictionary before the next lookup.
   */
  indexOrAdd(
    src: Uint8Array,
    srcView: DataView,
    from: number,
    to: number,
    dict: Uint8Array,
    dictView: DataView,
    offsets: Int32Array,
  ): number {
    const len = to - from;
    // FNV over four bytes a step, then the bytes left: the final mixing spreads them.
    let h = SEED ^ len;
    let i = from;
    for (; i + 4 <= to; i += 4) h = Math.imul(h ^ srcView.getInt32(i, true), 0x01000193);
    for (; i < to; i++) h = Math.imul(h ^ src[i]!, 0x01000193);
    h = mixHash(h);
    const entries = this.entries;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const k = entries[slot]!;
      if (k < 0) break;
      if (this.hashes[slot] === h && sameBytes(src, srcView, from, len, dict, dictView, offsets[k]!))
        return k;
      slot = (slot + 1) & mask;
    }
    const index = this.size++;
    entries[slot] = index;
    this.hashes[slot] = h;
    this.slots[index] = slot;
    if (this.size * 2 > entries.length) this.grow();
    return -1 - index;
  }

  private allocate(slots: number): void {
    this.entries = new Int32Array(slots).fill(-1);
    this.hashes = new Int32Array(slots);
    this.slots = new Int32Array(slots);
    this.mask = slots - 1;
  }

  private grow(): void {
    const { entries, hashes } = this;
    this.allocate(entries.length * 2);
    for (let i = 0; i < entries.length; i++) {
      const k = entries[i]!;
      if (k < 0) continue;
      let slot = hashes[i]! & this.mask;
      while (this.entries[slot]! >= 0) slot = (slot + 1) & this.mask;
      this.entries[slot] = k;
      this.hashes[slot] = hashes[i]!;
      this.slots[k] = slot;
    }
  }
}

/** True when src[from, from + len) equals the dictionary entry at `at` (length, then bytes). */
function sameBytes(
  src: Uint8Array,
  srcView: DataView,
  from: number,
  len: number,
  dict: Uint8Array,
  dictView: DataView,
  at: number,
): boolean {
  if (dictView.getInt32(at, true) !== len) return false;
  const base = at + 4 - from;
  let i = from;
  const to = from + len;
  for (; i + 4 <= to; i += 4)
    if (srcView.getInt32(i, true) !== dictView.getInt32(base + i, true)) return false;
  for (; i < to; i++) if (src[i] !== dict[base + i]) return false;
  return true;
}

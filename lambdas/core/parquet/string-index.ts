/**
 * A column chunk's distinct strings and their dictionary indices: an open-addressing hash table
 * (linear probing, at most half full) over arrays that are kept from one chunk to the next.
 *
 * A `Map` does the same, but `Map#clear` allocates a fresh table that then regrows by doubling:
 * on a file of a few dozen rows that is a handful of allocations per string column, and the
 * collections they cause cost more than the lookups. Here a new chunk only forgets its keys.
 */

/** Slots a table starts with, and keeps between chunks unless a chunk grew it past RETAINED_SLOTS. */
export const INITIAL_SLOTS = 64;
export const RETAINED_SLOTS = 1 << 16;

/**
 * Seeded once per process, so that which strings collide cannot be worked out in advance: a file
 * crafted to collide would otherwise turn each lookup into a scan of the table.
 */
export const SEED = (Math.random() * 0x1_0000_0000) | 0;

/** Final mixing of an FNV hash: the low bits pick the slot, and FNV alone leaves them weak on short keys. */
export function mixHash(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h;
}

function hashOf(s: string): number {
  let h = SEED ^ s.length;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mixHash(h);
}

export class StringIndex {
  private keys: (string | undefined)[] = new Array<string | undefined>(INITIAL_SLOTS).fill(undefined);
  private indices = new Int32Array(INITIAL_SLOTS);
  private hashes = new Int32Array(INITIAL_SLOTS);
  /** The slot of each index, so that clearing visits only the slots in use. */
  private slots = new Int32Array(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  /** Distinct strings held; each one's index is the count before it was added. */
  size = 0;

  /** Forgets every string (and lets them be collected); a table grown large is given back. */
  clear(): void {
    if (this.size === 0) return;
    if (this.keys.length > RETAINED_SLOTS) {
      this.allocate(INITIAL_SLOTS);
    } else {
      for (let i = 0; i < this.size; i++) this.keys[this.slots[i]!] = undefined;
    }
    this.size = 0;
  }

  /** The index of `s`; a string not held yet is added as index `size` and returned as `-1 - index`. */
  indexOrAdd(s: string): number {
    const h = hashOf(s);
    const keys = this.keys;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const key = keys[slot];
      if (key === undefined) break;
      if (this.hashes[slot] === h && key === s) return this.indices[slot]!;
      slot = (slot + 1) & mask;
    }
    const index = this.size++;
    keys[slot] = s;
    this.hashes[slot] = h;
    this.indices[slot] = index;
    this.slots[index] = slot;
    if (this.size * 2 > keys.length) this.grow();
    return -1 - index;
  }

  /** The index of `s`, or -1 when it is not held. */
  indexOf(s: string): number {
    const h = hashOf(s);
    const keys = this.keys;
    let slot = h & this.mask;
    for (;;) {
      const key = keys[slot];
      if (key === undefined) return -1;
      if (this.hashes[slot] === h && key === s) return this.indices[slot]!;
      slot = (slot + 1) & this.mask;
    }
  }

  private allocate(slots: number): void {
    this.keys = new Array<string | undefined>(slots).fill(undefined);
    this.indices = new Int32Array(slots);
    this.hashes = new Int32Array(slots);
    this.slots = new Int32Array(slots);
    this.mask = slots - 1;
  }

  private grow(): void {
    const { keys, indices, hashes } = this;
    this.allocate(keys.length * 2);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (key === undefined) continue;
      let slot = hashes[i]! & this.mask;
      while (this.keys[slot] !== undefined) slot = (slot + 1) & this.mask;
      this.keys[slot] = key;
      this.hashes[slot] = hashes[i]!;
      this.indices[slot] = indices[i]!;
      this.slots[indices[i]!] = slot;
    }
  }
}

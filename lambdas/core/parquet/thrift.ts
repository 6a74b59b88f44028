/**
 * A small Thrift compact-protocol encoder: just what Parquet's footer and page headers need.
 * Field ids are written as deltas, so each open struct remembers its last field id.
 */

export enum TType {
  True = 1,
  False = 2,
  Byte = 3,
  I16 = 4,
  I32 = 5,
  I64 = 6,
  Double = 7,
  Binary = 8,
  List = 9,
  Struct = 12,
}

const utf8 = new TextEncoder();

/** Growable compact-protocol output; reuse it by calling reset(). */
export class ThriftWriter {
  private buf: Uint8Array;
  private pos = 0;
  private lastField = 0;
  private readonly stack: number[] = [];

  constructor(initialBytes = 256) {
    this.buf = new Uint8Array(initialBytes);
  }

  /** Bytes written so far (a view; copy before the next reset if kept). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  get length(): number {
    return this.pos;
  }

  /** Starts over, keeping the allocated buffer. */
  reset(): void {
    this.pos = 0;
    this.lastField = 0;
    this.stack.length = 0;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Unsigned varint; numbers up to 2^53 without bit operators, which would truncate to 32 bits. */
  private varint(n: number): void {
    this.ensure(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  private zigzag(n: number): void {
    if (!Number.isSafeInteger(n)) throw new RangeError(`thrift integer out of range: ${n}`);
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  private fieldHeader(id: number, type: TType): void {
    const delta = id - this.lastField;
    if (delta > 0 && delta <= 15) {
      this.byte((delta << 4) | type);
    } else {
      this.byte(type);
      this.zigzag(id);
    }
    this.lastField = id;
  }

  /** Writes an i32, i16 or enum field. */
  i32(id: number, value: number): void {
    this.fieldHeader(id, TType.I32);
    this.zigzag(value);
  }

  i16(id: number, value: number): void {
    this.fieldHeader(id, TType.I16);
    this.zigzag(value);
  }

  i64(id: number, value: number): void {
    this.fieldHeader(id, TType.I64);
    this.zigzag(value);
  }

  bool(id: number, value: boolean): void {
    this.fieldHeader(id, value ? TType.True : TType.False);
  }

  binary(id: number, value: Uint8Array): void {
    this.fieldHeader(id, TType.Binary);
    this.rawBinary(value);
  }

  string(id: number, value: string): void {
    this.fieldHeader(id, TType.Binary);
    this.rawString(value);
  }

  /** Opens a nested struct field; close it with structEnd(). */
  structBegin(id: number): void {
    this.fieldHeader(id, TType.Struct);
    this.stack.push(this.lastField);
    this.lastField = 0;
  }

  /** Closes the innermost struct (a list element or a struct field). */
  structEnd(): void {
    this.byte(0);
    this.lastField = this.stack.pop() ?? 0;
  }

  /** Opens a list field; then write `size` elements with the element methods below. */
  listBegin(id: number, elementType: TType, size: number): void {
    this.fieldHeader(id, TType.List);
    if (size < 15) {
      this.byte((size << 4) | elementType);
    } else {
      this.byte(0xf0 | elementType);
      this.varint(size);
    }
  }

  /** Starts a struct element of a list; close it with structEnd(). */
  elementStructBegin(): void {
    this.stack.push(this.lastField);
    this.lastField = 0;
  }

  elementI32(value: number): void {
    this.zigzag(value);
  }

  elementString(value: string): void {
    this.rawString(value);
  }

  /**
   * A string's UTF-8 bytes with their length. Footers are mostly short ASCII names and values,
   * copied here without the encoder's Uint8Array for each (measurable on files of a few rows).
   */
  private rawString(value: string): void {
    const n = value.length;
    this.ensure(n + 5);
    const start = this.pos;
    this.varint(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = start;
        this.rawBinary(utf8.encode(value));
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  private rawBinary(value: Uint8Array): void {
    this.varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** Ends the top-level struct. */
  end(): void {
    this.byte(0);
  }
}

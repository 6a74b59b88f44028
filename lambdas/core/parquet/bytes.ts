/**
 * A growable byte buffer that hot loops write through directly (`buf`, `pos`). Its memory is never
 * a slice of Node's shared pool, so `buf.byteOffset` is 0 and aligned typed-array views are possible.
 */
export class ByteBuf {
  buf: Buffer;
  /** A DataView over `buf`, replaced whenever `buf` is. */
  dv: DataView;
  /**
   * A plain Uint8Array over `buf`, for views: a Buffer's subarray is built through Buffer's own
   * constructor, several times the cost of a Uint8Array's, and a small file takes dozens of views.
   */
  u8: Uint8Array;
  pos = 0;

  constructor(initialBytes: number) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(16, initialBytes));
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.u8 = new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  private replace(next: Buffer): void {
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.dv = new DataView(next.buffer, next.byteOffset, next.length);
    this.u8 = new Uint8Array(next.buffer, next.byteOffset, next.length);
  }

  /** Makes room for `extra` more bytes after `pos`, keeping the content. */
  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    this.replace(Buffer.allocUnsafeSlow(size));
  }

  /** Drops an oversized buffer (grown for one huge value) so it is not kept for the writer's life. */
  shrinkTo(bytes: number): void {
    if (this.buf.length > bytes * 4 && this.pos <= bytes) {
      this.replace(Buffer.allocUnsafeSlow(bytes));
    }
  }

  /** Empties the buffer and lets it go if it grew past `bytes`, for a reuse that may need far less. */
  recycle(bytes: number): void {
    this.pos = 0;
    if (this.buf.length > bytes) this.replace(Buffer.allocUnsafeSlow(bytes));
  }

  view(): Uint8Array {
    return this.u8.subarray(0, this.pos);
  }

  u32le(n: number): void {
    this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = n;
    b[p + 1] = n >>> 8;
    b[p + 2] = n >>> 16;
    b[p + 3] = n >>> 24;
    this.pos = p + 4;
  }

  varint(n: number): void {
    this.ensure(5);
    const b = this.buf;
    let p = this.pos;
    while (n >= 0x80) {
      b[p++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    b[p++] = n;
    this.pos = p;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }
}

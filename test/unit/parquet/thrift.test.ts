import { describe, expect, it } from 'vitest';
import { ThriftWriter, TType } from '../../../lambdas/core/parquet/thrift.js';

const bytesOf = (write: (t: ThriftWriter) => void): number[] => {
  const t = new ThriftWriter(4);
  write(t);
  return [...t.bytes()];
};

describe('Thrift compact encoder', () => {
  it('writes field ids as deltas and zigzag varint integers', () => {
    expect(
      bytesOf((t) => {
        t.i32(1, 0);
        t.i32(2, -1);
        t.i64(4, 300);
        t.end();
      }),
    ).toEqual([0x15, 0x00, 0x15, 0x01, 0x26, 0xd8, 0x04, 0x00]);
  });

  it('writes the long form of a field header when the delta exceeds 15', () => {
    expect(bytesOf((t) => t.i32(20, 1))).toEqual([0x05, 0x28, 0x02]);
  });

  it('encodes booleans in the field type and strings as length-prefixed UTF-8', () => {
    expect(
      bytesOf((t) => {
        t.bool(1, true);
        t.bool(2, false);
        t.string(3, 'é');
      }),
    ).toEqual([0x11, 0x12, 0x18, 0x02, 0xc3, 0xa9]);
  });

  it('restores the field id context after nested structs and struct list elements', () => {
    expect(
      bytesOf((t) => {
        t.structBegin(5);
        t.i32(1, 1);
        t.structEnd();
        t.listBegin(6, TType.Struct, 1);
        t.elementStructBegin();
        t.i32(3, 2);
        t.structEnd();
        t.i32(7, 3);
      }),
    ).toEqual([0x5c, 0x15, 0x02, 0x00, 0x19, 0x1c, 0x35, 0x04, 0x00, 0x15, 0x06]);
  });

  it('writes list sizes of 15 and more after the header byte', () => {
    const bytes = bytesOf((t) => {
      t.listBegin(1, TType.I32, 20);
      for (let i = 0; i < 20; i++) t.elementI32(0);
    });
    expect(bytes.slice(0, 3)).toEqual([0x19, 0xf5, 20]);
  });

  it('writes integers beyond 32 bits exactly', () => {
    expect(bytesOf((t) => t.i64(1, 2 ** 40))).toEqual([0x16, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]);
  });
});

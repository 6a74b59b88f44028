/** Ways to PLAIN-encode papaparse-made strings, in blocks of rows across 12 columns. */
import { parsedGroups } from './data.js';

const GROUP = 50_000;
const BLOCK = 2048;
const groups = parsedGroups(4, GROUP);
const total = groups.reduce((a, g) => a + g.bytes, 0);
const out = Buffer.allocUnsafe(64 << 20);
const scratch = Buffer.allocUnsafe(1 << 20);
type W = { utf8Write(s: string, o: number): number; latin1Write(s: string, o: number): number };

function charLoop(col: string[], start: number, end: number, p: number): number {
  const b = out;
  for (let i = start; i < end; i++) {
    const s = col[i]!;
    const len = s.length;
    let q = p + 4;
    for (let j = 0; j < len; j++) b[q++] = s.charCodeAt(j);
    const n = q - p - 4;
    b[p] = n;
    b[p + 1] = n >>> 8;
    b[p + 2] = n >>> 16;
    b[p + 3] = n >>> 24;
    p = q;
  }
  return p;
}
function lengthsOnly(col: string[], start: number, end: number, p: number): number {
  for (let i = start; i < end; i++) p += col[i]!.length + 4;
  return p;
}
function joinCopy(col: string[], start: number, end: number, p: number): number {
  const joined = col.slice(start, end).join('');
  const n = (scratch as unknown as W).utf8Write(joined, 0);
  if (n !== joined.length) return charLoop(col, start, end, p);
  const b = out;
  let a = 0;
  for (let i = start; i < end; i++) {
    const len = col[i]!.length;
    b[p] = len;
    b[p + 1] = len >>> 8;
    b[p + 2] = len >>> 16;
    b[p + 3] = len >>> 24;
    p += 4;
    for (let k = 0; k < len; k++) b[p + k] = scratch[a + k]!;
    p += len;
    a += len;
  }
  return p;
}
function perValueLatin1(col: string[], start: number, end: number, p: number): number {
  const b = out as unknown as W;
  for (let i = start; i < end; i++) {
    const n = b.latin1Write(col[i]!, p + 4);
    out.writeUInt32LE(n, p);
    p += 4 + n;
  }
  return p;
}
const SEP = '\0\0\0\0';
/** Writes each value's length over the 4-byte separator in front of it (ASCII only). */
function overwriteSeparators(col: string[], start: number, end: number, p: number): number {
  const b = out;
  for (let i = start; i < end; i++) {
    const len = col[i]!.length;
    b[p] = len;
    b[p + 1] = len >>> 8;
    b[p + 2] = len >>> 16;
    b[p + 3] = len >>> 24;
    p += 4 + len;
  }
  return p;
}
function joinSep(col: string[], start: number, end: number, p: number): number {
  // The null check an encoder needs before joining (join would write null as an empty string).
  for (let i = start; i < end; i++) if (typeof col[i] !== 'string') throw new Error('null in block');
  const joined = col.slice(start, end).join(SEP);
  const n = (out as unknown as W).utf8Write(joined, p + 4);
  if (n !== joined.length) return charLoop(col, start, end, p);
  return overwriteSeparators(col, start, end, p);
}
function latin1Sep(col: string[], start: number, end: number, p: number): number {
  (out as unknown as W).latin1Write(col.slice(start, end).join(SEP), p + 4);
  return overwriteSeparators(col, start, end, p);
}
const dict = new Map<string, number>();
function mapLookup(col: string[], start: number, end: number, p: number): number {
  for (let i = start; i < end; i++) {
    const s = col[i]!;
    let k = dict.get(s);
    if (k === undefined) {
      k = dict.size;
      if (k < 100000) dict.set(s, k);
    }
    p += k & 1;
  }
  return p;
}
let sink = 0;
function run(name: string, f: (col: string[], s: number, e: number, p: number) => number) {
  const ts: number[] = [];
  for (let r = 0; r < 7; r++) {
    const u = process.cpuUsage();
    for (const g of groups) {
      let p = 0;
      for (let s = 0; s < GROUP; s += BLOCK) {
        const e = Math.min(GROUP, s + BLOCK);
        for (let c = 0; c < 12; c++) {
          p = f(g.values[c]!, s, e, p);
          dict.clear();
        }
      }
      sink += p;
    }
    const d = process.cpuUsage(u);
    ts.push((d.user + d.system) / 1000);
  }
  ts.sort((a, b) => a - b);
  console.log(
    name.padEnd(20),
    (total / 1e6 / (ts[3]! / 1000)).toFixed(0).padStart(5),
    'MB/s cpu (best',
    (total / 1e6 / (ts[0]! / 1000)).toFixed(0) + ')',
  );
}
for (let k = 0; k < 2; k++) {
  run('lengths only', lengthsOnly);
  run('charCodeAt loop', charLoop);
  run('join+utf8Write+copy', joinCopy);
  run('latin1Write/value', perValueLatin1);
  run('join sep + utf8Write', joinSep);
  run('join sep + latin1Write', latin1Sep);
  run('map lookup', mapLookup);
}
console.log(sink > 0);

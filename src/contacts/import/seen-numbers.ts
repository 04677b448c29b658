/**
 * The numbers an import has already met, for "duplicate of line N": blind index -> first line.
 *
 * A million-row file needs a million entries. A Map of the 43-character index strings costs
 * ~90 bytes an entry; this open-addressing table of typed arrays keeps 60 bits of the index (it
 * is an HMAC, so any 60 bits are uniformly random) in 12 bytes a slot: ~24 MB at a million.
 * Two different numbers share 60 bits with probability ~n²/2^61, about 4 in 10 million for a
 * million-row file; the report would show that line as a duplicate of a line with another
 * masked number.
 */

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64URL.length; i++) VALUE[BASE64URL.charCodeAt(i)] = i;

function word(index: string, from: number): number {
  let w = 0;
  for (let i = from; i < from + 5; i++) {
    const v = VALUE[index.charCodeAt(i) & 127]!;
    if (v < 0) throw new Error('not a blind index');
    w = (w << 6) | v;
  }
  return w;
}

export class SeenNumbers {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private lines: Uint32Array;
  private count = 0;

  constructor(capacity = 1 << 16) {
    const size = 1 << Math.ceil(Math.log2(Math.max(16, capacity * 2)));
    this.hi = new Uint32Array(size);
    this.lo = new Uint32Array(size);
    this.lines = new Uint32Array(size);
  }

  get size(): number {
    return this.count;
  }

  /** The first line this number was on, or undefined (and `line` is remembered for it). */
  firstLineOf(index: string, line: number): number | undefined {
    // A free slot has line 0: file lines start at 1.
    const hi = word(index, 0);
    const lo = word(index, 5);
    const mask = this.lines.length - 1;
    for (let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask; ; slot = (slot + 1) & mask) {
      const seen = this.lines[slot]!;
      if (seen === 0) {
        this.hi[slot] = hi;
        this.lo[slot] = lo;
        this.lines[slot] = line;
        if (++this.count * 2 > this.lines.length) this.grow();
        return undefined;
      }
      if (this.hi[slot] === hi && this.lo[slot] === lo) return seen;
    }
  }

  private grow(): void {
    const { hi, lo, lines } = this;
    const size = lines.length * 2;
    this.hi = new Uint32Array(size);
    this.lo = new Uint32Array(size);
    this.lines = new Uint32Array(size);
    const mask = size - 1;
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === 0) continue;
      let slot = (lo[i]! ^ Math.imul(hi[i]!, 0x9e3779b1)) & mask;
      while (this.lines[slot] !== 0) slot = (slot + 1) & mask;
      this.hi[slot] = hi[i]!;
      this.lo[slot] = lo[i]!;
      this.lines[slot] = lines[i]!;
    }
  }
}

import {GrowingArray} from './growing-array.js';

/**
 * Strings kept as UTF-8 in one growing buffer, numbered as they are added: what a build keeps of
 * every entry (identity, title, timestamps) outside the garbage-collected heap. A string on the
 * heap costs a header and a pointer besides its characters, and a heap that holds 100k of them
 * is one the collector lets grow several times larger before it collects; bytes here cost
 * their length and four bytes of offset, and the collector never walks them.
 */
export class StringArena {
  private bytes = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  /** Where string n ends (it starts where n - 1 ends). */
  private readonly ends = new GrowingArray(Float64Array);

  get count(): number {
    return this.ends.length;
  }

  /** Adds `text`; returns its number. */
  add(text: string): number {
    const room = 3 * text.length;
    if (this.used + room > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.used + room));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    this.used += this.bytes.write(text, this.used, 'utf8');
    this.ends.push(this.used);
    return this.ends.length - 1;
  }

  get(n: number): string {
    return this.bytes.toString('utf8', this.startOf(n), this.ends.get(n));
  }

  /** Whether string n is `text`, without decoding it. */
  equals(n: number, text: string): boolean {
    const start = this.startOf(n);
    const length = this.ends.get(n) - start;
    if (length < text.length || length > 3 * text.length) return false;
    const scratch = scratchFor(3 * text.length);
    const written = scratch.write(text, 0, 'utf8');
    return written === length && scratch.compare(this.bytes, start, start + length, 0, written) === 0;
  }

  /** Whether strings a and b are the same, without decoding them. */
  same(a: number, b: number): boolean {
    return (
      this.bytes.compare(this.bytes, this.startOf(a), this.ends.get(a), this.startOf(b), this.ends.get(b)) ===
      0
    );
  }

  private startOf(n: number): number {
    return n === 0 ? 0 : this.ends.get(n - 1);
  }
}

let scratch = Buffer.allocUnsafe(256);

function scratchFor(length: number): Buffer {
  if (scratch.length < length) scratch = Buffer.allocUnsafe(Math.max(length, 2 * scratch.length));
  return scratch;
}

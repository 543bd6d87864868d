import {GrowingArray} from './growing-array.js';

/**
 * Strings kept in one growing buffer as their UTF-16 code units (any JavaScript string, lone
 * surrogates included, comes back exactly), numbered as they are added: what a build keeps of
 * many small strings (search tokens, timestamps) outside the garbage-collected heap. A string on
 * the heap costs a header and a pointer besides its characters, and a heap that holds 100k of
 * them is one the collector lets grow several times larger before it collects; bytes here cost
 * two a character and eight of offset, and the collector never walks them.
 */
export class StringArena {
  private bytes = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  /** Where string n ends, in bytes (it starts where n - 1 ends). */
  private readonly ends = new GrowingArray(Float64Array);

  get count(): number {
    return this.ends.length;
  }

  /** Adds `text`; returns its number. */
  add(text: string): number {
    const room = 2 * text.length;
    if (this.used + room > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.used + room));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    this.used += this.bytes.write(text, this.used, 'utf16le');
    this.ends.push(this.used);
    return this.ends.length - 1;
  }

  get(n: number): string {
    return this.bytes.toString('utf16le', this.startOf(n), this.ends.get(n));
  }

  /** Whether string n is `text`, without decoding it. */
  equals(n: number, text: string): boolean {
    return this.equalsAt(n, text, 0, text.length);
  }

  /** Whether string n is `text[start..end)`, without decoding it or slicing `text`. */
  equalsAt(n: number, text: string, start: number, end: number): boolean {
    const from = this.startOf(n);
    if (this.ends.get(n) - from !== 2 * (end - start)) return false;
    for (let i = start, at = from; i < end; i += 1, at += 2)
      if (this.bytes.readUInt16LE(at) !== text.charCodeAt(i)) return false;
    return true;
  }

  /** String n's length in UTF-16 code units. */
  lengthOf(n: number): number {
    return (this.ends.get(n) - this.startOf(n)) / 2;
  }

  /** Strings a and b in code-unit order (as `<` orders them), without decoding them. */
  compare(a: number, b: number): number {
    const fromA = this.startOf(a);
    const fromB = this.startOf(b);
    const lengthA = this.ends.get(a) - fromA;
    const lengthB = this.ends.get(b) - fromB;
    for (let at = 0; at < lengthA && at < lengthB; at += 2) {
      const unitA = this.bytes.readUInt16LE(fromA + at);
      const unitB = this.bytes.readUInt16LE(fromB + at);
      if (unitA !== unitB) return unitA - unitB;
    }
    return lengthA - lengthB;
  }

  /** Copies string n's code units (UTF-16, little-endian) into `target` at byte `offset`. */
  copyTo(n: number, target: Buffer, offset: number): void {
    this.bytes.copy(target, offset, this.startOf(n), this.ends.get(n));
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

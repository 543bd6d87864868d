import {StringArena} from './string-arena.js';

/**
 * The search vocabulary of a build: token -> number (numbered as first seen), in typed arrays
 * and a byte arena instead of a map of strings (at 100k issues it holds about as many tokens as
 * issues, and a heap that holds them is one the collector lets grow several times larger). A
 * token's hash is FNV-1a over its UTF-16 code units, whichever way it is looked up.
 */
export class TokenTable {
  private readonly arena = new StringArena();
  private hashes = new Uint32Array(1 << 12);
  /** Per slot: the token's number, -1 when empty. */
  private numbers = new Int32Array(1 << 12).fill(-1);

  get size(): number {
    return this.arena.count;
  }

  /** The number of the token `text[start..end)`; added when new. */
  numberOfSlice(text: string, start: number, end: number): number {
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    hash >>>= 0;
    const mask = this.numbers.length - 1;
    let slot = hash & mask;
    for (; this.numbers[slot] !== -1; slot = (slot + 1) & mask) {
      const number = this.numbers[slot]!;
      if (this.hashes[slot] === hash && this.arena.equalsAt(number, text, start, end)) return number;
    }
    return this.added(slot, hash, text.slice(start, end));
  }

  /** The number of `token`; added when new. */
  numberOf(token: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < token.length; i += 1) hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193);
    hash >>>= 0;
    const mask = this.numbers.length - 1;
    let slot = hash & mask;
    for (; this.numbers[slot] !== -1; slot = (slot + 1) & mask) {
      const number = this.numbers[slot]!;
      if (this.hashes[slot] === hash && this.arena.equals(number, token)) return number;
    }
    return this.added(slot, hash, token);
  }

  /** Tokens a and b in code-unit order (as `<` orders them). */
  compare(a: number, b: number): number {
    return this.arena.compare(a, b);
  }

  /** Token n's length in UTF-16 code units. */
  lengthOf(n: number): number {
    return this.arena.lengthOf(n);
  }

  /** Copies token n (UTF-16, little-endian) into `target` at byte `offset`. */
  copyTo(n: number, target: Buffer, offset: number): void {
    this.arena.copyTo(n, target, offset);
  }

  private added(slot: number, hash: number, token: string): number {
    const number = this.arena.add(token);
    this.hashes[slot] = hash;
    this.numbers[slot] = number;
    if (2 * this.arena.count > this.numbers.length) this.grow();
    return number;
  }

  private grow(): void {
    const {hashes, numbers} = this;
    this.hashes = new Uint32Array(2 * hashes.length);
    this.numbers = new Int32Array(2 * numbers.length).fill(-1);
    const mask = this.numbers.length - 1;
    numbers.forEach((number, old) => {
      if (number === -1) return;
      let slot = hashes[old]! & mask;
      while (this.numbers[slot] !== -1) slot = (slot + 1) & mask;
      this.hashes[slot] = hashes[old]!;
      this.numbers[slot] = number;
    });
  }
}

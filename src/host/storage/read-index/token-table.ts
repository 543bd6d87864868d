import {HashedSlots} from './hashed-slots.js';
import {StringArena} from './string-arena.js';

/**
 * The search vocabulary of a build: token -> number (numbered as first seen), in typed arrays
 * and a byte arena instead of a map of strings (at 100k issues it holds about as many tokens as
 * issues, and a heap that holds them is one the collector lets grow several times larger). A
 * token's hash is FNV-1a over its UTF-16 code units, whichever way it is looked up.
 */
export class TokenTable {
  private readonly arena = new StringArena();
  private readonly slots = new HashedSlots();

  get size(): number {
    return this.arena.count;
  }

  /** The number of the token `text[start..end)`; added when new. */
  numberOfSlice(text: string, start: number, end: number): number {
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    hash >>>= 0;
    const slot = this.slots.find(hash, (number) => this.arena.equalsAt(number, text, start, end));
    const number = this.slots.numberAt(slot);
    if (number !== -1) return number;
    const added = this.arena.add(text.slice(start, end));
    this.slots.put(slot, hash, added);
    return added;
  }

  /** The number of `token`; added when new. */
  numberOf(token: string): number {
    return this.numberOfSlice(token, 0, token.length);
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
}

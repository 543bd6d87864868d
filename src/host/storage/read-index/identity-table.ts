import {termHash} from './index-format.js';
import type {StringArena} from './string-arena.js';

/**
 * Identity -> the number of the entry last added under it, for a build that numbers entries as
 * they arrive (an entry folded again is added again, under a new number). Open addressing over
 * typed arrays: 12 bytes a slot instead of a map entry and a string on the heap. Identities are
 * compared against the arena they were first added to, by their first number.
 */
export class IdentityTable {
  private hashes = new Uint32Array(1 << 12);
  /** Per slot: the number the identity was first added under (its text in the arena), -1 empty. */
  private keys = new Int32Array(1 << 12).fill(-1);
  /** Per slot: the number it was last added under. */
  private latest = new Int32Array(1 << 12);
  private size = 0;

  constructor(private readonly arena: StringArena) {}

  /** The number `identity` was last added under, or -1. */
  get(identity: string): number {
    const slot = this.slotOf(identity, termHash(identity));
    return this.keys[slot] === -1 ? -1 : this.latest[slot]!;
  }

  /** Notes that `identity` (string `number` of the arena) was added under `number`. */
  set(identity: string, number: number): void {
    const hash = termHash(identity);
    const slot = this.slotOf(identity, hash);
    if (this.keys[slot] === -1) {
      this.keys[slot] = number;
      this.hashes[slot] = hash;
      this.size += 1;
      if (2 * this.size > this.keys.length) this.grow();
    }
    this.latest[this.slotOf(identity, hash)] = number;
  }

  private slotOf(identity: string, hash: number): number {
    const mask = this.keys.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const key = this.keys[slot]!;
      if (key === -1) return slot;
      if (this.hashes[slot] === hash && this.arena.equals(key, identity)) return slot;
    }
  }

  private grow(): void {
    const {hashes, keys, latest} = this;
    this.hashes = new Uint32Array(2 * hashes.length);
    this.keys = new Int32Array(2 * keys.length).fill(-1);
    this.latest = new Int32Array(2 * latest.length);
    const mask = this.keys.length - 1;
    keys.forEach((key, old) => {
      if (key === -1) return;
      let slot = hashes[old]! & mask;
      while (this.keys[slot] !== -1) slot = (slot + 1) & mask;
      this.keys[slot] = key;
      this.hashes[slot] = hashes[old]!;
      this.latest[slot] = latest[old]!;
    });
  }
}

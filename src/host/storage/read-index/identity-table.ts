import {termHash} from './index-format.js';

/**
 * Identity -> the number of the entry last added under it, for a build that numbers entries as
 * they arrive (an entry folded again is added again, under a new number). Open addressing over
 * typed arrays, 8 bytes a slot: no string is kept; a slot whose hash matches is confirmed by
 * `holds(number, identity)` (the builder reads the identity at the head of that entry's record).
 */
export class IdentityTable {
  private hashes = new Uint32Array(1 << 12);
  /** Per slot: the number last added under the slot's identity, -1 when the slot is empty. */
  private latest = new Int32Array(1 << 12).fill(-1);
  private size = 0;

  constructor(private readonly holds: (number: number, identity: string) => boolean) {}

  /** The number `identity` was last added under, or -1. */
  get(identity: string): number {
    return this.latest[this.slotOf(identity, termHash(identity))]!;
  }

  /** Notes that `identity` was added under `number`. */
  set(identity: string, number: number): void {
    const hash = termHash(identity);
    const slot = this.slotOf(identity, hash);
    if (this.latest[slot] === -1) {
      this.hashes[slot] = hash;
      this.size += 1;
    }
    this.latest[slot] = number;
    if (2 * this.size > this.latest.length) this.grow();
  }

  private slotOf(identity: string, hash: number): number {
    const mask = this.latest.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const number = this.latest[slot]!;
      if (number === -1 || (this.hashes[slot] === hash && this.holds(number, identity))) return slot;
    }
  }

  private grow(): void {
    const {hashes, latest} = this;
    this.hashes = new Uint32Array(2 * hashes.length);
    this.latest = new Int32Array(2 * latest.length).fill(-1);
    const mask = this.latest.length - 1;
    latest.forEach((number, old) => {
      if (number === -1) return;
      let slot = hashes[old]! & mask;
      while (this.latest[slot] !== -1) slot = (slot + 1) & mask;
      this.hashes[slot] = hashes[old]!;
      this.latest[slot] = number;
    });
  }
}

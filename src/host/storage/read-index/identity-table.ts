import {HashedSlots} from './hashed-slots.js';
import {termHash} from './index-format.js';

/**
 * Identity -> the number of the entry last added under it, for a build that numbers entries as
 * they arrive (an entry folded again is added again, under a new number). No string is kept: a
 * slot whose hash matches is confirmed by `holds(number, identity)` (the builder reads the
 * identity at the head of that entry's record).
 */
export class IdentityTable {
  private readonly slots = new HashedSlots();

  constructor(private readonly holds: (number: number, identity: string) => boolean) {}

  /** The number `identity` was last added under, or -1. */
  get(identity: string): number {
    return this.slots.numberAt(this.slotOf(identity, termHash(identity)));
  }

  /** Notes that `identity` was added under `number`. */
  set(identity: string, number: number): void {
    const hash = termHash(identity);
    this.slots.put(this.slotOf(identity, hash), hash, number);
  }

  private slotOf(identity: string, hash: number): number {
    return this.slots.find(hash, (number) => this.holds(number, identity));
  }
}

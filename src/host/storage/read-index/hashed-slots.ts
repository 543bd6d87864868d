/**
 * An open-addressing table of numbers keyed by something the caller holds elsewhere (a spilled
 * record, an arena), in two typed arrays: 8 bytes a slot, never more than half full. `find` probes
 * from a key's 32-bit hash and asks the caller whether a slot's number is the key's.
 */
export class HashedSlots {
  private hashes = new Uint32Array(1 << 12);
  /** Per slot: its number, -1 when empty. */
  private numbers = new Int32Array(1 << 12).fill(-1);
  private size = 0;

  /** The slot of the key hashed `hash` for which `isKey(number)`, or the empty slot it would take. */
  find(hash: number, isKey: (number: number) => boolean): number {
    const mask = this.numbers.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const number = this.numbers[slot]!;
      if (number === -1 || (this.hashes[slot] === hash && isKey(number))) return slot;
    }
  }

  /** The number in `slot`, -1 when empty. */
  numberAt(slot: number): number {
    return this.numbers[slot]!;
  }

  /** Puts `number` in `slot` (found by `find` for a key hashed `hash`); slots may move after. */
  put(slot: number, hash: number, number: number): void {
    if (this.numbers[slot] === -1) {
      this.hashes[slot] = hash;
      this.size += 1;
    }
    this.numbers[slot] = number;
    if (2 * this.size > this.numbers.length) this.grow();
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

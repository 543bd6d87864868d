/**
 * Event ids seen by a streamed fold, as 64-bit fingerprints (two independent 32-bit hashes) in
 * an open-addressing table: 16 bytes an event instead of a string in a set. `add` answers
 * "surely new" or "maybe seen": a fingerprint says nothing certain about an id it matches, so
 * the fold checks a "maybe" against what it holds, and folds exactly (ids as text) when it
 * cannot tell.
 */
export class EventIdSet {
  private first = new Uint32Array(1 << 12);
  /** Second hash, never 0 in a used slot (0 marks an empty one). */
  private second = new Uint32Array(1 << 12);
  private size = 0;

  /** True when `id` surely was not added before; false when it maybe was (it is added either way). */
  add(id: string): boolean {
    const a = hashA(id);
    const b = hashB(id) || 1;
    const mask = this.first.length - 1;
    let slot = a & mask;
    for (; this.second[slot] !== 0; slot = (slot + 1) & mask)
      if (this.first[slot] === a && this.second[slot] === b) return false;
    this.first[slot] = a;
    this.second[slot] = b;
    this.size += 1;
    if (2 * this.size > this.first.length) this.grow();
    return true;
  }

  private grow(): void {
    const {first, second} = this;
    this.first = new Uint32Array(2 * first.length);
    this.second = new Uint32Array(2 * second.length);
    const mask = this.first.length - 1;
    second.forEach((b, old) => {
      if (b === 0) return;
      let slot = first[old]! & mask;
      while (this.second[slot] !== 0) slot = (slot + 1) & mask;
      this.first[slot] = first[old]!;
      this.second[slot] = b;
    });
  }
}

/** FNV-1a. */
function hashA(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** A multiply-rotate hash with other constants (independent of FNV's bits). */
function hashB(text: string): number {
  let hash = 0x9e3779b9;
  for (let i = 0; i < text.length; i += 1) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x85ebca6b);
    hash = (hash << 13) | (hash >>> 19);
  }
  hash = Math.imul(hash ^ (hash >>> 16), 0xc2b2ae35);
  return (hash ^ (hash >>> 13)) >>> 0;
}

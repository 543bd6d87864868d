import {tokenSeparator} from './index-format.js';
import type {GrowingArray} from './growing-array.js';

/**
 * Token postings gathered as flat (token, entry) pairs in a growing typed array, then grouped
 * by token: tens of millions of pairs at 100k issues, which one small array per token made
 * into a garbage collector's feast. Entries are numbered as they arrive (the builder's
 * provisional numbers); `appendTo` maps them to record numbers.
 */
/** Any character outside ASCII. */
const NON_ASCII = /[\u0080-\uffff]/;

export class TokenPostings {
  private readonly ids = new Map<string, number>();
  private lastEntry = new Int32Array(1024).fill(-1);
  private pairs = new Uint32Array(1 << 16);
  private length = 0;

  /** The distinct tokens of `hay` (an issue's search text), for entry `entry`. */
  addText(hay: string, entry: number): void {
    if (!NON_ASCII.test(hay)) {
      this.addAscii(hay, entry);
      return;
    }
    for (const token of hay.split(tokenSeparator())) if (token !== '') this.addToken(token, entry);
  }

  /**
   * The same for a text of ASCII characters only, scanned by hand: among them the token
   * characters (letters, numbers, marks, `_`) are exactly `A-Z a-z 0-9 _`.
   */
  private addAscii(hay: string, entry: number): void {
    let start = -1;
    for (let i = 0; i <= hay.length; i += 1) {
      const c = i < hay.length ? hay.charCodeAt(i) : 32;
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c === 95) {
        if (start < 0) start = i;
      } else if (start >= 0) {
        this.addToken(hay.slice(start, i), entry);
        start = -1;
      }
    }
  }

  private addToken(token: string, entry: number): void {
    let id = this.ids.get(token);
    if (id === undefined) {
      id = this.ids.size;
      // A copy, not a slice that would keep the whole text it came from alive.
      this.ids.set(token.length >= 13 ? Buffer.from(token, 'utf8').toString('utf8') : token, id);
      if (id >= this.lastEntry.length) {
        const grown = new Int32Array(this.lastEntry.length * 2).fill(-1);
        grown.set(this.lastEntry);
        this.lastEntry = grown;
      }
    }
    if (this.lastEntry[id] === entry) return;
    this.lastEntry[id] = entry;
    if (this.length + 2 > this.pairs.length) {
      const grown = new Uint32Array(this.pairs.length * 2);
      grown.set(this.pairs);
      this.pairs = grown;
    }
    this.pairs[this.length++] = id;
    this.pairs[this.length++] = entry;
  }

  /**
   * Appends every token's records (in record order) to `postings`, entry `e` becoming record
   * `recordOf[e]` (-1: left out, an entry folded again later); returns the sorted vocabulary
   * (one `\n`-terminated line per token), where each token's line starts (in UTF-16 code
   * units), and each token's [first, count] in `postings`. Two counting sorts: by record, then
   * (stably) by token rank.
   */
  appendTo(
    postings: GrowingArray<Uint32Array>,
    recordOf: Int32Array,
    records: number,
  ): {vocabulary: string; starts: Uint32Array; ranges: Uint32Array} {
    const byRecord = this.pairsByRecord(recordOf, records);
    // Tokens of entries left out only are left out too (the vocabulary a fold of once has).
    const perId = new Uint32Array(this.ids.size);
    for (let k = 0; k < byRecord.length; k += 2) perId[byRecord[k]!]! += 1;
    const names = [...this.ids.keys()];
    const order = names
      .map((_, id) => id)
      .filter((id) => perId[id]! > 0)
      .sort((a, b) => (names[a]! < names[b]! ? -1 : 1));
    const rank = new Uint32Array(names.length);
    order.forEach((id, r) => (rank[id] = r));
    const counts = new Uint32Array(order.length + 1);
    order.forEach((id, r) => (counts[r + 1] = perId[id]!));
    for (let r = 0; r < order.length; r += 1) counts[r + 1]! += counts[r]!;
    const first = postings.length;
    const grouped = new Uint32Array(byRecord.length / 2);
    const cursor = counts.slice(0, order.length);
    for (let k = 0; k < byRecord.length; k += 2) grouped[cursor[rank[byRecord[k]!]!]!++] = byRecord[k + 1]!;
    for (const record of grouped) postings.push(record);
    const starts = new Uint32Array(order.length + 1);
    const ranges = new Uint32Array(order.length * 2);
    let text = 0;
    order.forEach((id, r) => {
      starts[r] = text;
      text += names[id]!.length + 1;
      ranges[2 * r] = first + counts[r]!;
      ranges[2 * r + 1] = counts[r + 1]! - counts[r]!;
    });
    starts[order.length] = text;
    return {vocabulary: order.map((id) => names[id]! + '\n').join(''), starts, ranges};
  }

  /** The (token, record) pairs of kept entries, ordered by record (a counting sort). */
  private pairsByRecord(recordOf: Int32Array, records: number): Uint32Array {
    const counts = new Uint32Array(records + 1);
    for (let k = 0; k < this.length; k += 2) {
      const record = recordOf[this.pairs[k + 1]!]!;
      if (record >= 0) counts[record + 1]! += 1;
    }
    for (let r = 0; r < records; r += 1) counts[r + 1]! += counts[r]!;
    const out = new Uint32Array(2 * counts[records]!);
    for (let k = 0; k < this.length; k += 2) {
      const record = recordOf[this.pairs[k + 1]!]!;
      if (record < 0) continue;
      const at = 2 * counts[record]!++;
      out[at] = this.pairs[k]!;
      out[at + 1] = record;
    }
    return out;
  }
}

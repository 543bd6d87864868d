import {GrowingArray} from './growing-array.js';
import {tokenSeparator} from './index-format.js';
import type {SpillFile} from './spill-file.js';
import {TokenTable} from './token-table.js';

/** Any character outside ASCII. */
const NON_ASCII = /[\u0080-\uffff]/;

/** A token's records, grouped: what the `postings` and `vocabulary*` sections are made of. */
export interface GroupedTokens {
  /** Every token's records, token after token (in vocabulary order), each in record order. */
  readonly postings: Uint32Array;
  /** The sorted tokens, each followed by `\n`, in UTF-16 (little-endian) code units. */
  readonly vocabulary: Buffer;
  /** Where each token's line starts in `vocabulary` (UTF-16 code units), then its length. */
  readonly starts: Uint32Array;
  /** Per token, [first, count] in the postings section (`postings` placed at `first`). */
  readonly ranges: Uint32Array;
}

/**
 * The search tokens of every entry (tens of millions at 100k issues of real text): each entry's
 * distinct token numbers go to a spill file as one record, only the vocabulary (token -> number)
 * and which record holds which entry's tokens stay in memory. Entries are numbered as they arrive
 * (the builder's provisional numbers, increasing); `group` maps them to records.
 */
export class TokenPostings {
  private readonly ids = new TokenTable();
  private lastEntry = new Int32Array(1024).fill(-1);
  /** This entry's distinct tokens, gathered before they go to the spill file. */
  private row = new GrowingArray(Uint32Array);
  /** Pairs (entry, spill record) of the entries that have tokens. */
  private readonly rows = new GrowingArray(Uint32Array);

  constructor(private readonly spill: SpillFile) {}

  /** The distinct tokens of `hay` (an issue's search text), for entry `entry`. */
  addText(hay: string, entry: number): void {
    this.row.length = 0;
    if (!NON_ASCII.test(hay)) this.addAscii(hay, entry);
    else
      for (const token of hay.split(tokenSeparator()))
        if (token !== '') this.addNumber(this.ids.numberOf(token), entry);
    const tokens = this.row.view();
    this.rows.push(entry);
    this.rows.push(this.spill.addBytes(new Uint8Array(tokens.buffer, tokens.byteOffset, tokens.byteLength)));
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
        this.addNumber(this.ids.numberOfSlice(hay, start, i), entry);
        start = -1;
      }
    }
  }

  private addNumber(id: number, entry: number): void {
    if (id >= this.lastEntry.length) {
      const grown = new Int32Array(this.lastEntry.length * 2).fill(-1);
      grown.set(this.lastEntry);
      this.lastEntry = grown;
    }
    if (this.lastEntry[id] === entry) return;
    this.lastEntry[id] = entry;
    this.row.push(id);
  }

  /**
   * Every token's records, entry `e` becoming record `recordOf[e]` (-1: left out, an entry
   * folded again later; tokens only such entries had are left out too, as a fold of the log
   * at once would never have seen them). Postings are placed from `first` in their section.
   * A counting sort over two reads of the spill file: the records per token, then each
   * token's records filled in and put in order.
   */
  group(recordOf: Int32Array, first: number): GroupedTokens {
    const perId = new Uint32Array(this.ids.size);
    this.visitKept(recordOf, (run, from, end) => {
      for (let at = from; at < end; at += 4) perId[run.readUInt32LE(at)]! += 1;
    });
    let used = 0;
    for (const count of perId) if (count > 0) used += 1;
    const order = new Uint32Array(used);
    used = 0;
    perId.forEach((count, id) => {
      if (count > 0) order[used++] = id;
    });
    order.sort((a, b) => this.ids.compare(a, b));
    const cursor = new Uint32Array(this.ids.size);
    const starts = new Uint32Array(order.length + 1);
    const ranges = new Uint32Array(order.length * 2);
    let filled = 0;
    let text = 0;
    order.forEach((id, r) => {
      cursor[id] = filled;
      ranges[2 * r] = first + filled;
      ranges[2 * r + 1] = perId[id]!;
      filled += perId[id]!;
      starts[r] = text;
      text += this.ids.lengthOf(id) + 1;
    });
    starts[order.length] = text;
    const postings = new Uint32Array(filled);
    this.visitKept(recordOf, (run, from, end, record) => {
      for (let at = from; at < end; at += 4) postings[cursor[run.readUInt32LE(at)]!++] = record;
    });
    order.forEach((_, r) => {
      const from = ranges[2 * r]! - first;
      postings.subarray(from, from + ranges[2 * r + 1]!).sort();
    });
    const vocabulary = Buffer.allocUnsafe(2 * text);
    order.forEach((id, r) => {
      this.ids.copyTo(id, vocabulary, 2 * starts[r]!);
      vocabulary.writeUInt16LE(10, 2 * (starts[r + 1]! - 1));
    });
    return {postings, vocabulary, starts, ranges};
  }

  /** The token records of the kept entries, in the order they were added. */
  private visitKept(
    recordOf: Int32Array,
    visit: (run: Buffer, from: number, end: number, record: number) => void,
  ): void {
    const rows = this.rows.view();
    const numbers = new GrowingArray(Uint32Array);
    const records = new GrowingArray(Uint32Array);
    for (let k = 0; k < rows.length; k += 2) {
      const record = recordOf[rows[k]!]!;
      if (record < 0) continue;
      numbers.push(rows[k + 1]!);
      records.push(record);
    }
    this.spill.records(numbers.view(), (run, from, end, k) => visit(run, from, end, records.get(k)));
  }
}

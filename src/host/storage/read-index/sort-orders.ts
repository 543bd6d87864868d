import {CANONICAL_STATUSES} from '../../../core/model/enums.js';
import type {CanonicalIssue} from '../../../core/model/canonical-issue.js';
import {compareText} from '../../services/ticket-order.js';
import type {SortName} from './index-format.js';
import {GrowingArray} from './growing-array.js';
import type {SpillFile} from './spill-file.js';
import type {StringArena} from './string-arena.js';

/**
 * What the orders of `list-tickets --sort` compare, per entry, kept apart from the issue (the
 * rest of it need not stay in memory): `compareBy`'s fields. Numbers stay in memory, flat (a
 * timestamp in the model's own form as its instant, which orders as its text does); texts go to
 * a spill file, one JSON line an entry, read back only by the order that needs them, one at a
 * time.
 */
export class SortFields {
  /** `Number(ref.id)` (NaN when not a number); NaN too for an entry with no view. */
  private readonly ids = new GrowingArray(Float64Array);
  private readonly priorities = new GrowingArray(Float64Array);
  private readonly statuses = new GrowingArray(Float64Array);
  /** `updated_at` and `created_at` as instants (ms), NaN when not in the model's form. */
  private readonly instants = {
    updated: new GrowingArray(Float64Array),
    created: new GrowingArray(Float64Array),
  };
  private readonly listable = new GrowingArray(Uint8Array);

  /** `texts`: where `[title, updated_at, created_at]` of each entry go. */
  constructor(private readonly texts: SpillFile) {}

  /** The fields of the next entry's view (null: an entry nobody lists). */
  add(view: CanonicalIssue | null): void {
    this.listable.push(view === null ? 0 : 1);
    this.ids.push(view === null ? Number.NaN : Number(view.ref.id));
    this.priorities.push(view?.priority ?? 9);
    this.statuses.push(view === null ? -1 : CANONICAL_STATUSES.indexOf(view.status));
    this.instants.updated.push(instantOf(view?.updated_at ?? null));
    this.instants.created.push(instantOf(view?.created_at ?? null));
    this.texts.add(
      JSON.stringify([view?.title ?? '', view?.updated_at ?? '', view?.created_at ?? '']) + '\n',
    );
  }

  /**
   * Entries `kept` in record order: `list-tickets`' default (key) order, issues a person can
   * name first (`compareBy('key')`: numeric id, else identity), then the rest by identity (the
   * default listing then reads the file front to back). An issue's identity is its ref's.
   */
  keyOrder(kept: readonly number[], arena: StringArena): Uint32Array {
    // The texts only while sorting (ties of numbers are rare; identities without one are not).
    const identities = new Map<number, string>();
    const identityOf = (e: number): string => {
      let text = identities.get(e);
      if (text === undefined) identities.set(e, (text = arena.get(e)));
      return text;
    };
    const sorted = [...kept].sort((a, b) => {
      const la = this.listable.get(a);
      const lb = this.listable.get(b);
      if (la !== lb) return lb - la;
      if (la === 1) {
        const na = this.ids.get(a);
        const nb = this.ids.get(b);
        if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
        const byText = compareText(identityOf(a), identityOf(b));
        if (byText !== 0) return byText;
      }
      return cmp(identityOf(a), identityOf(b));
    });
    return Uint32Array.from(sorted);
  }

  /**
   * The live records (ascending) in the order `list-tickets --sort` prints them. Every order
   * ties by key, then identity: by record number, since records are numbered so. `entryOf[r]`
   * is record r's entry.
   */
  sortedOrder(sort: SortName, live: readonly number[], entryOf: Uint32Array): Uint32Array {
    const e = (r: number): number => entryOf[r]!;
    switch (sort) {
      case 'key':
        return Uint32Array.from(live);
      case 'priority':
        return byNumber(live, (r) => this.priorities.get(e(r)));
      case 'status':
        return byNumber(live, (r) => this.statuses.get(e(r)));
      case 'title': {
        const titles = this.textsOf(live, entryOf, 0);
        const positions = live.map((_, k) => k);
        positions.sort((a, b) => compareText(titles[a]!, titles[b]!) || a - b);
        return Uint32Array.from(positions, (k) => live[k]!);
      }
      case 'updated':
      case 'created': {
        const instants = this.instants[sort];
        if (live.every((r) => !Number.isNaN(instants.get(e(r)))))
          return byNumber(live, (r) => -instants.get(e(r)));
        return newestFirst(live, this.textsOf(live, entryOf, sort === 'updated' ? 1 : 2));
      }
    }
  }
  /** Text `field` (0 title, 1 updated_at, 2 created_at) of records `live`, read from the spill file. */
  private textsOf(live: readonly number[], entryOf: Uint32Array, field: number): string[] {
    // Read in file order (entry order), placed in record order.
    const positions = Uint32Array.from(live, (_, k) => k).sort(
      (a, b) => entryOf[live[a]!]! - entryOf[live[b]!]!,
    );
    const entries = positions.map((k) => entryOf[live[k]!]!);
    const texts = new Array<string>(live.length);
    this.texts.lines(entries, (line, k) => (texts[positions[k]!] = (JSON.parse(line) as string[])[field]!));
    return texts;
  }
}

/** An instant in the model's form as a number (such texts order as their instants); else NaN. */
function instantOf(text: string | null): number {
  return text !== null && MODEL_INSTANT.test(text) ? Date.parse(text) : Number.NaN;
}

const MODEL_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * `live` ordered by `keys` (timestamps), newest first, ties by record. Timestamps of one shape
 * (the normalised form every issue has) order by code unit exactly as `compareText` orders
 * them, and by code unit as their digits read as numbers (15 at a time, exact in a double):
 * numbers compare many times faster than text.
 */
function newestFirst(live: readonly number[], keys: readonly string[]): Uint32Array {
  const positions = live.map((_, k) => k);
  if (!sameShapeTimestamps(keys)) {
    positions.sort((a, b) => compareText(keys[b]!, keys[a]!) || a - b);
    return Uint32Array.from(positions, (k) => live[k]!);
  }
  const digits: number[] = [];
  const first = keys[0] ?? '';
  for (let i = 0; i < first.length; i += 1)
    if (first.charCodeAt(i) >= 48 && first.charCodeAt(i) <= 57) digits.push(i);
  const chunks: Float64Array[] = [];
  for (let from = 0; from < digits.length; from += 15) {
    const places = digits.slice(from, from + 15);
    chunks.push(
      Float64Array.from(keys, (key) => {
        let value = 0;
        for (const at of places) value = value * 10 + (key.charCodeAt(at) - 48);
        return value;
      }),
    );
  }
  positions.sort((a, b) => {
    for (const chunk of chunks) if (chunk[a] !== chunk[b]) return chunk[b]! - chunk[a]!;
    return a - b;
  });
  return Uint32Array.from(positions, (k) => live[k]!);
}

function byNumber(live: readonly number[], value: (r: number) => number): Uint32Array {
  const values = new Float64Array(live.length);
  live.forEach((r, k) => (values[k] = value(r)));
  const positions = live.map((_, k) => k);
  positions.sort((a, b) => values[a]! - values[b]! || a - b);
  return Uint32Array.from(positions, (k) => live[k]!);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Whether every key is a timestamp (digits and `TZ:.+-`) with its digits in the same places as
 * the first one's: such texts order by code unit exactly as `compareText` orders them.
 */
function sameShapeTimestamps(keys: readonly string[]): boolean {
  if (keys.length === 0) return true;
  const first = keys[0]!;
  if (first === '') return false;
  for (const key of keys) {
    if (key.length !== first.length) return false;
    for (let i = 0; i < key.length; i += 1) {
      const c = key.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        const f = first.charCodeAt(i);
        if (f < 48 || f > 57) return false;
      } else if (c !== first.charCodeAt(i) || !TIMESTAMP_MARKS.includes(key[i]!)) return false;
    }
  }
  return true;
}

const TIMESTAMP_MARKS = 'TZ:.+-';

import {compareText} from '../../services/ticket-order.js';
import type {SortName} from './index-format.js';
import type {EntryFields} from './entry-fields.js';

/**
 * Entries `kept` in record order: `list-tickets`' default (key) order, issues a person can name
 * first (`compareBy('key')`: numeric id, else identity), then the rest by identity (the default
 * listing then reads the file front to back). An issue's identity is its ref's.
 */
export function keyOrder(kept: Uint32Array, fields: EntryFields): Uint32Array {
  const {listable, ids} = fields;
  return Uint32Array.from(kept).sort((a, b) => {
    const la = listable[a]!;
    const lb = listable[b]!;
    if (la !== lb) return lb - la;
    if (la === 1) {
      const na = ids[a]!;
      const nb = ids[b]!;
      if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
      const byText = compareText(fields.identity(a), fields.identity(b));
      if (byText !== 0) return byText;
    }
    return cmp(fields.identity(a), fields.identity(b));
  });
}

/**
 * The live records (ascending) in the order `list-tickets --sort` prints them. Every order ties
 * by key, then identity: by record number, since records are numbered so. `entryOf[r]` is record
 * r's entry. Timestamps in the model's own form compare as instants (they order as their texts
 * do); any other form is read back as text and compared as `compareBy` does.
 */
export function sortedOrder(
  sort: SortName,
  live: Uint32Array,
  entryOf: Uint32Array,
  fields: EntryFields,
): Uint32Array {
  const e = (r: number): number => entryOf[r]!;
  const entries = (): Uint32Array => Uint32Array.from(live, e);
  switch (sort) {
    case 'key':
      return Uint32Array.from(live);
    case 'priority':
      return byNumber(live, (r) => fields.priorities[e(r)]!);
    case 'status':
      return byNumber(live, (r) => fields.statuses[e(r)]!);
    case 'title': {
      const titles = fields.texts(entries(), 'title');
      const positions = live.map((_, k) => k);
      positions.sort((a, b) => compareText(titles[a]!, titles[b]!) || a - b);
      return Uint32Array.from(positions, (k) => live[k]!);
    }
    case 'updated':
    case 'created': {
      const instants = fields.instants[sort];
      if (live.every((r) => !Number.isNaN(instants[e(r)]!))) return byNumber(live, (r) => -instants[e(r)]!);
      return newestFirst(live, fields.texts(entries(), sort));
    }
  }
}

/**
 * `live` ordered by `keys` (timestamps), newest first, ties by record. Timestamps of one shape
 * (the normalised form every issue has) order by code unit exactly as `compareText` orders
 * them, and by code unit as their digits read as numbers (15 at a time, exact in a double):
 * numbers compare many times faster than text.
 */
function newestFirst(live: Uint32Array, keys: readonly string[]): Uint32Array {
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

function byNumber(live: Uint32Array, value: (r: number) => number): Uint32Array {
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

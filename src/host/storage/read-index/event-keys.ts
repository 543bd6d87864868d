import {GrowingArray} from './growing-array.js';
import {StringArena} from './string-arena.js';

/**
 * What a streamed fold's sorting pass keeps of each event: its place in fold order (`at`, then
 * `event_id`, as `compareEvents` orders them) and where its line lies (segment, byte start and
 * length), in flat typed arrays (about 60 bytes an event, none of it on the collected heap).
 * `at` is kept as its instant (ms) and, for the rare tie of instants written two ways, as text
 * (consecutive events mostly share it, so it is stored once per run); `event_id`, a ULID of 26
 * characters from one alphabet ordered as its code units, as three exact numbers of up to 9.
 */
export class EventKeys {
  private readonly ms = new GrowingArray(Float64Array);
  private readonly ats = new StringArena();
  private readonly atOf = new GrowingArray(Uint32Array);
  private readonly ids = new GrowingArray(Float64Array);
  private readonly segments = new GrowingArray(Uint32Array);
  private readonly starts = new GrowingArray(Float64Array);
  private readonly lengths = new GrowingArray(Uint32Array);
  private lastAt = '';

  get count(): number {
    return this.segments.length;
  }

  add(at: string, eventId: string, segment: number, start: number, length: number): void {
    if (this.ats.count === 0 || at !== this.lastAt) {
      this.ats.add(at);
      this.lastAt = at;
    }
    this.atOf.push(this.ats.count - 1);
    this.ms.push(Date.parse(at));
    for (let from = 0; from < ID_LENGTH; from += ID_CHUNK) this.ids.push(idChunk(eventId, from));
    this.segments.push(segment);
    this.starts.push(start);
    this.lengths.push(length);
  }

  /** Event numbers in fold order; events of the same `at` and id (repeats) by listing order. */
  order(): Uint32Array {
    const order = new Uint32Array(this.count);
    for (let k = 0; k < order.length; k += 1) order[k] = k;
    return order.sort((a, b) => this.compare(a, b) || a - b);
  }

  /** Whether events a and b have the same `at` and id (one event, stored twice). */
  same(a: number, b: number): boolean {
    return this.compare(a, b) === 0;
  }

  segment(k: number): number {
    return this.segments.get(k);
  }

  start(k: number): number {
    return this.starts.get(k);
  }

  length(k: number): number {
    return this.lengths.get(k);
  }

  /** Fold order of events a and b (`compareEvents`: the instant, then the text of `at`, then the id). */
  private compare(a: number, b: number): number {
    const byMs = this.ms.get(a) - this.ms.get(b);
    if (byMs !== 0) return byMs;
    const atA = this.atOf.get(a);
    const atB = this.atOf.get(b);
    if (atA !== atB && !this.ats.same(atA, atB)) return this.ats.get(atA) < this.ats.get(atB) ? -1 : 1;
    for (let c = 0; c < ID_CHUNKS; c += 1) {
      const byId = this.ids.get(ID_CHUNKS * a + c) - this.ids.get(ID_CHUNKS * b + c);
      if (byId !== 0) return byId;
    }
    return 0;
  }
}

const ID_LENGTH = 26;
const ID_CHUNK = 9;
const ID_CHUNKS = Math.ceil(ID_LENGTH / ID_CHUNK);
/** Code units of a ULID's alphabet span `0` (48) to `Z` (90): 43 values a character, and 0 past the end. */
const RADIX = 44;

/** Up to 9 characters of a ULID from `from` as one number (44^9 < 2^53: exact), in code-unit order. */
function idChunk(id: string, from: number): number {
  let value = 0;
  for (let i = from; i < from + ID_CHUNK; i += 1)
    value = value * RADIX + (i < id.length ? id.charCodeAt(i) - 47 : 0);
  return value;
}

import {CANONICAL_ISSUE_TYPES, CANONICAL_STATUSES} from '../../../core/model/enums.js';
import type {CanonicalIssue} from '../../../core/model/canonical-issue.js';
import {GrowingArray} from './growing-array.js';
import {COLUMN_BYTES, identityTerm, NONE, RECORD_SPAN, refTerms, termHash} from './index-format.js';
import type {SpillFile} from './spill-file.js';

/**
 * What the index's tables need of an entry besides its record (its columns, lookup terms and
 * the fields `list-tickets --sort` compares), written to a spill file as the entry is added, one
 * JSON line an entry, and read back when the base is written: while the log is folded, nothing
 * of it is in memory. Line: `[identity, columns, id, priority, status, updated ms, created ms,
 * term hashes, title, updated_at, created_at]` (`id`: `Number(ref.id)`; `null` for NaN).
 */
export class EntryFields {
  constructor(private readonly spill: SpillFile) {}

  /** The fields of the next entry (numbers as the builder's): `flags` and its view (null: none). */
  add(identity: string, flags: number, view: CanonicalIssue | null): void {
    const terms = [termHash(identityTerm(identity))];
    if (view !== null) for (const term of refTerms(view.ref)) terms.push(termHash(term));
    const columns =
      view === null
        ? [flags, 0, 0, 0]
        : [
            flags,
            indexOr(CANONICAL_STATUSES, view.status),
            indexOr(CANONICAL_ISSUE_TYPES, view.issue_type),
            view.priority === null || view.priority < 0 || view.priority >= NONE ? NONE : view.priority,
          ];
    const line = [
      identity,
      columns,
      view === null ? null : numberOrNull(Number(view.ref.id)),
      view?.priority ?? 9,
      view === null ? -1 : CANONICAL_STATUSES.indexOf(view.status),
      instantOf(view?.updated_at ?? null),
      instantOf(view?.created_at ?? null),
      terms,
      view?.title ?? '',
      view?.updated_at ?? '',
      view?.created_at ?? '',
    ];
    this.spill.add(JSON.stringify(line) + '\n');
  }

  /**
   * The numbers of entries `0..count-1` that `kept` says are kept, in flat arrays indexed by
   * entry (read in one pass, in file order), and the identities of those that sort by it.
   */
  load(count: number, kept: (e: number) => boolean): LoadedFields {
    const fields = new LoadedFields(count, this);
    const numbers: number[] = [];
    for (let e = 0; e < count; e += 1) if (kept(e)) numbers.push(e);
    this.spill.lines(numbers, (text, k) => fields.set(numbers[k]!, JSON.parse(text) as FieldsLine));
    return fields;
  }

  /** Text `field` of entries `entries` (in any order), in that order. */
  texts(entries: ArrayLike<number>, field: 'title' | 'updated' | 'created'): string[] {
    const at = field === 'title' ? 8 : field === 'updated' ? 9 : 10;
    // Read in file order, placed in the order asked.
    const positions = Uint32Array.from({length: entries.length}, (_, k) => k).sort(
      (a, b) => entries[a]! - entries[b]!,
    );
    const texts = new Array<string>(entries.length);
    this.spill.lines(
      positions.map((k) => entries[k]!),
      (line, k) => (texts[positions[k]!] = (JSON.parse(line) as FieldsLine)[at] as string),
    );
    return texts;
  }

  /** Entry e's identity. */
  identity(e: number): string {
    return (JSON.parse(this.spill.text(e)) as FieldsLine)[0];
  }
}

type FieldsLine = [
  string,
  number[],
  number | null,
  number,
  number,
  number | null,
  number | null,
  number[],
  string,
  string,
  string,
];

/** The fields of the kept entries, by entry number (unkept entries' slots stay empty). */
export class LoadedFields {
  /** `Number(ref.id)` (NaN when not a number); NaN too for an entry with no view. */
  readonly ids: Float64Array;
  readonly listable: Uint8Array;
  readonly priorities: Float64Array;
  readonly statuses: Float64Array;
  /** `updated_at` and `created_at` as instants (ms), NaN when not in the model's form. */
  readonly instants: {readonly updated: Float64Array; readonly created: Float64Array};
  /** `COLUMN_BYTES` per entry: flags, status, type, priority. */
  readonly columns: Uint8Array;
  /** Lookup terms, each `termHash * RECORD_SPAN + entry`. */
  readonly terms = new GrowingArray(Float64Array);
  private readonly identities = new Map<number, string>();

  constructor(
    count: number,
    private readonly source: EntryFields,
  ) {
    this.ids = new Float64Array(count).fill(Number.NaN);
    this.listable = new Uint8Array(count);
    this.priorities = new Float64Array(count);
    this.statuses = new Float64Array(count);
    this.instants = {updated: new Float64Array(count), created: new Float64Array(count)};
    this.columns = new Uint8Array(count * COLUMN_BYTES);
  }

  set(e: number, line: FieldsLine): void {
    const [identity, columns, id, priority, status, updated, created, terms] = line;
    this.columns.set(columns, e * COLUMN_BYTES);
    this.listable[e] = columns[0] === 0 ? 0 : 1;
    this.ids[e] = id ?? Number.NaN;
    this.priorities[e] = priority;
    this.statuses[e] = status;
    this.instants.updated[e] = updated ?? Number.NaN;
    this.instants.created[e] = created ?? Number.NaN;
    for (const hash of terms) this.terms.push(hash * RECORD_SPAN + e);
    // Entries that sort by identity: kept now; the others' are read if a tie asks for them.
    if (this.listable[e] === 0 || !Number.isFinite(this.ids[e]!)) this.identities.set(e, identity);
  }

  identity(e: number): string {
    let identity = this.identities.get(e);
    if (identity === undefined) this.identities.set(e, (identity = this.source.identity(e)));
    return identity;
  }

  texts(entries: ArrayLike<number>, field: 'title' | 'updated' | 'created'): string[] {
    return this.source.texts(entries, field);
  }
}

function indexOr(list: readonly string[], value: string): number {
  const index = list.indexOf(value);
  return index === -1 ? NONE : index;
}

function numberOrNull(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

/** An instant in the model's form as a number (such texts order as their instants); else null. */
function instantOf(text: string | null): number | null {
  return text !== null && MODEL_INSTANT.test(text) ? Date.parse(text) : null;
}

const MODEL_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

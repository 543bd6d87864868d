import {CANONICAL_ISSUE_TYPES, CANONICAL_STATUSES} from '../../../core/model/enums.js';
import type {CanonicalIssue} from '../../../core/model/canonical-issue.js';
import {GrowingArray} from './growing-array.js';
import {COLUMN_BYTES, identityTerm, NONE, RECORD_SPAN, refTerms, termHash} from './index-format.js';
import type {SpillFile} from './spill-file.js';

/**
 * What the index's tables need of each kept entry besides its record, gathered when the base is
 * written (one pass over the kept records): its columns, lookup terms and the numbers the sort
 * orders compare, in flat arrays indexed by entry; its identity, title and timestamps as one
 * JSON line of a spill file, read back by the order that needs them.
 */
export class EntryFields {
  /** `Number(ref.id)` (NaN when not a number); NaN too for an entry with no view. */
  readonly ids: Float64Array;
  readonly listable: Uint8Array;
  readonly priorities: Float64Array;
  readonly statuses: Float64Array;
  /** `updated_at` and `created_at` as instants (ms), NaN when not in the model's form. */
  readonly instants: {readonly updated: Float64Array; readonly created: Float64Array};
  /** `COLUMN_BYTES` per entry: flags, status, type, priority. */
  readonly columns: Uint8Array;
  /** Lookup terms, each `termHash * RECORD_SPAN + entry` (three at most an entry: sized once). */
  readonly terms: GrowingArray<Float64Array>;
  /** Entry -> its line in `texts` (-1: none). */
  private readonly lineOf: Int32Array;
  /** Identities of the entries that sort by them (no numeric id, or not listable). */
  private readonly identities = new Map<number, string>();

  constructor(
    count: number,
    /** `[identity, title, updated_at, created_at]` of each entry added, one JSON line. */
    private readonly textFile: SpillFile,
  ) {
    this.ids = new Float64Array(count).fill(Number.NaN);
    this.listable = new Uint8Array(count);
    this.priorities = new Float64Array(count);
    this.statuses = new Float64Array(count);
    this.instants = {updated: new Float64Array(count), created: new Float64Array(count)};
    this.columns = new Uint8Array(count * COLUMN_BYTES);
    this.lineOf = new Int32Array(count).fill(-1);
    this.terms = new GrowingArray(Float64Array, 3 * count + 16);
  }

  /** Entry e (`flags`, and its view; null: an entry nobody lists). */
  add(e: number, identity: string, flags: number, view: CanonicalIssue | null): void {
    this.terms.push(termHash(identityTerm(identity)) * RECORD_SPAN + e);
    this.columns[e * COLUMN_BYTES] = flags;
    this.lineOf[e] = this.textFile.add(
      JSON.stringify([identity, view?.title ?? '', view?.updated_at ?? '', view?.created_at ?? '']) + '\n',
    );
    if (view === null) {
      this.identities.set(e, identity);
      return;
    }
    for (const term of refTerms(view.ref)) this.terms.push(termHash(term) * RECORD_SPAN + e);
    this.columns[e * COLUMN_BYTES + 1] = indexOr(CANONICAL_STATUSES, view.status);
    this.columns[e * COLUMN_BYTES + 2] = indexOr(CANONICAL_ISSUE_TYPES, view.issue_type);
    this.columns[e * COLUMN_BYTES + 3] =
      view.priority === null || view.priority < 0 || view.priority >= NONE ? NONE : view.priority;
    this.listable[e] = 1;
    this.ids[e] = Number(view.ref.id);
    this.priorities[e] = view.priority ?? 9;
    this.statuses[e] = CANONICAL_STATUSES.indexOf(view.status);
    this.instants.updated[e] = instantOf(view.updated_at);
    this.instants.created[e] = instantOf(view.created_at);
    if (!Number.isFinite(this.ids[e]!)) this.identities.set(e, identity);
  }

  /** Entry e's identity (kept for those that sort by it, read back for a tie of numbers). */
  identity(e: number): string {
    let identity = this.identities.get(e);
    if (identity === undefined) this.identities.set(e, (identity = this.text(e, 0)));
    return identity;
  }

  /** Text `field` of entries `entries` (in any order), in that order, read in file order. */
  texts(entries: ArrayLike<number>, field: 'title' | 'updated' | 'created'): string[] {
    const at = field === 'title' ? 1 : field === 'updated' ? 2 : 3;
    const positions = Uint32Array.from({length: entries.length}, (_, k) => k).sort(
      (a, b) => this.lineOf[entries[a]!]! - this.lineOf[entries[b]!]!,
    );
    const out = new Array<string>(entries.length);
    this.textFile.lines(
      positions.map((k) => this.lineOf[entries[k]!]!),
      (line, k) => (out[positions[k]!] = (JSON.parse(line) as string[])[at]!),
    );
    return out;
  }

  private text(e: number, at: number): string {
    return (JSON.parse(this.textFile.text(this.lineOf[e]!)) as string[])[at]!;
  }
}

function indexOr(list: readonly string[], value: string): number {
  const index = list.indexOf(value);
  return index === -1 ? NONE : index;
}

/** An instant in the model's form as a number (such texts order as their instants); else NaN. */
function instantOf(text: string | null): number {
  return text !== null && MODEL_INSTANT.test(text) ? Date.parse(text) : Number.NaN;
}

const MODEL_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

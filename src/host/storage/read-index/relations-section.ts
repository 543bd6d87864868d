import type {CanonicalIssue} from '../../../core/model/canonical-issue.js';
import {declaredRelations} from '../../services/work-graph.js';

/**
 * The base file's `relations` and `relationTargets` sections: every relation a live issue states
 * itself (its `parent` field and its `blocks`, `blocked_by`, `child_of`, `parent_of` links), as
 * uint32 triples `[declaring record, how (DECLARED), target]`. A target below the record count is
 * a record number; `count + k` is the k-th identity of `relationTargets` (a JSON array), an issue
 * the base does not hold. Readers build the work graph from these without decoding any record.
 */
export class RelationsSection {
  private readonly declared: {entry: number; how: number; target: string}[] = [];

  /** Entry `entry` (numbered as the builder adds entries) is live as `live`: keep what it states. */
  declare(entry: number, live: CanonicalIssue): void {
    if (live.parent === null && live.links.length === 0) return;
    for (const [how, target] of declaredRelations(live)) this.declared.push({entry, how, target});
  }

  /**
   * The three sections, once every entry was added: `recordOf[entry]` is the entry's record
   * number, or -1 for an entry left out (folded again later); `entryOf(identity)` the entry last
   * added under an identity (-1: none).
   */
  sections(
    recordOf: Int32Array,
    entryOf: (identity: string) => number,
  ): {relations: Buffer; targetOrder: Buffer; relationTargets: Buffer} {
    let count = 0;
    for (const record of recordOf) if (record >= 0) count += 1;
    // Readers find a record's own relations by binary search: keep them in record order whatever
    // order the records were added in (a stable sort).
    const kept = this.declared
      .filter(({entry}) => recordOf[entry]! >= 0)
      .map(({entry, how, target}) => ({record: recordOf[entry]!, how, target}))
      .sort((a, b) => a.record - b.record);
    const triples = new Uint32Array(kept.length * 3);
    const outside = new Map<string, number>();
    kept.forEach(({record, how, target}, k) => {
      const entry = entryOf(target);
      let to = entry >= 0 && recordOf[entry]! >= 0 ? recordOf[entry]! : undefined;
      if (to === undefined) {
        let slot = outside.get(target);
        if (slot === undefined) outside.set(target, (slot = outside.size));
        to = count + slot;
      }
      triples.set([record, how, to], 3 * k);
    });
    // Triple numbers by target (then by number): a reader finds who names an issue by binary search.
    const byTarget = Uint32Array.from({length: kept.length}, (_, k) => k).sort(
      (a, b) => triples[3 * a + 2]! - triples[3 * b + 2]! || a - b,
    );
    return {
      relations: Buffer.from(triples.buffer, triples.byteOffset, triples.byteLength),
      targetOrder: Buffer.from(byTarget.buffer, byTarget.byteOffset, byTarget.byteLength),
      relationTargets: Buffer.from(JSON.stringify([...outside.keys()]), 'utf8'),
    };
  }
}

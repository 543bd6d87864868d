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
  private readonly numbers = new Map<string, number>();
  private readonly declared: {record: number; how: number; target: string}[] = [];

  /** Record `record` is `identity`; `live` its local view when it is live (only those state relations). */
  add(record: number, identity: string, live: CanonicalIssue | null): void {
    this.numbers.set(identity, record);
    if (live === null || (live.parent === null && live.links.length === 0)) return;
    for (const [how, target] of declaredRelations(live)) this.declared.push({record, how, target});
  }

  /** The three sections, once every record was added. */
  sections(count: number): {relations: Buffer; targetOrder: Buffer; relationTargets: Buffer} {
    // Readers find a record's own relations by binary search: keep them in record order whatever
    // order the records were added in (a stable sort).
    this.declared.sort((a, b) => a.record - b.record);
    const triples = new Uint32Array(this.declared.length * 3);
    const outside = new Map<string, number>();
    this.declared.forEach(({record, how, target}, k) => {
      let to = this.numbers.get(target);
      if (to === undefined) {
        let slot = outside.get(target);
        if (slot === undefined) outside.set(target, (slot = outside.size));
        to = count + slot;
      }
      triples.set([record, how, to], 3 * k);
    });
    // Triple numbers by target (then by number): a reader finds who names an issue by binary search.
    const byTarget = Uint32Array.from({length: this.declared.length}, (_, k) => k).sort(
      (a, b) => triples[3 * a + 2]! - triples[3 * b + 2]! || a - b,
    );
    return {
      relations: Buffer.from(triples.buffer, triples.byteOffset, triples.byteLength),
      targetOrder: Buffer.from(byTarget.buffer, byTarget.byteOffset, byTarget.byteLength),
      relationTargets: Buffer.from(JSON.stringify([...outside.keys()]), 'utf8'),
    };
  }
}

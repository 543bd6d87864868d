import {CANONICAL_STATUSES} from '../../core/model/enums.js';
import type {CanonicalIssue} from '../../core/model/canonical-issue.js';
import {refIdentity} from '../../core/model/external-ref.js';
import type {SortKey} from './ticket-sort.js';

/**
 * `localeCompare` with the default locale, made once and on first use: each `localeCompare`
 * call looks the collator up again, which dominates sorting 100k titles (same order by
 * definition), and making one costs 10-20 ms that a read which sorts nothing must not pay.
 */
let collator: Intl.Collator | null = null;

function collate(x: string, y: string): number {
  collator ??= new Intl.Collator();
  return collator.compare(x, y);
}

/** Timestamps: digits and separators only, none of which collation ignores or contracts. */
const TIMESTAMP = /^[0-9TZ:.+-]*$/;

/**
 * `(a ?? '').localeCompare(b ?? '')`. When two timestamps first differ at a digit in both, the
 * characters before are the same and the digits decide, in the digits' order: that case is
 * answered by code unit (the same answer, many times faster); every other goes to the collator.
 */
export function compareText(a: string | null, b: string | null): number {
  const x = a ?? '';
  const y = b ?? '';
  if (x === y) return collate(x, y);
  if (TIMESTAMP.test(x) && TIMESTAMP.test(y)) {
    let i = 0;
    while (i < x.length && i < y.length && x.charCodeAt(i) === y.charCodeAt(i)) i += 1;
    const cx = x.charCodeAt(i);
    const cy = y.charCodeAt(i);
    if (cx >= 48 && cx <= 57 && cy >= 48 && cy <= 57) return cx - cy;
  }
  return collate(x, y);
}

function keyOrder(a: CanonicalIssue, b: CanonicalIssue): number {
  const na = Number(a.ref.id);
  const nb = Number(b.ref.id);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return compareText(refIdentity(a.ref), refIdentity(b.ref));
}

/** The order `list-tickets --sort` prints (before `--reverse`); ties go by key. */
export function compareBy(sort: SortKey): (a: CanonicalIssue, b: CanonicalIssue) => number {
  switch (sort) {
    case 'updated':
      return (a, b) => compareText(b.updated_at, a.updated_at) || keyOrder(a, b);
    case 'created':
      return (a, b) => compareText(b.created_at, a.created_at) || keyOrder(a, b);
    case 'priority':
      return (a, b) => (a.priority ?? 9) - (b.priority ?? 9) || keyOrder(a, b);
    case 'status':
      return (a, b) =>
        CANONICAL_STATUSES.indexOf(a.status) - CANONICAL_STATUSES.indexOf(b.status) || keyOrder(a, b);
    case 'title':
      return (a, b) => compareText(a.title, b.title) || keyOrder(a, b);
    case 'key':
    default:
      return keyOrder;
  }
}

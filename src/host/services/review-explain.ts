import {
  CORE_ISSUE_FIELDS,
  createRef,
  issueToJson,
  localViewOf,
  mappingKey,
  orderEvents,
  refIdentity,
  TrackerState,
  type JsonObject,
  type JsonValue,
  type TrackerEvent,
} from '../../core/index.js';
import {canonicalJson} from '../../core/serialization/canonical-json.js';

/** One thing a branch changed about an issue, as `review` explains it. */
export interface ReviewChange {
  readonly kind:
    | 'created'
    | 'draft'
    | 'pulled'
    | 'pushed'
    | 'edited'
    | 'settled'
    | 'deleted'
    | 'comment'
    | 'comment_sent'
    | 'conflict'
    | 'conflict_closed'
    | 'mapping_added'
    | 'mapping_removed';
  readonly field?: string;
  readonly from?: JsonValue;
  readonly to?: JsonValue;
  readonly at: string;
  /** `pulled`: the issue was not in the cache before. `comment`: sent by this branch too. */
  readonly new?: boolean;
  readonly sent?: boolean;
  readonly work_package?: string;
  /** `conflict`: the three values, who won and by which rule. */
  readonly base?: JsonValue;
  readonly local?: JsonValue;
  readonly external?: JsonValue;
  readonly winner?: string;
  readonly strategy?: string;
  readonly manual_review?: boolean;
}

export interface ReviewIssue {
  readonly identity: string;
  readonly key: string | null;
  readonly title: string | null;
  /** The work package mapped to it after the branch, if any. */
  readonly work_package: string | null;
  readonly changes: ReviewChange[];
}

export interface ReviewSummary {
  created: number;
  pulled: number;
  edited: number;
  comments: number;
  conflicts: number;
  mappings_added: number;
  mappings_removed: number;
}

/**
 * The fields a person reads, the long ones last; timestamps and the ref change with every
 * version.
 */
const SHOWN_FIELDS: readonly string[] = [
  ...CORE_ISSUE_FIELDS.filter((field) => field !== 'body' && field !== 'custom_fields'),
  'body',
  'custom_fields',
];

interface Snapshot {
  readonly remote: JsonObject | null;
  readonly local: JsonObject | null;
}

/**
 * Explains `added` (the events a branch adds) against `base` (the events it started from): the
 * whole log is folded in order, and around each added event the issue it touches is looked at
 * before and after, so every change says what it changed from and to, whatever the event's
 * shape. Changes made to a draft follow it to the issue it was created as.
 */
export function explainAddedEvents(
  base: readonly TrackerEvent[],
  added: readonly TrackerEvent[],
): {issues: ReviewIssue[]; summary: ReviewSummary} {
  const addedIds = new Set(added.map((event) => event.event_id));
  const state = new TrackerState();
  const changes = new Map<string, ReviewChange[]>();
  const commentChange = new Map<string, ReviewChange & {sent?: boolean}>();
  const push = (identity: string, change: ReviewChange): void => {
    let list = changes.get(identity);
    if (!list) changes.set(identity, (list = []));
    list.push(change);
  };
  for (const event of orderEvents([...base, ...added])) {
    if (!addedIds.has(event.event_id)) {
      state.apply(event);
      continue;
    }
    explainOne({state, push, comments: commentChange}, event);
  }
  return collect(state, changes);
}

/** What explaining the added events builds on: the fold so far, and where changes go. */
interface Review {
  readonly state: TrackerState;
  readonly push: (identity: string, change: ReviewChange) => void;
  /** The change of each comment recorded, by comment id (a later send marks it). */
  readonly comments: Map<string, ReviewChange>;
}

function explainOne(review: Review, event: TrackerEvent): void {
  const {state, push} = review;
  const at = event.at;
  switch (event.kind) {
    case 'issue_pulled': {
      const identity = refIdentity(createRef((event.issue as JsonObject).ref as never));
      if (!state.issues.get(identity)?.base) {
        // New to the cache (most of a first pull): nothing to compare, so no snapshots.
        state.apply(event);
        push(identity, {kind: 'pulled', new: true, to: (event.issue as JsonObject).title ?? null, at});
        return;
      }
      const before = snapshot(state, identity);
      state.apply(event);
      const after = snapshot(state, identity);
      if (before.remote === null) return;
      const settled = new Set(Object.keys(event.settle ?? {}));
      for (const field of changedFields(before.remote, after.remote)) {
        const kind = settled.has(field) ? 'pushed' : 'pulled';
        push(identity, {
          kind,
          field,
          from: before.remote[field] ?? null,
          to: after.remote?.[field] ?? null,
          at,
        });
      }
      return;
    }
    case 'issue_edited':
    case 'edits_settled': {
      const before = snapshot(state, event.identity);
      const pendingBefore = pending(state, event.identity);
      state.apply(event);
      const after = snapshot(state, event.identity);
      if (event.kind === 'issue_edited') {
        for (const field of changedFields(before.local, after.local)) {
          push(event.identity, {
            kind: 'edited',
            field,
            from: before.local?.[field] ?? null,
            to: after.local?.[field] ?? null,
            at,
          });
        }
        return;
      }
      const pendingAfter = new Set(pending(state, event.identity));
      for (const field of pendingBefore) {
        if (!pendingAfter.has(field)) push(event.identity, {kind: 'settled', field, at});
      }
      return;
    }
    default:
      explainRecord(review, event);
  }
}

/** Events that add a record (no field diff): drafts, creates, comments, conflicts, mappings. */
function explainRecord(review: Review, event: TrackerEvent): void {
  const {state, push, comments} = review;
  const at = event.at;
  switch (event.kind) {
    case 'issue_deleted':
      push(event.identity, {kind: 'deleted', at});
      break;
    case 'draft_created': {
      const issue = event.issue as JsonObject;
      push(refIdentity(createRef(issue.ref as never)), {kind: 'draft', to: issue.title ?? null, at});
      break;
    }
    case 'remote_created': {
      const issue = event.issue as JsonObject;
      const ref = createRef(issue.ref as never);
      push(refIdentity(ref), {kind: 'created', from: event.draft_identity, to: ref.key ?? ref.id, at});
      break;
    }
    case 'conflict_recorded':
      push(event.identity, {
        kind: 'conflict',
        field: event.field_name,
        base: event.base_value,
        local: event.local_value,
        external: event.external_value,
        to: event.resolved_value,
        winner: event.winner,
        strategy: event.strategy,
        manual_review: event.manual_review_required,
        at,
      });
      break;
    case 'conflict_closed': {
      const first = state.conflicts.get(event.conflict_ids[0] ?? '');
      push(event.identity, {
        kind: 'conflict_closed',
        field: first?.field_name,
        to: event.conflict_ids.length,
        at,
      });
      break;
    }
    case 'comment_added': {
      const change: ReviewChange = {kind: 'comment', to: event.body, sent: false, at};
      comments.set(event.event_id, change);
      push(event.identity, change);
      break;
    }
    case 'comment_sent': {
      const added = comments.get(event.comment_id);
      if (added) (added as {sent?: boolean}).sent = true;
      else {
        const known = state.comments.get(event.comment_id);
        if (known) push(known.identity, {kind: 'comment_sent', to: known.body, at});
      }
      break;
    }
    case 'mapping_added':
      push(refIdentity(createRef(event.ref as never)), {
        kind: 'mapping_added',
        work_package: event.wp_id,
        at,
      });
      break;
    case 'mapping_removed': {
      const mapping = state.mappings.get(mappingKey(event.wp_id, event.system));
      if (mapping) push(refIdentity(mapping.ref), {kind: 'mapping_removed', work_package: event.wp_id, at});
      break;
    }
    default:
      break;
  }
  state.apply(event);
}

function snapshot(state: TrackerState, identity: string): Snapshot {
  const entry = state.issues.get(identity);
  if (!entry) return {remote: null, local: null};
  const local = localViewOf(entry);
  return {remote: entry.base && issueToJson(entry.base), local: local && issueToJson(local)};
}

function pending(state: TrackerState, identity: string): string[] {
  const entry = state.issues.get(identity);
  return entry ? [...entry.overrides.keys()] : [];
}

function changedFields(before: JsonObject | null, after: JsonObject | null): string[] {
  return SHOWN_FIELDS.filter(
    (field) => canonicalJson(before?.[field] ?? null) !== canonicalJson(after?.[field] ?? null),
  );
}

function collect(
  state: TrackerState,
  changes: Map<string, ReviewChange[]>,
): {issues: ReviewIssue[]; summary: ReviewSummary} {
  // A draft's changes are shown under the issue it was created as.
  const merged = new Map<string, ReviewChange[]>();
  for (const [identity, list] of changes) {
    const target = state.createdDrafts.get(identity) ?? identity;
    merged.set(target, [...(merged.get(target) ?? []), ...list]);
  }
  const workPackages = new Map<string, string>();
  for (const mapping of state.mappings.values()) workPackages.set(refIdentity(mapping.ref), mapping.wp_id);
  const summary: ReviewSummary = {
    created: 0,
    pulled: 0,
    edited: 0,
    comments: 0,
    conflicts: 0,
    mappings_added: 0,
    mappings_removed: 0,
  };
  const issues: ReviewIssue[] = [];
  for (const [identity, list] of [...merged].sort(byWhatTheBranchDid)) {
    const entry = state.issues.get(identity);
    const view = entry ? (localViewOf(entry) ?? entry.draft) : null;
    const workPackage = workPackages.get(identity) ?? null;
    const shown = list.map((change) =>
      change.kind === 'created' && workPackage !== null ? {...change, work_package: workPackage} : change,
    );
    count(summary, shown);
    issues.push({
      identity,
      key: view?.ref.key ?? null,
      title: view?.title ?? null,
      work_package: workPackage,
      changes: shown,
    });
  }
  return {issues, summary};
}

/** Only pulled: the tracker's news, which the branch merely recorded. */
const PASSIVE_KINDS = new Set<ReviewChange['kind']>(['pulled']);
const numeric = new Intl.Collator('en', {numeric: true});

/**
 * What the branch did itself first (created, pushed, edited, commented, mapped, conflicts), then
 * issues it only pulled; by identity (numbers in numeric order) within each.
 */
function byWhatTheBranchDid(
  [a, changesA]: [string, ReviewChange[]],
  [b, changesB]: [string, ReviewChange[]],
): number {
  const passiveA = changesA.every((change) => PASSIVE_KINDS.has(change.kind)) ? 1 : 0;
  const passiveB = changesB.every((change) => PASSIVE_KINDS.has(change.kind)) ? 1 : 0;
  return passiveA - passiveB || numeric.compare(a, b);
}

function count(summary: ReviewSummary, changes: readonly ReviewChange[]): void {
  const kinds = new Set(changes.map((change) => change.kind));
  if (kinds.has('pulled')) summary.pulled += 1;
  if (kinds.has('edited')) summary.edited += 1;
  for (const change of changes) {
    if (change.kind === 'created') summary.created += 1;
    else if (change.kind === 'comment') summary.comments += 1;
    else if (change.kind === 'conflict') summary.conflicts += 1;
    else if (change.kind === 'mapping_added') summary.mappings_added += 1;
    else if (change.kind === 'mapping_removed') summary.mappings_removed += 1;
  }
}

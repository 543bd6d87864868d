import {normaliseLane} from './lanes.js';

/**
 * spec-kitty's lane history, `kitty-specs/<mission>/status.events.jsonl`, folded the way its
 * reducer does (`status/reducer.py`): transitions deduplicated by `event_id` (first wins), sorted
 * by `(at, event_id)`, applied per work package with its rollback-aware tie-break; annotations
 * (`kind: "annotation"`) folded afterwards for the slots the tracker uses (`tracker_refs`,
 * `assignee`). Other rows that share the file (decision events with `event_type`, retrospective
 * rows with `type` or `event_name`) are skipped.
 *
 * Unlike spec-kitty, which refuses the whole file on a bad line, a bad line is reported with its
 * line number and skipped, and the log is marked unhealthy so callers do not push lanes that
 * may be missing a transition.
 */

export interface LaneTransition {
  readonly event_id: string;
  readonly at: string;
  readonly wp_id: string;
  readonly from_lane: string | null;
  readonly to_lane: string;
  readonly review_ref: unknown;
  readonly line: number;
}

export interface LaneAnnotation {
  readonly event_id: string;
  readonly at: string;
  readonly wp_id: string;
  readonly tracker_refs: readonly string[] | null;
  readonly tracker_refs_replace: readonly string[] | null;
  readonly assignee: string | null;
}

export interface EventLogProblem {
  readonly severity: 'error' | 'warning';
  readonly code: 'invalid_json' | 'invalid_event' | 'unknown_event_kind';
  readonly message: string;
  readonly line: number;
}

export interface ParsedEventLog {
  readonly transitions: LaneTransition[];
  readonly annotations: LaneAnnotation[];
  readonly problems: EventLogProblem[];
  /** Rows skipped on purpose (decision, retrospective...): counted, not reported. */
  readonly skipped: number;
}

const RETROSPECTIVE_TYPES = new Set([
  'RetrospectiveCaptured',
  'RetrospectiveCaptureFailed',
  'RetrospectiveSkipped',
]);

export function parseEventLog(text: string): ParsedEventLog {
  const transitions: LaneTransition[] = [];
  const annotations: LaneAnnotation[] = [];
  const problems: EventLogProblem[] = [];
  let skipped = 0;
  let lineNumber = 0;
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf('\n', start);
    const raw = end === -1 ? text.slice(start) : text.slice(start, end);
    start = end === -1 ? text.length + 1 : end + 1;
    lineNumber += 1;
    const line = raw.trim();
    if (line === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      problems.push({
        severity: 'error',
        code: 'invalid_json',
        message: `invalid JSON (${(error as Error).message}); line skipped`,
        line: lineNumber,
      });
      continue;
    }
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      problems.push({
        severity: 'error',
        code: 'invalid_event',
        message: 'not a JSON object; line skipped',
        line: lineNumber,
      });
      continue;
    }
    const obj = row as Record<string, unknown>;
    if (obj.kind !== undefined && obj.kind !== null) {
      if (obj.kind === 'annotation') {
        const annotation = toAnnotation(obj);
        if (annotation === null) {
          problems.push({
            severity: 'warning',
            code: 'invalid_event',
            message: 'annotation without event_id, at or wp_id; skipped',
            line: lineNumber,
          });
        } else annotations.push(annotation);
        continue;
      }
      problems.push({
        severity: 'warning',
        code: 'unknown_event_kind',
        message: `unknown event kind ${JSON.stringify(obj.kind)} (written by a newer spec-kitty?); skipped`,
        line: lineNumber,
      });
      continue;
    }
    if (isNonLaneRow(obj)) {
      skipped += 1;
      continue;
    }
    const transition = toTransition(obj, lineNumber);
    if (typeof transition === 'string') {
      problems.push({
        severity: 'error',
        code: 'invalid_event',
        message: `invalid lane event: ${transition}; line skipped`,
        line: lineNumber,
      });
      continue;
    }
    transitions.push(transition);
  }
  return {transitions, annotations, problems, skipped};
}

/** Rows that intentionally share the file with lane events (spec-kitty's `is_non_lane_event`). */
function isNonLaneRow(obj: Record<string, unknown>): boolean {
  if (typeof obj.event_name === 'string' && obj.event_name.startsWith('retrospective.')) return true;
  if (typeof obj.type === 'string' && (RETROSPECTIVE_TYPES.has(obj.type) || obj.to_lane === undefined))
    return true;
  return 'event_type' in obj;
}

function toTransition(obj: Record<string, unknown>, line: number): LaneTransition | string {
  const missing = ['event_id', 'at', 'wp_id', 'to_lane'].filter(
    (key) => typeof obj[key] !== 'string' || (obj[key] as string).trim() === '',
  );
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  const to = normaliseLane(obj.to_lane);
  if (to === null) return 'blank to_lane';
  return {
    event_id: obj.event_id as string,
    at: obj.at as string,
    wp_id: (obj.wp_id as string).trim(),
    from_lane: normaliseLane(obj.from_lane),
    to_lane: to,
    review_ref: obj.review_ref ?? null,
    line,
  };
}

function toAnnotation(obj: Record<string, unknown>): LaneAnnotation | null {
  if (typeof obj.event_id !== 'string' || typeof obj.at !== 'string' || typeof obj.wp_id !== 'string')
    return null;
  const delta =
    obj.delta !== null && typeof obj.delta === 'object' && !Array.isArray(obj.delta)
      ? (obj.delta as Record<string, unknown>)
      : {};
  const list = (value: unknown): string[] | null =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null;
  return {
    event_id: obj.event_id,
    at: obj.at,
    wp_id: obj.wp_id.trim(),
    tracker_refs: list(delta.tracker_refs),
    tracker_refs_replace: list(delta.tracker_refs_replace),
    assignee: typeof delta.assignee === 'string' ? delta.assignee : null,
  };
}

export interface FoldedLane {
  readonly lane: string;
  readonly at: string;
  readonly event_id: string;
  /** Line of the transition that set the lane. */
  readonly line: number;
}

export interface FoldedAnnotations {
  /** Set only when some annotation touched the slot. */
  readonly tracker_refs?: readonly string[];
  readonly assignee?: string;
}

export interface FoldedEventLog {
  readonly lanes: ReadonlyMap<string, FoldedLane>;
  readonly annotations: ReadonlyMap<string, FoldedAnnotations>;
  /** Unique transitions applied (after dedupe). */
  readonly event_count: number;
}

const compareKey = (a: {at: string; event_id: string}, b: {at: string; event_id: string}): number =>
  a.at < b.at ? -1 : a.at > b.at ? 1 : a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;

/** A reviewer sending work back (spec-kitty's `_is_rollback_event`). */
function isRollback(event: LaneTransition): boolean {
  if (event.to_lane !== 'in_progress') return false;
  if (event.from_lane === 'in_review') return true;
  return event.from_lane === 'for_review' && event.review_ref !== null && event.review_ref !== undefined;
}

export function foldEventLog(parsed: Pick<ParsedEventLog, 'transitions' | 'annotations'>): FoldedEventLog {
  const seen = new Set<string>();
  const unique: LaneTransition[] = [];
  for (const event of parsed.transitions) {
    if (seen.has(event.event_id)) continue;
    seen.add(event.event_id);
    unique.push(event);
  }
  unique.sort(compareKey);
  const setters = new Map<string, LaneTransition>();
  for (const event of unique) {
    const current = setters.get(event.wp_id);
    if (current !== undefined && current.at === event.at) {
      // Concurrent events (equal timestamps, e.g. two worktrees): a rollback beats a forward move.
      if (isRollback(current) && !isRollback(event)) continue;
    }
    setters.set(event.wp_id, event);
  }
  const lanes = new Map<string, FoldedLane>();
  for (const [wp, event] of setters)
    lanes.set(wp, {lane: event.to_lane, at: event.at, event_id: event.event_id, line: event.line});

  const annotationIds = new Set<string>();
  const annotations = new Map<string, {tracker_refs?: string[]; assignee?: string}>();
  for (const annotation of [...parsed.annotations].sort(compareKey)) {
    if (annotationIds.has(annotation.event_id)) continue;
    annotationIds.add(annotation.event_id);
    const slot = annotations.get(annotation.wp_id) ?? {};
    if (annotation.tracker_refs_replace !== null)
      slot.tracker_refs = [...new Set(annotation.tracker_refs_replace)];
    else if (annotation.tracker_refs !== null) {
      const merged = [...(slot.tracker_refs ?? [])];
      for (const ref of annotation.tracker_refs) if (!merged.includes(ref)) merged.push(ref);
      slot.tracker_refs = merged;
    }
    if (annotation.assignee !== null) slot.assignee = annotation.assignee;
    annotations.set(annotation.wp_id, slot);
  }
  return {lanes, annotations, event_count: unique.length};
}

import type {CanonicalIssue} from '../../core/model/canonical-issue.js';
import type {CanonicalStatus} from '../../core/model/enums.js';
import {refIdentity} from '../../core/model/external-ref.js';
import type {IssueStore} from '../../core/protocols/issue-store.js';
import type {WorkPackageMapping} from '../../core/protocols/mapping-store.js';
import {DEFAULT_LANE_STATUS, laneToStatus, type LaneMapping} from './lanes.js';
import {countBareIds, findMappingFor, indexMappings} from './wp-ids.js';
import type {Mission} from './work-package-model.js';

/**
 * One line per work package for `status` and `list-tickets --mission M`: its lane, the status
 * that lane means, the mapped issue and the issue's status (as last pulled, and as the cache
 * holds it with pending edits), and whether the two sides disagree.
 */
export interface WorkPackageStatusRow {
  readonly mission: string;
  readonly wp_id: string;
  readonly qualified_id: string;
  readonly title: string;
  readonly lane: string;
  /** The status the lane maps to; null for a lane the mapping does not know. */
  readonly lane_status: CanonicalStatus | null;
  readonly mapped: boolean;
  readonly issue_identity: string | null;
  readonly issue_key: string | null;
  readonly issue_title: string | null;
  /** The status as last pulled from the tracker (null: not mapped, not cached, or a draft). */
  readonly remote_status: CanonicalStatus | null;
  /** The cache's local view (remote plus pending edits). */
  readonly local_status: CanonicalStatus | null;
  /** The lane's status differs from the tracker's. */
  readonly disagree: boolean;
  /** A status edit is waiting for `sync push`. */
  readonly pending: boolean;
}

export function workPackageStatusRows(options: {
  readonly missions: readonly Mission[];
  readonly mappings: readonly WorkPackageMapping[];
  /** Local views (`listIssues()`). */
  readonly issues: readonly CanonicalIssue[];
  /** Remote versions by identity (`getBase`), when the caller has them; else the local view is used. */
  readonly bases?: ReadonlyMap<string, CanonicalIssue | null>;
  readonly lanes?: LaneMapping;
  readonly system: string;
  /** Only this mission (slug). */
  readonly mission?: string;
}): WorkPackageStatusRow[] {
  const lanes = options.lanes ?? DEFAULT_LANE_STATUS;
  const all = options.missions.flatMap((m) => [...m.work_packages]);
  const byWp = indexMappings(options.mappings);
  const bare = countBareIds(all);
  const issues = new Map(options.issues.map((i) => [refIdentity(i.ref), i]));
  const rows: WorkPackageStatusRow[] = [];
  for (const mission of options.missions) {
    if (options.mission !== undefined && mission.slug !== options.mission) continue;
    for (const wp of mission.work_packages) {
      const mapping = findMappingFor(wp, options.system, byWp, bare);
      const identity = mapping ? refIdentity(mapping.ref) : null;
      const local = identity ? (issues.get(identity) ?? null) : null;
      const base = identity && options.bases ? (options.bases.get(identity) ?? null) : local;
      const laneStatus = laneToStatus(wp.lane, lanes);
      const remoteStatus = base?.status ?? null;
      rows.push({
        mission: mission.slug,
        wp_id: wp.wp_id,
        qualified_id: wp.qualified_id,
        title: wp.title,
        lane: wp.lane,
        lane_status: laneStatus,
        mapped: mapping !== null,
        issue_identity: identity,
        issue_key: local?.ref.key ?? mapping?.ref.key ?? null,
        issue_title: local?.title ?? null,
        remote_status: remoteStatus,
        local_status: local?.status ?? null,
        disagree: laneStatus !== null && remoteStatus !== null && laneStatus !== remoteStatus,
        pending: local !== null && remoteStatus !== null && local.status !== remoteStatus,
      });
    }
  }
  return rows;
}

/** The remote versions of the mapped issues, for `workPackageStatusRows({bases})`. */
export async function loadBases(
  store: IssueStore,
  identities: Iterable<string>,
): Promise<Map<string, CanonicalIssue | null>> {
  const out = new Map<string, CanonicalIssue | null>();
  for (const identity of identities) out.set(identity, await store.getBase(identity));
  return out;
}

/** Text lines for people: `WP01  done -> done  #12 done` with a mark where lane and tracker disagree. */
export function formatStatusRows(rows: readonly WorkPackageStatusRow[]): string[] {
  if (rows.length === 0) return ['No work packages.'];
  const idWidth = Math.max(...rows.map((r) => r.qualified_id.length));
  const laneWidth = Math.max(...rows.map((r) => r.lane.length));
  return rows.map((r) => {
    const issue = r.mapped
      ? `${r.issue_key ?? r.issue_identity} ${r.remote_status ?? (r.issue_title === null ? '(not in cache)' : 'draft')}`
      : 'not mapped';
    const mark = r.disagree ? (r.pending ? '  (push pending)' : '  (differs)') : '';
    return `${r.qualified_id.padEnd(idWidth)}  ${r.lane.padEnd(laneWidth)}  ${issue}${mark}`;
  });
}

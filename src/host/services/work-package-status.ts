import {existsSync} from 'node:fs';
import {join} from 'node:path';

import type {CanonicalIssue} from '../../core/model/canonical-issue.js';
import {refIdentity} from '../../core/model/external-ref.js';
import type {TrackerEventLog} from '../../core/log/event-log.js';
import type {WorkPackageMapping} from '../../core/protocols/mapping-store.js';
import type {WorkPackageStatusRow} from '../workpackages/wp-status-rows.js';
import {UsageError} from '../shared/usage-error.js';
import type {BoundContext} from './service-context.js';

/**
 * Work packages next to their issues, for `status` and `list-tickets --mission M`: per work
 * package its lane, the mapped issue, the issue's status in the tracker (as last pulled), and
 * whether they disagree. Offline and read-only, like every cache read. The mission reader is
 * loaded only when the project has a `kitty-specs/` folder, so a project without missions (and
 * the start-up benchmark) pays nothing for it.
 */
export interface WorkPackageOverview {
  readonly rows: WorkPackageStatusRow[];
  /** Reader problems (bad lines, unknown lanes) and lane-mapping warnings, as `file:line: message`. */
  readonly warnings: string[];
}

export async function workPackageOverview(input: {
  readonly context: BoundContext;
  /** The scope's log: the tracker's versions (bases) of the mapped issues come from one read. */
  readonly log: TrackerEventLog;
  readonly issues: readonly CanonicalIssue[];
  readonly mappings: readonly WorkPackageMapping[];
  /** Only this mission; an unknown slug is a usage error naming the missions there are. */
  readonly mission?: string;
}): Promise<WorkPackageOverview> {
  const {root} = input.context.location;
  if (!existsSync(join(root, 'kitty-specs'))) {
    if (input.mission !== undefined) throw unknownMission(input.mission, []);
    return {rows: [], warnings: []};
  }
  const [{readMissionsSync}, {resolveLaneMapping}, {workPackageStatusRows}, {formatDiagnostic}] =
    await Promise.all([
      import('../workpackages/mission-reader.js'),
      import('../workpackages/lanes.js'),
      import('../workpackages/wp-status-rows.js'),
      import('../workpackages/work-package-model.js'),
    ]);
  // Lanes and titles only: the bodies are not shown, and a large project's are tens of megabytes.
  const project = readMissionsSync(root, {bodies: false});
  if (input.mission !== undefined) {
    // A mission in the pre-3.0 layout exists but is not read: say that, not "no mission".
    const {assertNoPre30Missions} = await import('../workpackages/pre30-layout.js');
    assertNoPre30Missions(project.diagnostics.filter((d) => d.file === `kitty-specs/${input.mission}/tasks`));
  }
  if (input.mission !== undefined && !project.missions.some((m) => m.slug === input.mission))
    throw unknownMission(
      input.mission,
      project.missions.map((m) => m.slug),
    );
  const missions =
    input.mission === undefined ? project.missions : project.missions.filter((m) => m.slug === input.mission);
  const {provider, workspace} = input.context.binding;
  const lanes = resolveLaneMapping(input.context.binding.lanes);
  const issues = input.issues.filter((i) => i.ref.system === provider && i.ref.workspace === workspace);
  const mapped = new Set(
    input.mappings.filter((m) => m.ref.system === provider).map((m) => refIdentity(m.ref)),
  );
  // One read of the (cached) fold, not one store call per work package: projects hold thousands.
  const state = await input.log.read();
  const bases = new Map<string, CanonicalIssue | null>();
  for (const identity of mapped) {
    const entry = state.issues.get(identity);
    bases.set(identity, entry && !entry.deleted && entry.createdAs === null ? entry.base : null);
  }
  const rows = workPackageStatusRows({
    missions: project.missions,
    mappings: input.mappings,
    issues,
    bases,
    lanes: lanes.mapping,
    system: provider,
    mission: input.mission,
  });
  // Reader problems worth a line (info-level notes are left out), for the missions shown.
  const diagnostics = project.diagnostics.filter(
    (d) =>
      d.severity !== 'info' &&
      (input.mission === undefined ||
        missions.some((m) => d.file === m.dir || d.file.startsWith(`${m.dir}/`))),
  );
  return {rows, warnings: [...lanes.warnings, ...diagnostics.map(formatDiagnostic)]};
}

function unknownMission(slug: string, known: readonly string[]): UsageError {
  return new UsageError(`No mission ${slug} in kitty-specs/.`, {
    hint:
      known.length === 0
        ? 'This project has no missions yet (no kitty-specs/<mission>/ folder).'
        : `Missions here: ${known.slice(0, 20).join(', ')}${known.length > 20 ? `, and ${known.length - 20} more` : ''}.`,
  });
}

/** One line for people summing the rows up. */
export function overviewHeadline(rows: readonly WorkPackageStatusRow[]): string {
  const mapped = rows.filter((r) => r.mapped).length;
  const disagree = rows.filter((r) => r.disagree).length;
  return `${rows.length} work package${rows.length === 1 ? '' : 's'} (${mapped} mapped, ${disagree} disagree with the tracker)`;
}

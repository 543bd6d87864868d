import {readdirSync, readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';

import {readFrontmatter, splitFrontmatter} from './frontmatter.js';
import {isKnownLane, normaliseLane} from './lanes.js';
import {pre30Diagnostic, pre30LaneFolders} from './pre30-layout.js';
import {foldEventLog, parseEventLog, type FoldedEventLog} from './status-event-log.js';
import {qualifyWpId, compareWpIds} from './wp-ids.js';
import type {
  LaneSource,
  Mission,
  ProjectWorkPackages,
  ReaderDiagnostic,
  WorkPackage,
} from './work-package-model.js';

/**
 * Reads every mission under `<root>/kitty-specs/`: `meta.json`, `tasks/WP*.md`, and the lanes
 * (`status.events.jsonl`, else `status.json`, else legacy frontmatter `lane:`). It only reads:
 * spec-kitty's files are spec-kitty's. Nothing it meets is fatal: a missing or broken file
 * becomes a diagnostic with its path (and line), and the rest of the project is still read.
 */

export const SPECS_DIR = 'kitty-specs';
export const EVENTS_FILE = 'status.events.jsonl';
export const SNAPSHOT_FILE = 'status.json';
export const META_FILE = 'meta.json';

const FRONTMATTER_KEYS = [
  'work_package_id',
  'title',
  'work_package_title',
  'dependencies',
  'tracker_refs',
  'assignee',
  'lane',
] as const;

const WP_FILE = /^(WP\d+)(?:[-_. ].*)?\.md$/i;
const WP_ID = /^WP\d+$/;

export interface ReadMissionsOptions {
  /** Only these mission slugs (others are not read at all). */
  readonly only?: readonly string[];
  /**
   * False: every work package's `body` is '' (for callers that show lanes and titles only). The
   * bodies of a large project are tens of megabytes (two bytes a character once a file holds
   * any non-ASCII), held for the whole command otherwise. Default true.
   */
  readonly bodies?: boolean;
}

export async function readMissions(
  root: string,
  options: ReadMissionsOptions = {},
): Promise<ProjectWorkPackages> {
  return readMissionsSync(root, options);
}

/** The synchronous reader (the work is small per file; sync I/O keeps CPU cost lowest). */
export function readMissionsSync(root: string, options: ReadMissionsOptions = {}): ProjectWorkPackages {
  const diagnostics: ReaderDiagnostic[] = [];
  const specsDir = join(root, SPECS_DIR);
  let entries: string[];
  try {
    entries = readdirSync(specsDir, {withFileTypes: true})
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort();
  } catch {
    diagnostics.push({
      severity: 'info',
      code: 'no_missions',
      message: `no ${SPECS_DIR}/ directory: this project has no missions yet`,
      file: SPECS_DIR,
      line: null,
    });
    return {missions: [], diagnostics};
  }
  const only = options.only ? new Set(options.only) : null;
  const missions: Mission[] = [];
  for (const slug of entries) {
    if (only && !only.has(slug)) continue;
    const legacy = pre30LaneFolders(root, `${SPECS_DIR}/${slug}`);
    if (legacy.length > 0) {
      diagnostics.push(pre30Diagnostic(slug, `${SPECS_DIR}/${slug}`, legacy));
      continue;
    }
    missions.push(readMission(root, slug, diagnostics, options.bodies ?? true));
  }
  return {missions, diagnostics};
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function exists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

interface Meta {
  mission_id: string | null;
  friendly_name: string | null;
  mission_number: number | null;
  /** What the mission is about (`source_description`), when meta.json says. */
  summary: string | null;
}

function readMeta(root: string, dir: string, diagnostics: ReaderDiagnostic[]): Meta {
  const file = `${dir}/${META_FILE}`;
  const empty: Meta = {mission_id: null, friendly_name: null, mission_number: null, summary: null};
  const text = readText(join(root, file));
  if (text === null) {
    diagnostics.push({
      severity: 'info',
      code: 'missing_meta',
      message: 'no meta.json; using the directory name',
      file,
      line: null,
    });
    return empty;
  }
  const data = parseJsonOrWarn(text, file, 'invalid_meta', 'ignored', diagnostics);
  if (data === undefined) return empty;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    diagnostics.push({
      severity: 'warning',
      code: 'invalid_meta',
      message: 'not a JSON object; ignored',
      file,
      line: null,
    });
    return empty;
  }
  const meta = data as Record<string, unknown>;
  const str = (value: unknown): string | null =>
    typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
  const number = meta.mission_number;
  return {
    mission_id: str(meta.mission_id),
    friendly_name: str(meta.friendly_name),
    summary: str(meta.source_description),
    mission_number:
      typeof number === 'number' && Number.isInteger(number)
        ? number
        : typeof number === 'string' && /^\d+$/.test(number)
          ? Number(number)
          : null,
  };
}

interface SnapshotLane {
  lane: string;
  at: string | null;
}

function readSnapshot(
  root: string,
  dir: string,
  diagnostics: ReaderDiagnostic[],
): Map<string, SnapshotLane> | null {
  const file = `${dir}/${SNAPSHOT_FILE}`;
  const text = readText(join(root, file));
  if (text === null) return null;
  const data = parseJsonOrWarn(
    text,
    file,
    'invalid_status_json',
    'lanes taken from the task files',
    diagnostics,
  );
  if (data === undefined) return null;
  const wps = (data as {work_packages?: unknown} | null)?.work_packages;
  if (wps === null || typeof wps !== 'object' || Array.isArray(wps)) {
    diagnostics.push({
      severity: 'warning',
      code: 'invalid_status_json',
      message: 'no work_packages object; lanes taken from the task files',
      file,
      line: null,
    });
    return null;
  }
  const lanes = new Map<string, SnapshotLane>();
  for (const [wp, state] of Object.entries(wps as Record<string, unknown>)) {
    const lane = normaliseLane((state as {lane?: unknown} | null)?.lane);
    if (lane === null) continue;
    const at = (state as {last_transition_at?: unknown}).last_transition_at;
    lanes.set(wp, {lane, at: typeof at === 'string' ? at : null});
  }
  return lanes;
}

interface TaskFile {
  wp_id: string;
  title: string;
  dependencies: string[];
  tracker_refs: string[];
  assignee: string | null;
  frontmatter_lane: string | null;
  file: string;
  body: string;
}

function readTaskFile(
  root: string,
  file: string,
  fileWpId: string,
  diagnostics: ReaderDiagnostic[],
  bodies: boolean,
): TaskFile | null {
  const text = readText(join(root, file));
  if (text === null) {
    diagnostics.push({
      severity: 'error',
      code: 'unreadable_file',
      message: 'cannot be read; work package skipped',
      file,
      line: null,
    });
    return null;
  }
  const split = splitFrontmatter(text);
  let values: Readonly<Record<string, unknown>> = {};
  if (split.yaml === null) {
    diagnostics.push({
      severity: 'warning',
      code: 'missing_frontmatter',
      message: `no YAML frontmatter; read as ${fileWpId} from the file name`,
      file,
      line: 1,
    });
  } else {
    const result = readFrontmatter(split.yaml, FRONTMATTER_KEYS, split.yamlStartLine);
    if (!result.ok) {
      diagnostics.push({
        severity: 'error',
        code: 'invalid_frontmatter',
        message: `${result.message}; work package skipped`,
        file,
        line: result.line,
      });
      return null;
    }
    values = result.values;
  }
  const declared =
    typeof values.work_package_id === 'string' ? values.work_package_id.trim().toUpperCase() : null;
  let wpId = fileWpId;
  if (declared !== null && WP_ID.test(declared)) wpId = declared;
  else if (split.yaml !== null) {
    diagnostics.push({
      severity: 'warning',
      code: 'missing_work_package_id',
      message:
        declared === null
          ? `no work_package_id in the frontmatter; using ${fileWpId} from the file name`
          : `work_package_id '${declared}' is not of the form WP01; using ${fileWpId} from the file name`,
      file,
      line: null,
    });
  }
  const title = text1(values.title) ?? text1(values.work_package_title) ?? wpId;
  return {
    wp_id: wpId,
    title,
    dependencies: stringList(values.dependencies).map((d) => d.toUpperCase()),
    tracker_refs: stringList(values.tracker_refs),
    assignee: text1(values.assignee),
    frontmatter_lane: normaliseLane(values.lane),
    file,
    body: bodies ? split.body : '',
  };
}

function text1(value: unknown): string | null {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** A list, or the legacy scalar forms: `'[]'`, `'WP01, WP02'`, `'#1298'`. */
function stringList(value: unknown): string[] {
  const out: string[] = [];
  const add = (item: string): void => {
    const trimmed = item.trim();
    if (trimmed !== '' && !out.includes(trimmed)) out.push(trimmed);
  };
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'string' || typeof item === 'number') add(String(item));
  } else if (typeof value === 'string') {
    const stripped = value.trim().replace(/^\[(.*)\]$/s, '$1');
    for (const part of stripped.split(',')) add(part.replace(/^['"]|['"]$/g, ''));
  } else if (typeof value === 'number') add(String(value));
  return out;
}

/** Where the lanes of a mission come from: the event log when present, else the snapshot. */
interface LaneSources {
  readonly folded: FoldedEventLog | null;
  readonly snapshot: Map<string, SnapshotLane> | null;
  /** False when the event log has unreadable lines. */
  readonly healthy: boolean;
  readonly eventsFile: string;
}

function readMission(root: string, slug: string, diagnostics: ReaderDiagnostic[], bodies: boolean): Mission {
  const dir = `${SPECS_DIR}/${slug}`;
  const meta = readMeta(root, dir, diagnostics);
  const lanes = readLaneSources(root, dir, diagnostics);
  const byId = readTaskFiles(root, dir, diagnostics, bodies);
  const workPackages = [...byId.values()]
    .sort((a, b) => compareWpIds(a.wp_id, b.wp_id))
    .map((task) => workPackageOf(slug, dir, task, lanes, byId, diagnostics));
  reportOrphanLaneEvents(lanes, byId, diagnostics);
  return Object.freeze({
    slug,
    mission_id: meta.mission_id,
    friendly_name: meta.friendly_name,
    mission_number: meta.mission_number,
    summary: meta.summary,
    dir,
    lane_source: lanes.folded ? 'events' : lanes.snapshot ? 'status_json' : 'frontmatter',
    log_healthy: lanes.healthy,
    work_packages: Object.freeze(workPackages),
  });
}

function readLaneSources(root: string, dir: string, diagnostics: ReaderDiagnostic[]): LaneSources {
  const eventsFile = `${dir}/${EVENTS_FILE}`;
  const logText = exists(join(root, eventsFile)) ? readText(join(root, eventsFile)) : null;
  if (logText === null) {
    return {folded: null, snapshot: readSnapshot(root, dir, diagnostics), healthy: true, eventsFile};
  }
  const parsed = parseEventLog(logText);
  let healthy = true;
  for (const problem of parsed.problems) {
    if (problem.severity === 'error') healthy = false;
    diagnostics.push({
      severity: problem.severity,
      code: problem.code,
      message: problem.message,
      file: eventsFile,
      line: problem.line,
    });
  }
  return {folded: foldEventLog(parsed), snapshot: null, healthy, eventsFile};
}

/** The mission's task files by work-package id (a second file for one id is reported, not read). */
function readTaskFiles(
  root: string,
  dir: string,
  diagnostics: ReaderDiagnostic[],
  bodies: boolean,
): Map<string, TaskFile> {
  const tasksDir = `${dir}/tasks`;
  let names: string[] = [];
  try {
    names = readdirSync(join(root, tasksDir))
      .filter((name) => WP_FILE.test(name))
      .sort();
  } catch {
    names = [];
  }
  const byId = new Map<string, TaskFile>();
  for (const name of names) {
    const fileWpId = WP_FILE.exec(name)![1].toUpperCase();
    const task = readTaskFile(root, `${tasksDir}/${name}`, fileWpId, diagnostics, bodies);
    if (task === null) continue;
    const previous = byId.get(task.wp_id);
    if (previous) {
      diagnostics.push({
        severity: 'warning',
        code: 'duplicate_work_package',
        message: `${task.wp_id} is also defined in ${previous.file}; this file is ignored`,
        file: task.file,
        line: null,
      });
      continue;
    }
    byId.set(task.wp_id, task);
  }
  return byId;
}

/** The lane of one task: from the log, else the snapshot, else its frontmatter, else `planned`. */
function laneOf(
  task: TaskFile,
  dir: string,
  lanes: LaneSources,
): {lane: string; source: LaneSource; at: string | null; file: string; line: number | null} {
  const fromLog = lanes.folded?.lanes.get(task.wp_id);
  if (fromLog)
    return {lane: fromLog.lane, source: 'events', at: fromLog.at, file: lanes.eventsFile, line: fromLog.line};
  const fromSnapshot = lanes.snapshot?.get(task.wp_id);
  if (fromSnapshot)
    return {
      lane: fromSnapshot.lane,
      source: 'status_json',
      at: fromSnapshot.at,
      file: `${dir}/${SNAPSHOT_FILE}`,
      line: null,
    };
  if (task.frontmatter_lane !== null)
    return {lane: task.frontmatter_lane, source: 'frontmatter', at: null, file: task.file, line: null};
  return {lane: 'planned', source: 'default', at: null, file: task.file, line: null};
}

function workPackageOf(
  slug: string,
  dir: string,
  task: TaskFile,
  lanes: LaneSources,
  byId: ReadonlyMap<string, TaskFile>,
  diagnostics: ReaderDiagnostic[],
): WorkPackage {
  const lane = laneOf(task, dir, lanes);
  if (!isKnownLane(lane.lane)) {
    diagnostics.push({
      severity: 'warning',
      code: 'unknown_lane',
      message: `${task.wp_id}: unknown lane '${lane.lane}'; its status is not synced unless tracker.lanes maps it`,
      file: lane.file,
      line: lane.line,
    });
  }
  for (const dependency of task.dependencies) {
    if (!byId.has(dependency)) {
      diagnostics.push({
        severity: 'warning',
        code: 'unknown_dependency',
        message: `${task.wp_id} depends on ${dependency}, which this mission does not have`,
        file: task.file,
        line: null,
      });
    }
  }
  const annotated = lanes.folded?.annotations.get(task.wp_id);
  const refs = [...task.tracker_refs];
  for (const ref of annotated?.tracker_refs ?? []) if (!refs.includes(ref)) refs.push(ref);
  return Object.freeze({
    mission_slug: slug,
    wp_id: task.wp_id,
    qualified_id: qualifyWpId(slug, task.wp_id),
    title: task.title,
    dependencies: Object.freeze(task.dependencies.filter((d) => d !== task.wp_id)),
    tracker_refs: Object.freeze(refs),
    assignee: annotated?.assignee ?? task.assignee,
    lane: lane.lane,
    lane_source: lane.source,
    lane_at: lane.at,
    file: task.file,
    body: task.body,
  });
}

function reportOrphanLaneEvents(
  lanes: LaneSources,
  byId: ReadonlyMap<string, TaskFile>,
  diagnostics: ReaderDiagnostic[],
): void {
  for (const [wp, state] of lanes.folded?.lanes ?? []) {
    if (!byId.has(wp)) {
      diagnostics.push({
        severity: 'info',
        code: 'orphan_lane_events',
        message: `lane events for ${wp}, which has no task file`,
        file: lanes.eventsFile,
        line: state.line,
      });
    }
  }
}

/** `text` parsed as JSON, or undefined (never a JSON value) after a warning saying what happens instead. */
function parseJsonOrWarn(
  text: string,
  file: string,
  code: ReaderDiagnostic['code'],
  instead: string,
  diagnostics: ReaderDiagnostic[],
): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    diagnostics.push({
      severity: 'warning',
      code,
      message: `invalid JSON (${(error as Error).message}); ${instead}`,
      file,
      line: null,
    });
    return undefined;
  }
}

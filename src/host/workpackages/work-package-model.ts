/**
 * What the reader makes of a spec-kitty project: missions, their work packages, and everything
 * odd it met on the way. Paths are relative to the project root, with `/` separators.
 */

/** Where a work package's lane came from, most authoritative first. */
export type LaneSource =
  /** Folded from `status.events.jsonl` (the canonical history). */
  | 'events'
  /** `status.json`, used only when the mission has no event log. */
  | 'status_json'
  /** The legacy `lane:` frontmatter key (missions older than the event log). */
  | 'frontmatter'
  /** Nothing recorded: the work package is taken as `planned`. */
  | 'default';

export interface WorkPackage {
  readonly mission_slug: string;
  /** `WP01`, as in the frontmatter (or the file name when the frontmatter lacks it). */
  readonly wp_id: string;
  /** `<mission-slug>/WP01`: the id used in mappings. */
  readonly qualified_id: string;
  readonly title: string;
  /** Work-package ids (`WP01`) of the same mission this one depends on. */
  readonly dependencies: readonly string[];
  /** Tracker references (`#1298`, `PROJ-12`), from the frontmatter and the log's annotations. */
  readonly tracker_refs: readonly string[];
  readonly assignee: string | null;
  /** Normalised lane (aliases resolved); possibly a lane this version does not know. */
  readonly lane: string;
  readonly lane_source: LaneSource;
  /** When the lane was last set (ISO), when known. */
  readonly lane_at: string | null;
  /** The task file, relative to the project root. */
  readonly file: string;
  /** The Markdown body after the frontmatter. */
  readonly body: string;
}

export interface Mission {
  /** The directory name under `kitty-specs/` (also spec-kitty's mission slug). */
  readonly slug: string;
  readonly mission_id: string | null;
  readonly friendly_name: string | null;
  readonly mission_number: number | null;
  /** What the mission is about (meta.json's `source_description`), when it says. */
  readonly summary: string | null;
  /** `kitty-specs/<slug>`. */
  readonly dir: string;
  /** Where lanes came from for this mission as a whole. */
  readonly lane_source: 'events' | 'status_json' | 'frontmatter';
  /**
   * False when the mission's event log has lines that could not be read: its lanes may be
   * stale, so nothing is pushed from it until the log is repaired.
   */
  readonly log_healthy: boolean;
  readonly work_packages: readonly WorkPackage[];
}

export type DiagnosticCode =
  | 'invalid_json'
  | 'invalid_event'
  | 'unknown_event_kind'
  | 'unknown_lane'
  | 'missing_meta'
  | 'invalid_meta'
  | 'invalid_status_json'
  | 'invalid_frontmatter'
  | 'missing_frontmatter'
  | 'missing_work_package_id'
  | 'duplicate_work_package'
  | 'orphan_lane_events'
  | 'unknown_dependency'
  | 'unreadable_file'
  | 'no_missions'
  | 'pre30_layout';

export interface ReaderDiagnostic {
  /** `error`: data was skipped; `warning`: read with a fallback; `info`: worth knowing. */
  readonly severity: 'error' | 'warning' | 'info';
  readonly code: DiagnosticCode;
  readonly message: string;
  /** Relative to the project root. */
  readonly file: string;
  /** 1-based, when the problem is on one line. */
  readonly line: number | null;
}

export interface ProjectWorkPackages {
  readonly missions: readonly Mission[];
  readonly diagnostics: readonly ReaderDiagnostic[];
}

/** `file:line: message` (or `file: message`), the form editors and terminals link. */
export function formatDiagnostic(diagnostic: ReaderDiagnostic): string {
  const where = diagnostic.line === null ? diagnostic.file : `${diagnostic.file}:${diagnostic.line}`;
  return `${where}: ${diagnostic.message}`;
}

/** Every work package of every mission, in mission then id order. */
export function allWorkPackages(project: Pick<ProjectWorkPackages, 'missions'>): WorkPackage[] {
  return project.missions.flatMap((mission) => [...mission.work_packages]);
}

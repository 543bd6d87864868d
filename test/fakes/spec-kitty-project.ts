/**
 * Builds realistic spec-kitty projects on disk (`kitty-specs/<mission>/...`) for tests, the demo
 * and the benchmark: missions whose lanes come from an event log (with the non-lane rows and
 * duplicate lines real logs have), from `status.json` only, or from legacy frontmatter; task
 * files in modern and legacy frontmatter forms; missing and broken files on request.
 *
 * Files are written the way spec-kitty writes them (event lines as Python's
 * `json.dumps(sort_keys=True)`, ULID event ids, `+00:00` microsecond timestamps), from a seed, so
 * the same spec always gives byte-identical files.
 */
import {appendFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

import {ManualClock} from '../../src/core/protocols/runtime.js';
import {canonicalJson} from '../../src/core/serialization/canonical-json.js';
import {createUlidFactory} from '../../src/core/util/ulid.js';

/** The path a work package walks through the lanes to reach each lane. */
const LANE_PATHS: Readonly<Record<string, readonly string[]>> = {
  planned: ['planned'],
  claimed: ['planned', 'claimed'],
  in_progress: ['planned', 'claimed', 'in_progress'],
  for_review: ['planned', 'claimed', 'in_progress', 'for_review'],
  in_review: ['planned', 'claimed', 'in_progress', 'for_review', 'in_review'],
  approved: ['planned', 'claimed', 'in_progress', 'for_review', 'in_review', 'approved'],
  done: ['planned', 'claimed', 'in_progress', 'for_review', 'in_review', 'approved', 'done'],
  blocked: ['planned', 'claimed', 'in_progress', 'blocked'],
  canceled: ['planned', 'canceled'],
};

export const ALL_LANES = Object.keys(LANE_PATHS);

/** How a task file's frontmatter is written. */
export type FrontmatterForm =
  /** Today's form: `title`, `dependencies` as a block list, `tracker_refs` as a list. */
  | 'modern'
  /** Flow lists (`dependencies: [WP01, WP02]`), quoted scalars, comments. */
  | 'flow'
  /** Mission-004 style: `work_package_title`, `dependencies: '[]'` or `'WP01, WP02'`, single-string `tracker_refs`, `lane: doing`. */
  | 'legacy'
  /** YAML the fast scanner leaves to the full parser (block scalars, nested maps). */
  | 'complex'
  /** No frontmatter at all (the file name gives the id). */
  | 'none'
  /** Unparseable YAML. */
  | 'broken';

export interface WorkPackageSpec {
  readonly id: string;
  readonly title?: string;
  readonly lane?: string;
  readonly dependencies?: readonly string[];
  /** A list, or a single string (the legacy form). */
  readonly tracker_refs?: readonly string[] | string;
  readonly assignee?: string;
  readonly form?: FrontmatterForm;
  readonly body?: string;
}

export interface MissionSpec {
  readonly slug: string;
  readonly friendly_name?: string;
  readonly mission_id?: string;
  /** Default true; false leaves meta.json out. */
  readonly meta?: boolean;
  /** Where the lanes live. Default `events`. */
  readonly lanes?: 'events' | 'status_json' | 'frontmatter';
  /** For `events`: add annotation, decision and retrospective rows, blank lines and duplicate lines. Default true. */
  readonly noise?: boolean;
  /** For `events`: raw lines appended at the end (e.g. a corrupt line). */
  readonly extraLogLines?: readonly string[];
  readonly work_packages: readonly WorkPackageSpec[];
}

export interface ProjectSpec {
  readonly missions: readonly MissionSpec[];
  /** Timestamp of the first event. Default 2026-03-01T09:00:00Z. */
  readonly start?: string;
  readonly seed?: number;
}

/** What the written project should read as: per qualified id, the lane and title. */
export interface ExpectedWorkPackage {
  readonly mission: string;
  readonly wp_id: string;
  readonly title: string;
  readonly lane: string;
  readonly dependencies: readonly string[];
  readonly tracker_refs: readonly string[];
}

export interface WrittenProject {
  readonly root: string;
  readonly expected: ReadonlyMap<string, ExpectedWorkPackage>;
  /** Event lines written, duplicates and noise included. */
  readonly eventLines: number;
}

/** A small deterministic PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** spec-kitty's timestamp form: `2026-03-10T10:14:18.495748+00:00`. */
export function specKittyTimestamp(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

/** One JSONL line as spec-kitty writes it (sorted keys, `, ` and `: ` separators, ASCII). */
export function eventLine(event: Record<string, unknown>): string {
  return canonicalJson(event);
}

export function writeSpecKittyProject(root: string, spec: ProjectSpec): WrittenProject {
  const clock = new ManualClock(spec.start ?? '2026-03-01T09:00:00.000Z');
  const random = seededRandom(spec.seed ?? 7);
  const ulid = createUlidFactory(clock, (n) =>
    Uint8Array.from({length: n}, () => Math.floor(random() * 256)),
  );
  const expected = new Map<string, ExpectedWorkPackage>();
  let eventLines = 0;
  for (const mission of spec.missions) {
    const dir = join(root, 'kitty-specs', mission.slug);
    mkdirSync(join(dir, 'tasks'), {recursive: true});
    if (mission.meta !== false) {
      const meta = {
        created_at: specKittyTimestamp(clock.now()),
        friendly_name: mission.friendly_name ?? titleFromSlug(mission.slug),
        mission_id: mission.mission_id ?? ulid(),
        mission_number: Number(/^\d+/.exec(mission.slug)?.[0] ?? 0),
        mission_slug: mission.slug,
        mission_type: 'software-dev',
        slug: mission.slug,
        target_branch: 'main',
        vcs: 'git',
      };
      writeFileSync(join(dir, 'meta.json'), `${canonicalJson(meta, {indent: 2})}\n`);
    }
    const source = mission.lanes ?? 'events';
    for (const wp of mission.work_packages) {
      const lane = wp.lane ?? 'planned';
      const title = wp.title ?? `Work package ${wp.id}`;
      const form = wp.form ?? 'modern';
      writeFileSync(
        join(dir, 'tasks', `${wp.id}-${slugify(title)}.md`),
        taskFile(wp, title, lane, form, source === 'frontmatter'),
      );
      if (form !== 'broken') {
        const refs =
          typeof wp.tracker_refs === 'string'
            ? wp.tracker_refs
                .split(',')
                .map((r) => r.trim())
                .filter(Boolean)
            : [...(wp.tracker_refs ?? [])];
        expected.set(`${mission.slug}/${wp.id}`, {
          mission: mission.slug,
          wp_id: wp.id,
          title: form === 'none' ? wp.id : title,
          lane: form === 'none' && source === 'frontmatter' ? 'planned' : lane,
          dependencies: form === 'none' ? [] : [...(wp.dependencies ?? [])],
          tracker_refs: form === 'none' ? [] : refs,
        });
      }
    }
    if (source === 'events') {
      const lines = missionEventLines(mission, clock, ulid, random);
      eventLines += lines.filter((l) => l.trim() !== '').length;
      writeFileSync(join(dir, 'status.events.jsonl'), lines.map((l) => `${l}\n`).join(''));
    } else if (source === 'status_json') {
      writeFileSync(
        join(dir, 'status.json'),
        `${canonicalJson(snapshotFor(mission, clock, ulid), {indent: 2})}\n`,
      );
    }
  }
  return {root, expected, eventLines};
}

function missionEventLines(
  mission: MissionSpec,
  clock: ManualClock,
  ulid: () => string,
  random: () => number,
): string[] {
  const noise = mission.noise !== false;
  const lines: string[] = [];
  const written: string[] = [];
  for (const wp of mission.work_packages) {
    const path = LANE_PATHS[wp.lane ?? 'planned'] ?? ['planned', wp.lane ?? 'planned'];
    let from: string | null = null;
    for (const to of path) {
      clock.advance(60_000 + Math.floor(random() * 60_000));
      const line = eventLine(
        laneEvent(mission.slug, wp.id, from ?? 'planned', to, clock, ulid, from === null),
      );
      lines.push(line);
      written.push(line);
      from = to;
    }
    if (noise && random() < 0.5) {
      clock.advance(1000);
      lines.push(
        eventLine({
          actor: 'claude',
          at: specKittyTimestamp(clock.now()),
          delta: {note: `progress note on ${wp.id}`},
          event_id: ulid(),
          kind: 'annotation',
          wp_id: wp.id,
        }),
      );
    }
  }
  if (noise) {
    clock.advance(5000);
    // A decision event (its own schema, `event_type`), a retrospective row (`type`), a blank line
    // and duplicates of lines already written (a merge that concatenated both sides).
    lines.push(
      eventLine({
        at: specKittyTimestamp(clock.now()),
        decision_id: ulid(),
        event_id: ulid(),
        event_type: 'DecisionPointOpened',
        mission_slug: mission.slug,
        question: 'Which storage backend?',
      }),
    );
    lines.push(
      eventLine({
        at: specKittyTimestamp(clock.now()),
        event_id: ulid(),
        mission_slug: mission.slug,
        type: 'RetrospectiveSkipped',
      }),
    );
    lines.push('');
    if (written.length > 0) lines.push(written[0], written[Math.floor(written.length / 2)]);
  }
  lines.push(...(mission.extraLogLines ?? []));
  return lines;
}

function laneEvent(
  slug: string,
  wpId: string,
  from: string,
  to: string,
  clock: ManualClock,
  ulid: () => string,
  bootstrap: boolean,
): Record<string, unknown> {
  return {
    actor: bootstrap ? 'finalize-tasks' : 'claude',
    at: specKittyTimestamp(clock.now()),
    event_id: ulid(),
    evidence: null,
    execution_mode: 'worktree',
    force: bootstrap,
    from_lane: bootstrap ? 'planned' : from,
    mission_slug: slug,
    policy_metadata: null,
    reason: null,
    review_ref: null,
    to_lane: to,
    wp_id: wpId,
  };
}

function snapshotFor(mission: MissionSpec, clock: ManualClock, ulid: () => string): Record<string, unknown> {
  const work_packages: Record<string, unknown> = {};
  for (const wp of mission.work_packages) {
    clock.advance(60_000);
    work_packages[wp.id] = {
      actor: 'migration',
      force_count: 1,
      lane: wp.lane ?? 'planned',
      last_event_id: ulid(),
      last_transition_at: specKittyTimestamp(clock.now()),
    };
  }
  return {
    event_count: mission.work_packages.length,
    last_event_id: null,
    materialized_at: specKittyTimestamp(clock.now()),
    mission_slug: mission.slug,
    summary: {},
    work_packages,
  };
}

function taskFile(
  wp: WorkPackageSpec,
  title: string,
  lane: string,
  form: FrontmatterForm,
  laneInFrontmatter: boolean,
): string {
  const body =
    wp.body ??
    `# Work Package Prompt: ${wp.id} -- ${title}\n\n## Objectives & Success Criteria\n\nDeliver ${title.toLowerCase()}.\n\n## Activity Log\n\n- 2026-03-01T09:00:00Z -- system -- lane=planned -- Prompt created.\n`;
  const deps = wp.dependencies ?? [];
  const refs = wp.tracker_refs;
  const refList = typeof refs === 'string' ? [refs] : [...(refs ?? [])];
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const fm: string[] = [];
  switch (form) {
    case 'none':
      return body;
    case 'broken':
      return `---\nwork_package_id: ${wp.id}\ntitle: [unclosed\n  dependencies: : :\n---\n${body}`;
    case 'modern':
      fm.push(`work_package_id: ${wp.id}`, `title: ${quote(title)}`);
      if (laneInFrontmatter) fm.push(`lane: "${lane}"`);
      fm.push(
        deps.length === 0 ? 'dependencies: []' : `dependencies:\n${deps.map((d) => `- ${d}`).join('\n')}`,
      );
      fm.push(
        'base_branch: main',
        "created_at: '2026-03-01T09:00:00.000000+00:00'",
        'subtasks:\n- T001\n- T002',
        'phase: Phase 1 - Core',
      );
      if (refList.length > 0) fm.push(`tracker_refs:\n${refList.map((r) => `- ${quote(r)}`).join('\n')}`);
      fm.push(`assignee: ${quote(wp.assignee ?? '')}`, 'agent: "claude"', 'shell_pid: ""');
      fm.push(
        "history:\n- timestamp: '2026-03-01T09:00:00Z'\n  lane: planned\n  agent: system\n  shell_pid: ''\n  action: Prompt generated via /spec-kitty.tasks",
      );
      break;
    case 'flow':
      fm.push(`work_package_id: "${wp.id}"  # the id`, `title: "${title.replace(/"/g, "'")}"`);
      if (laneInFrontmatter) fm.push(`lane: ${lane}`);
      fm.push(`dependencies: [${deps.join(', ')}]`, `subtasks: [T001, T002]`);
      if (refList.length > 0) fm.push(`tracker_refs: [${refList.map((r) => `"${r}"`).join(', ')}]`);
      if (wp.assignee) fm.push(`assignee: ${wp.assignee}`);
      break;
    case 'legacy':
      fm.push(`work_package_id: ${wp.id}`, `work_package_title: ${quote(title)}`);
      if (laneInFrontmatter) fm.push(`lane: ${lane === 'in_progress' ? 'doing' : lane}`);
      fm.push(`dependencies: '${deps.length === 0 ? '[]' : deps.join(', ')}'`);
      if (refList.length > 0) fm.push(`tracker_refs: ${quote(refList.join(', '))}`);
      fm.push('reviewer:\n  name: someone\n  agent: codex');
      break;
    case 'complex':
      fm.push(`work_package_id: ${wp.id}`, `title: >-\n  ${title}`);
      if (laneInFrontmatter) fm.push(`lane: ${lane}`);
      fm.push(
        `dependencies: &deps\n${deps.map((d) => `  - ${d}`).join('\n') || '  []'}`.replace(
          '&deps\n  []',
          '&deps []',
        ),
      );
      if (refList.length > 0) fm.push(`tracker_refs:\n${refList.map((r) => `  - "${r}"`).join('\n')}`);
      fm.push('agent:\n  tool: claude\n  model: opus');
      break;
  }
  return `---\n${fm.join('\n')}\n---\n\n${body}`;
}

function slugify(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'task'
  );
}

function titleFromSlug(slug: string): string {
  return slug
    .replace(/^\d+-/, '')
    .split('-')
    .map((w) => (w === '' ? w : w[0].toUpperCase() + w.slice(1)))
    .join(' ');
}

/**
 * Appends a lane transition to a mission's log, as `spec-kitty agent tasks move-task` would.
 * `from` defaults to the last `to_lane` the log gives the work package (a plain scan; the reader
 * under test is not used to compute its own input).
 */
export function appendLaneTransition(
  root: string,
  mission: string,
  wpId: string,
  to: string,
  options: {at: Date; eventId: string; from?: string; actor?: string},
): string {
  const file = join(root, 'kitty-specs', mission, 'status.events.jsonl');
  let from = options.from;
  if (from === undefined) {
    from = 'planned';
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      text = '';
    }
    let latest = '';
    for (const line of text.split('\n')) {
      try {
        const row = JSON.parse(line) as {wp_id?: string; to_lane?: string; at?: string};
        if (
          row.wp_id === wpId &&
          typeof row.to_lane === 'string' &&
          typeof row.at === 'string' &&
          row.at >= latest
        ) {
          latest = row.at;
          from = row.to_lane;
        }
      } catch {
        // not a lane line
      }
    }
  }
  const line = eventLine({
    actor: options.actor ?? 'claude',
    at: specKittyTimestamp(options.at),
    event_id: options.eventId,
    evidence: null,
    execution_mode: 'worktree',
    force: false,
    from_lane: from,
    mission_slug: mission,
    policy_metadata: null,
    reason: null,
    review_ref: null,
    to_lane: to,
    wp_id: wpId,
  });
  appendFileSync(file, `${line}\n`);
  return line;
}

/**
 * A large, varied project for the benchmark and the demo: `missions` missions of
 * `workPackagesPerMission` work packages, lanes from all three sources, every lane and every
 * well-formed frontmatter form, dependencies on earlier work packages.
 */
export function largeProjectSpec(options: {
  missions: number;
  workPackagesPerMission: number;
  seed?: number;
}): ProjectSpec {
  const random = seededRandom(options.seed ?? 42);
  const forms: FrontmatterForm[] = ['modern', 'modern', 'modern', 'flow', 'legacy', 'complex'];
  const missions: MissionSpec[] = [];
  for (let m = 1; m <= options.missions; m++) {
    const slug = `${String(m).padStart(3, '0')}-mission-${m}`;
    const sourceRoll = random();
    const lanes = sourceRoll < 0.8 ? 'events' : sourceRoll < 0.9 ? 'status_json' : 'frontmatter';
    const wps: WorkPackageSpec[] = [];
    for (let w = 1; w <= options.workPackagesPerMission; w++) {
      const id = `WP${String(w).padStart(2, '0')}`;
      wps.push({
        id,
        title: `Step ${w} of mission ${m}`,
        lane: ALL_LANES[Math.floor(random() * ALL_LANES.length)],
        dependencies: w > 1 && random() < 0.5 ? [`WP${String(w - 1).padStart(2, '0')}`] : [],
        tracker_refs: random() < 0.2 ? [`#${m * 100 + w}`] : [],
        form: forms[Math.floor(random() * forms.length)],
      });
    }
    missions.push({slug, lanes, work_packages: wps});
  }
  return {missions, seed: options.seed ?? 42};
}

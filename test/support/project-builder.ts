import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {
  ALL_LANES,
  writeSpecKittyProject,
  type MissionSpec,
  type ProjectSpec,
  type WrittenProject,
} from '../fakes/spec-kitty-project.js';

/**
 * Temp-dir spec-kitty projects for tests. `realisticProject()` is the varied project the reader's
 * acceptance tests use; `buildProject(spec)` writes any spec. Call `cleanup()` in `after`.
 */
export interface BuiltProject extends WrittenProject {
  cleanup(): void;
}

export function buildProject(spec: ProjectSpec): BuiltProject {
  const root = mkdtempSync(join(tmpdir(), 'sk-project-'));
  const written = writeSpecKittyProject(root, spec);
  return {...written, cleanup: () => rmSync(root, {recursive: true, force: true})};
}

/** One mission, `010-checkout`: WP01 done, WP02 (depends on WP01) and WP03 planned. */
export function checkoutProject(): BuiltProject {
  return buildProject({
    start: '2026-03-01T09:00:00.000Z',
    missions: [
      {
        slug: '010-checkout',
        work_packages: [
          {id: 'WP01', title: 'Cart model', lane: 'done'},
          {id: 'WP02', title: 'Payment form', lane: 'planned', dependencies: ['WP01']},
          {id: 'WP03', title: 'Receipts', lane: 'planned'},
        ],
      },
    ],
  });
}

/** Nine work packages, one per lane, alternating frontmatter forms. */
function everyLane(prefix: string): MissionSpec['work_packages'] {
  const forms = ['modern', 'flow', 'legacy', 'complex'] as const;
  return ALL_LANES.map((lane, index) => {
    const id = `WP${String(index + 1).padStart(2, '0')}`;
    return {
      id,
      title: `${prefix} ${lane.replace('_', ' ')} step`,
      lane,
      dependencies: index > 0 && index % 3 === 0 ? [`WP${String(index).padStart(2, '0')}`] : [],
      tracker_refs: index === 1 ? ['#12'] : index === 2 ? 'PROJ-7' : [],
      form: forms[index % forms.length],
    };
  });
}

/**
 * Several missions covering what real projects hold:
 * - `001-event-log`: lanes from an event log with annotations, decision and retrospective rows,
 *   a blank line and duplicated lines; every lane; modern/flow/legacy/complex frontmatter.
 * - `002-snapshot-only`: no event log, `status.json` only.
 * - `003-legacy-frontmatter`: no log, no snapshot, no meta.json; lanes in frontmatter (`doing`).
 * - `004-odd-files`: an unknown lane, a task without frontmatter, a broken frontmatter file,
 *   and a corrupt line in its log.
 */
export function realisticProjectSpec(): ProjectSpec {
  return {
    seed: 11,
    missions: [
      {slug: '001-event-log', friendly_name: 'Event log mission', work_packages: everyLane('Log')},
      {
        slug: '002-snapshot-only',
        lanes: 'status_json',
        work_packages: [
          {id: 'WP01', title: 'Snapshot first', lane: 'done'},
          {id: 'WP02', title: 'Snapshot second', lane: 'in_review', dependencies: ['WP01']},
        ],
      },
      {
        slug: '003-legacy-frontmatter',
        meta: false,
        lanes: 'frontmatter',
        work_packages: [
          {id: 'WP01', title: 'Legacy doing', lane: 'in_progress', form: 'legacy'},
          {id: 'WP02', title: 'Legacy planned', lane: 'planned', form: 'legacy', dependencies: ['WP01']},
          {id: 'WP03', title: 'Modern in legacy', lane: 'blocked', form: 'modern'},
        ],
      },
      {
        slug: '004-odd-files',
        work_packages: [
          {id: 'WP01', title: 'Sent to triage', lane: 'triage'},
          {id: 'WP02', title: 'No frontmatter', lane: 'claimed', form: 'none'},
          {id: 'WP03', title: 'Broken yaml', lane: 'done', form: 'broken'},
        ],
        extraLogLines: [
          '{"event_id": "01J0000000000000000000000X", "at": "2026-03-02T00:00:00+00:00", "wp_id": "WP0',
        ],
      },
    ],
  };
}

export function realisticProject(): BuiltProject {
  return buildProject(realisticProjectSpec());
}

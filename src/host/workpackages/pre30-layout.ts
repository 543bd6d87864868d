import {readdirSync} from 'node:fs';
import {join} from 'node:path';

import {TrackerError} from '../../core/errors.js';
import type {ReaderDiagnostic} from './work-package-model.js';

/**
 * spec-kitty before 3.0 kept a work package's lane as the folder its file sat in
 * (`tasks/planned/WP01.md`, `tasks/doing/`, `tasks/for_review/`, `tasks/done/`). spec-kitty 3.x
 * refuses such a mission until `spec-kitty upgrade` has flattened it; so does this plugin, where
 * reading it would take lanes from a layout spec-kitty itself no longer maintains.
 */
const LEGACY_LANE_FOLDERS = ['planned', 'doing', 'for_review', 'done'] as const;

/** The lane folders of `tasks/` that hold Markdown files (empty: the 3.x layout). */
export function pre30LaneFolders(root: string, missionDir: string): string[] {
  const found: string[] = [];
  for (const lane of LEGACY_LANE_FOLDERS) {
    try {
      const files = readdirSync(join(root, missionDir, 'tasks', lane));
      if (files.some((name) => name.endsWith('.md'))) found.push(lane);
    } catch {
      // no such folder (the usual case), or not a folder
    }
  }
  return found;
}

export function pre30Diagnostic(
  slug: string,
  missionDir: string,
  folders: readonly string[],
): ReaderDiagnostic {
  const shown = folders.map((f) => `tasks/${f}/`).join(', ');
  return {
    severity: 'error',
    code: 'pre30_layout',
    message: `mission ${slug} uses spec-kitty's pre-3.0 layout (work packages in ${shown}) and is not read; run \`spec-kitty upgrade\` (the Python spec-kitty CLI) to migrate it`,
    file: `${missionDir}/tasks`,
    line: null,
  };
}

export class Pre30LayoutError extends TrackerError {}

/**
 * Fails closed, as spec-kitty 3.x does, before anything is recorded from work packages: a
 * mission left in the old layout would otherwise be pushed as if it had no work packages.
 */
export function assertNoPre30Missions(diagnostics: readonly ReaderDiagnostic[]): void {
  const legacy = diagnostics.filter((d) => d.code === 'pre30_layout');
  if (legacy.length === 0) return;
  const missions = legacy.map((d) => d.file.replace(/^kitty-specs\//, '').replace(/\/tasks$/, ''));
  throw new Pre30LayoutError(
    `Mission${missions.length === 1 ? '' : 's'} ${missions.join(', ')} still use${missions.length === 1 ? 's' : ''} spec-kitty's pre-3.0 layout (lane folders such as tasks/planned/, tasks/doing/); its work packages are not read, and nothing was recorded or sent.`,
    {
      hint: 'Run `spec-kitty upgrade` (the Python spec-kitty CLI) in this project to migrate to the 3.x layout, then run this command again.',
    },
  );
}

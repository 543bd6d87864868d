import type {WorkPackageStatusRow} from '../workpackages/wp-status-rows.js';
import {formatStatusRows} from '../workpackages/wp-status-rows.js';

/** Rows shown in `status` before it sums up the rest (a project may hold thousands). */
export const STATUS_ROW_LIMIT = 40;

/**
 * The work-package section of `status` for people: a headline, then one row per work package
 * (`<mission>/WP01  <lane>  <issue> <tracker status>  (differs)`). With many work packages, the
 * rows that need attention (disagreeing, then unmapped) come first, up to `limit`, and a line
 * says how to see one mission whole. Nothing at all when the project has no work packages.
 */
export function workPackageLines(rows: readonly WorkPackageStatusRow[], limit = STATUS_ROW_LIMIT): string[] {
  if (rows.length === 0) return [];
  const mapped = rows.filter((r) => r.mapped).length;
  const disagree = rows.filter((r) => r.disagree).length;
  const lines = [`Work packages: ${rows.length} (${mapped} mapped, ${disagree} disagree with the tracker)`];
  if (rows.length <= limit) return [...lines, ...formatStatusRows(rows).map((l) => `  ${l}`)];
  const rank = (r: WorkPackageStatusRow): number => (r.disagree ? 0 : r.mapped ? 2 : 1);
  const shown = rows
    .map((row, index) => ({row, index}))
    .sort((a, b) => rank(a.row) - rank(b.row) || a.index - b.index)
    .slice(0, limit)
    .sort((a, b) => a.index - b.index)
    .map((x) => x.row);
  return [
    ...lines,
    ...formatStatusRows(shown).map((l) => `  ${l}`),
    `  (${rows.length - shown.length} more; see one mission with \`spec-kitty tracker list-tickets --mission <slug>\`, or all with --json)`,
  ];
}

/** `list-tickets --mission M` for people: a headline and every row. */
export function missionLines(mission: string, rows: readonly WorkPackageStatusRow[]): string[] {
  if (rows.length === 0)
    return [`Mission ${mission}: no work packages (no kitty-specs/${mission}/tasks/WP*.md).`];
  const disagree = rows.filter((r) => r.disagree).length;
  return [
    `Mission ${mission}: ${rows.length} work package${rows.length === 1 ? '' : 's'}, ${disagree} disagree with the tracker`,
    ...formatStatusRows(rows),
  ];
}

import type {Mission, WorkPackage} from './work-package-model.js';

/**
 * What an issue created for a work package says: `WP01 <title>`, the work package's Markdown
 * (bounded: trackers cap bodies at 32-65k characters), and a footer linking back to the mission
 * and the task file. The footer's marker line lets `map suggest` find the issue again if the
 * mapping is ever lost, so a re-run never creates a duplicate.
 */

/** Body characters kept from the task file (well under every provider's limit). */
export const MAX_BODY_CHARS = 16_000;

export function workPackageMarker(qualifiedId: string): string {
  return `spec-kitty work package \`${qualifiedId}\``;
}

export function issueTitleFor(wp: WorkPackage): string {
  const title = wp.title.trim();
  if (
    title === wp.wp_id ||
    title.toUpperCase().startsWith(`${wp.wp_id} `) ||
    title.toUpperCase().startsWith(`${wp.wp_id}:`)
  )
    return title;
  return `${wp.wp_id} ${title}`;
}

export function issueBodyFor(
  wp: WorkPackage,
  mission: Pick<Mission, 'slug' | 'friendly_name' | 'mission_id'>,
): string {
  let text = wp.body.trim();
  if (text.length > MAX_BODY_CHARS) {
    text = `${text.slice(0, MAX_BODY_CHARS).trimEnd()}\n\n… (truncated; the full text is in \`${wp.file}\`)`;
  }
  const missionName = mission.friendly_name
    ? `${mission.friendly_name} (\`${mission.slug}\`)`
    : `\`${mission.slug}\``;
  const footer = [
    '---',
    `${workPackageMarker(wp.qualified_id)}, mission ${missionName}${mission.mission_id ? `, mission id \`${mission.mission_id}\`` : ''}.`,
    `Source: \`${wp.file}\``,
  ].join('\n');
  return text === '' ? footer : `${text}\n\n${footer}`;
}

/** `spec-kitty` and the mission slug (bounded to 50 characters, GitHub's label limit). */
export function issueLabelsFor(wp: WorkPackage): string[] {
  return ['spec-kitty', wp.mission_slug.slice(0, 50)];
}

import {MAX_BODY_CHARS} from './wp-issue-content.js';
import type {Mission} from './work-package-model.js';

/**
 * What the issue standing for a mission says: the mission's friendly name as its title, its
 * summary, and a footer whose marker line lets a re-run find the issue again if its mapping was
 * lost (so it is never created twice). Its mapping is `<slug>/mission`.
 */

/** The tail of a mission issue's mapping id (`<slug>/mission`): no work package id looks like it. */
export const MISSION_ISSUE_SUFFIX = '/mission';

export function missionIssueId(slug: string): string {
  return `${slug}${MISSION_ISSUE_SUFFIX}`;
}

export function missionMarker(slug: string): string {
  return `spec-kitty mission \`${slug}\``;
}

export function missionIssueTitle(mission: Pick<Mission, 'slug' | 'friendly_name'>): string {
  return mission.friendly_name ?? mission.slug;
}

export function missionIssueBody(mission: Pick<Mission, 'slug' | 'mission_id' | 'summary' | 'dir'>): string {
  let summary = (mission.summary ?? '').trim();
  if (summary.length > MAX_BODY_CHARS) summary = `${summary.slice(0, MAX_BODY_CHARS).trimEnd()} …`;
  const footer = [
    '---',
    `${missionMarker(mission.slug)}${mission.mission_id ? `, mission id \`${mission.mission_id}\`` : ''}: its work packages are the sub-issues of this one.`,
    `Source: \`${mission.dir}/\``,
  ].join('\n');
  return summary === '' ? footer : `${summary}\n\n${footer}`;
}

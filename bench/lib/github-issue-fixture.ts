/**
 * Deterministic, realistic GitHub REST issue payloads (the shape `GET /repos/{o}/{r}/issues`
 * returns: user objects, label objects, reactions, every `*_url`), and their canonical form.
 *
 * The store benchmarks need "the raw provider JSON of the same issue" to compare bytes with,
 * and a canonical issue per payload to cache, made by the GitHub connector's own mapper.
 */
import {toCanonical, type GitHubIssueJson} from '../../src/core/connectors/github/github-issue-mapper.js';
import {readGitHubSettings, type GitHubSettings} from '../../src/core/connectors/github/github-settings.js';
import {realSleep, systemClock, type CanonicalIssue} from '../../src/core/index.js';
import {seededRandom} from '../../test/fakes/spec-kitty-project.js';

/** Small seeded PRNG (mulberry32): the same seed gives the same issues on every machine. */
export const prng = seededRandom;

const PEOPLE = ['octocat', 'mona', 'hubot', 'alice-dev', 'bob-ops', 'carol-qa', 'dave-sre', 'erin-pm'];
const LABELS: {name: string; color: string; description: string}[] = [
  {name: 'bug', color: 'd73a4a', description: "Something isn't working"},
  {name: 'enhancement', color: 'a2eeef', description: 'New feature or request'},
  {name: 'documentation', color: '0075ca', description: 'Improvements or additions to documentation'},
  {name: 'good first issue', color: '7057ff', description: 'Good for newcomers'},
  {name: 'status: in progress', color: 'fbca04', description: 'Someone is working on it'},
  {name: 'status: in review', color: '0e8a16', description: 'A pull request is open'},
  {name: 'priority: 1', color: 'b60205', description: 'Fix before the next release'},
  {name: 'area:cli', color: 'c5def5', description: 'Command line interface'},
  {name: 'area:sync', color: 'c5def5', description: 'Synchronisation engine'},
];
const VERBS = ['Fix', 'Add', 'Improve', 'Document', 'Refactor', 'Speed up', 'Support', 'Remove'];
const OBJECTS = [
  'login redirect on expired sessions',
  'CSV export of widget inventory',
  'rate-limit handling in the API client',
  'dark mode for the dashboard',
  'flaky integration test for checkout',
  'pagination of the audit log',
  'webhook retries after timeouts',
  'offline mode for the mobile app',
];

function user(login: string, id: number): Record<string, unknown> {
  const api = `https://api.github.com/users/${login}`;
  return {
    login,
    id,
    node_id: `MDQ6VXNlcj${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `https://github.com/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: 'User',
    user_view_type: 'public',
    site_admin: false,
  };
}

/** The GitHub payload of issue `number` in `repo` (`owner/name`), deterministic in (seed, number). */
export function githubIssuePayload(repo: string, number: number, seed = 1): Record<string, unknown> {
  const rnd = prng(seed * 1_000_003 + number);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const api = `https://api.github.com/repos/${repo}`;
  const author = pick(PEOPLE);
  const assignees = [...new Set([pick(PEOPLE), ...(rnd() < 0.3 ? [pick(PEOPLE)] : [])])].slice(
    0,
    rnd() < 0.2 ? 0 : 2,
  );
  const labels = [...new Set([pick(LABELS), ...(rnd() < 0.5 ? [pick(LABELS)] : [])])];
  const closed = rnd() < 0.35;
  const created = Date.UTC(2024, 0, 1) + number * 3_600_000;
  const updated = created + Math.floor(rnd() * 30 * 86_400_000);
  const title = `${pick(VERBS)} ${pick(OBJECTS)}`;
  const body =
    `## Context\n${title} is needed because users reported it in the forum (thread ${number * 7}).\n\n` +
    `## Steps\n1. Open the app\n2. Do the thing\n3. Observe the problem\n\n` +
    `## Acceptance\n- [ ] covered by a test\n- [ ] documented\n`;
  const milestone =
    rnd() < 0.4
      ? {
          url: `${api}/milestones/3`,
          html_url: `https://github.com/${repo}/milestone/3`,
          labels_url: `${api}/milestones/3/labels`,
          id: 9_000_003,
          node_id: 'MI_kwDOAAAAAM4AAAAD',
          number: 3,
          title: 'v2.1',
          description: 'Spring release',
          creator: user('erin-pm', 1008),
          open_issues: 12,
          closed_issues: 30,
          state: 'open',
          created_at: '2023-12-01T09:00:00Z',
          updated_at: '2024-03-01T09:00:00Z',
          due_on: '2024-06-30T07:00:00Z',
          closed_at: null,
        }
      : null;
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    url: `${api}/issues/${number}`,
    repository_url: api,
    labels_url: `${api}/issues/${number}/labels{/name}`,
    comments_url: `${api}/issues/${number}/comments`,
    events_url: `${api}/issues/${number}/events`,
    html_url: `https://github.com/${repo}/issues/${number}`,
    id: 2_000_000_000 + number,
    node_id: `I_kwDOAbCdEf${number.toString(36).padStart(6, '0')}`,
    number,
    title,
    user: user(author, 1000 + PEOPLE.indexOf(author)),
    labels: labels.map((label, i) => ({
      id: 5_000_000 + LABELS.indexOf(label),
      node_id: `LA_kwDOAbCdEf${i}`,
      url: `${api}/labels/${encodeURIComponent(label.name)}`,
      name: label.name,
      color: label.color,
      default: label.name === 'bug',
      description: label.description,
    })),
    state: closed ? 'closed' : 'open',
    locked: false,
    assignee: assignees.length > 0 ? user(assignees[0], 1000 + PEOPLE.indexOf(assignees[0])) : null,
    assignees: assignees.map((login) => user(login, 1000 + PEOPLE.indexOf(login))),
    milestone,
    comments: Math.floor(rnd() * 6),
    created_at: iso(created),
    updated_at: iso(updated),
    closed_at: closed ? iso(updated) : null,
    author_association: 'MEMBER',
    type: null,
    active_lock_reason: null,
    sub_issues_summary: {total: 0, completed: 0, percent_completed: 0},
    body,
    closed_by: closed ? user(author, 1000 + PEOPLE.indexOf(author)) : null,
    reactions: {
      url: `${api}/issues/${number}/reactions`,
      total_count: 0,
      '+1': 0,
      '-1': 0,
      laugh: 0,
      hooray: 0,
      confused: 0,
      heart: 0,
      rocket: 0,
      eyes: 0,
    },
    timeline_url: `${api}/issues/${number}/timeline`,
    performed_via_github_app: null,
    state_reason: closed ? (rnd() < 0.8 ? 'completed' : 'not_planned') : null,
  };
}

/** The canonical issue for a payload, through the GitHub connector's own mapper (default settings). */
export function canonicalFromPayload(repo: string, payload: Record<string, unknown>): CanonicalIssue {
  let settings = settingsCache.get(repo);
  if (!settings) {
    settings = readGitHubSettings({
      workspace: repo,
      serverUrl: null,
      credentials: {token: 'unused-by-the-mapper'},
      options: {},
      runtime: {clock: systemClock, sleep: realSleep},
    });
    settingsCache.set(repo, settings);
  }
  return toCanonical(payload as GitHubIssueJson, settings);
}

const settingsCache = new Map<string, GitHubSettings>();

import {existsSync, readdirSync, readFileSync} from 'node:fs';
import * as path from 'node:path';

import {TrackerError} from '../../core/errors.js';
import type {TrackerEvent} from '../../core/log/events.js';
import {findProjectRoot} from '../project/project-root.js';
import {parseSegment, SEGMENT_NAME} from '../storage/segment-file.js';
import {explainAddedEvents, type ReviewIssue, type ReviewSummary} from './review-explain.js';
import type {ServiceEnvironment} from './service-context.js';

export interface ReviewRequest {
  /** A git revision; default: the merge base of HEAD with the default branch. */
  readonly base?: string;
}

export interface ReviewBase {
  /** What was asked for or found (`--base`, `origin/main`...), or null when nothing was. */
  readonly rev: string | null;
  /** The commit compared against, or null: everything in the working tree is new. */
  readonly commit: string | null;
  /** How the base was chosen, for people. */
  readonly how: string;
}

export interface ReviewReport {
  readonly base: ReviewBase;
  /** Segment files the branch adds (committed or not), relative to the project root. */
  readonly segments_added: string[];
  /** Segment files it deletes (a compaction), relative to the project root. */
  readonly segments_removed: string[];
  readonly events_added: number;
  readonly issues: ReviewIssue[];
  readonly summary: ReviewSummary;
  readonly warnings: string[];
}

const TRACKER = '.kittify/tracker';

/**
 * What the tracker cache of this branch (working tree included) adds since a base revision,
 * explained per issue. Offline: reads segment files and asks git which of them are new; needs
 * no binding, no credentials and no earlier sync (an empty cache is an empty review).
 */
export async function reviewTrackerChanges(
  environment: ServiceEnvironment,
  request: ReviewRequest = {},
): Promise<ReviewReport> {
  const {root} = await findProjectRoot(environment.cwd, environment.env);
  const repository = await openGit(root);
  const git = repository?.git ?? null;
  const base = repository ? await resolveBase(repository, request.base) : noGitBase(request.base);
  const files =
    git && base.commit ? await changedSegments(git, base.commit) : {added: allSegments(root), removed: []};
  const added = new Set(files.added);
  const baseEvents: TrackerEvent[] = [];
  const addedEvents: TrackerEvent[] = [];
  const warnings: string[] = [];
  const read = (display: string, text: string): TrackerEvent[] => {
    const parsed = parseSegment(path.basename(display), text, display);
    warnings.push(...parsed.warnings);
    return parsed.events;
  };
  for (const file of allSegments(root)) {
    const events = read(file, readFileSync(path.join(root, file), 'latin1'));
    (added.has(file) ? addedEvents : baseEvents).push(...events);
  }
  for (const file of files.removed) {
    // A compaction deleted it: its events were in the base (most live on in the snapshot).
    baseEvents.push(...read(`${base.commit}:${file}`, await git!.raw(['show', `${base.commit}:${file}`])));
  }
  const baseIds = new Set(baseEvents.map((event) => event.event_id));
  const fresh = dedupe(addedEvents.filter((event) => !baseIds.has(event.event_id)));
  const {issues, summary} = explainAddedEvents(dedupe(baseEvents), fresh);
  return {
    base,
    segments_added: [...added].sort(),
    segments_removed: files.removed,
    events_added: fresh.length,
    issues,
    summary,
    warnings,
  };
}

type Git = import('simple-git').SimpleGit;

/** What the repository is: inside a work tree, and HEAD's commit if any. */
interface Repository {
  readonly git: Git;
  readonly head: string | null;
}

async function openGit(root: string): Promise<Repository | null> {
  const {simpleGit} = await import('simple-git');
  const git = simpleGit({baseDir: root});
  try {
    const inside = (await git.raw(['rev-parse', '--is-inside-work-tree'])).trim();
    if (inside !== 'true') return null;
  } catch {
    return null; // not a git repository (or no git): everything in the folder is new
  }
  return {git, head: await commitOf(git, 'HEAD')};
}

function noGitBase(rev: string | undefined): ReviewBase {
  if (rev !== undefined) {
    throw new TrackerError(`--base ${rev}: this project is not in a git repository.`, {
      hint: 'Run review inside the git repository of the project, or leave out --base to see the whole cache.',
    });
  }
  return {rev: null, commit: null, how: 'not a git repository: the whole cache is shown'};
}

async function commitOf(git: Git, rev: string): Promise<string | null> {
  try {
    return (await git.raw(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`])).trim() || null;
  } catch {
    return null;
  }
}

/**
 * `--base` as given; else the merge base of HEAD with the default branch: the remote's HEAD
 * (`origin/HEAD`), else origin/main, origin/master, main or master. A repository with no commit
 * yet, or none of those, compares with the empty tree or HEAD, and says so.
 */
async function resolveBase({git, head}: Repository, rev: string | undefined): Promise<ReviewBase> {
  if (rev !== undefined) {
    const commit = await commitOf(git, rev);
    if (commit === null) {
      throw new TrackerError(`--base ${rev} is not a commit in this repository.`, {
        hint: 'Give a branch, tag or commit (for example origin/main, HEAD~3), or leave --base out for the merge base with the default branch.',
      });
    }
    return {rev, commit, how: `--base ${rev}`};
  }
  if (head === null) return {rev: null, commit: null, how: 'no commit yet: the whole cache is new'};
  for (const candidate of await defaultBranchCandidates(git)) {
    const mergeBase = (await git.raw(['merge-base', 'HEAD', candidate]).catch(() => '')).trim();
    if (mergeBase !== '') return {rev: candidate, commit: mergeBase, how: `merge base with ${candidate}`};
  }
  return {
    rev: 'HEAD',
    commit: head,
    how: 'no default branch found (no origin/HEAD, main or master): changes since HEAD; pass --base to choose',
  };
}

const DEFAULT_BRANCHES = [
  'refs/remotes/origin/main',
  'refs/remotes/origin/master',
  'refs/heads/main',
  'refs/heads/master',
];

/** The default branch candidates that exist, best first, from one `for-each-ref`. */
async function defaultBranchCandidates(git: Git): Promise<string[]> {
  const listed = await git
    .raw([
      'for-each-ref',
      '--format=%(refname) %(symref:short)',
      'refs/remotes/origin/HEAD',
      ...DEFAULT_BRANCHES,
    ])
    .catch(() => '');
  const refs = new Map<string, string>();
  for (const line of listed.split('\n')) {
    const [name, target] = line.split(' ');
    if (name) refs.set(name, target ?? '');
  }
  const out: string[] = [];
  const remoteHead = refs.get('refs/remotes/origin/HEAD');
  if (remoteHead) out.push(remoteHead);
  for (const ref of DEFAULT_BRANCHES) {
    if (refs.has(ref)) out.push(ref.replace(/^refs\/(remotes|heads)\//, ''));
  }
  return out;
}

/** Segment files added (committed since `commit`, staged, or untracked) and deleted. */
async function changedSegments(git: Git, commit: string): Promise<{added: string[]; removed: string[]}> {
  const [diff, untracked] = await Promise.all([
    git.raw(['diff', '--name-status', '--no-renames', '--relative', '-z', commit, '--', TRACKER]),
    git.raw(['ls-files', '--others', '--exclude-standard', '-z', '--', TRACKER]),
  ]);
  const added: string[] = [];
  const removed: string[] = [];
  const parts = diff.split('\0');
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const [status, file] = [parts[i]!, parts[i + 1]!];
    if (!isSegmentPath(file)) continue;
    if (status === 'D') removed.push(file);
    else added.push(file); // A, or M: a segment is never modified, so all of it is read as new
  }
  for (const file of untracked.split('\0')) if (isSegmentPath(file)) added.push(file);
  return {added: [...new Set(added)].sort(), removed: removed.sort()};
}

function isSegmentPath(file: string): boolean {
  const parts = file.split('/');
  return (
    parts.length === 5 &&
    `${parts[0]}/${parts[1]}` === TRACKER &&
    parts[3] === 'events' &&
    SEGMENT_NAME.test(parts[4]!)
  );
}

/** Committed-form segments in the working tree (open segments of a running command are not). */
function allSegments(root: string): string[] {
  const tracker = path.join(root, TRACKER);
  if (!existsSync(tracker)) return [];
  const out: string[] = [];
  for (const scope of readdirSync(tracker, {withFileTypes: true})) {
    if (!scope.isDirectory()) continue;
    const events = path.join(tracker, scope.name, 'events');
    if (!existsSync(events)) continue;
    for (const name of readdirSync(events)) {
      const file = `${TRACKER}/${scope.name}/events/${name}`;
      if (isSegmentPath(file)) out.push(file);
    }
  }
  return out.sort();
}

function dedupe(events: readonly TrackerEvent[]): TrackerEvent[] {
  const seen = new Set<string>();
  return events.filter((event) => !seen.has(event.event_id) && Boolean(seen.add(event.event_id)));
}

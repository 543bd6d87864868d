/**
 * Crash trials of the CLI as a user runs it: `node bin/run.js tracker …` against the loopback fake
 * GitHub, SIGKILLed at a random moment of `sync pull`, `sync push` (with edits, comments and
 * `--create-missing` pending), `edit`, `comment` or `compact`. After every trial the checks below
 * must hold; at the end an uninterrupted push and pull must converge with nothing lost and nothing
 * sent twice. Used by `npm run crash-trials` (many trials) and by a short run in the tests.
 */
import {execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import * as path from 'node:path';

import {runCli, sandboxEnv, type CliResult} from '../../scripts/demo/cli.js';
import {FakeGitHubServer} from '../fakes/github/index.js';
import {seededRandom, writeSpecKittyProject} from '../fakes/spec-kitty-project.js';

export type TrialOperation = 'pull' | 'push' | 'edit' | 'comment' | 'compact';

export interface TrialOutcome {
  readonly trial: number;
  readonly operation: TrialOperation;
  readonly killedAfterMs: number;
  /** True when the command finished before the kill (its change is acknowledged). */
  readonly completed: boolean;
  readonly problems: string[];
}

export interface CrashTrialsReport {
  readonly trials: TrialOutcome[];
  readonly failures: number;
  /** Problems found by the final convergence check (empty when it converged). */
  readonly finalProblems: string[];
  readonly acknowledged: number;
  readonly seconds: number;
}

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const OWNER = 'acme';
const REPO = 'crash';
const TOKEN = 'ghp_crashtrialtoken000000000000000000000';
const MISSION = '001-crash-trials';
const INITIAL_ISSUES = 60;

interface Expectation {
  readonly describe: string;
  readonly holds: () => string | null;
}

/** One sandbox (fake GitHub, git repository, machine home) that every trial of a run shares. */
class Sandbox {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'tracker-cli-crash-'));
  readonly project = path.join(this.dir, 'project');
  readonly env: NodeJS.ProcessEnv;
  private wpCount = 0;

  constructor(
    readonly fake: FakeGitHubServer,
    private readonly random: () => number,
  ) {
    this.env = sandboxEnv(this.dir, {
      GITHUB_TOKEN: TOKEN,
      SPECIFY_REPO_ROOT: this.project,
      SPEC_KITTY_TRACKER_PACING: 'off',
    });
  }

  cli(args: readonly string[], timeoutMs = 120_000): Promise<CliResult> {
    return runCli(ROOT, ['tracker', ...args], {cwd: this.project, env: this.env, timeoutMs});
  }

  async must(args: readonly string[]): Promise<CliResult> {
    const result = await this.cli(args);
    if (result.code !== 0) {
      throw new Error(`tracker ${args.join(' ')} exited ${result.code}: ${result.stderr || result.stdout}`);
    }
    return result;
  }

  async setUp(): Promise<void> {
    mkdirSync(this.project, {recursive: true});
    this.addWorkPackages(4);
    execFileSync('git', ['init', '-q', '-b', 'main'], {cwd: this.project, env: this.env});
    mkdirSync(path.join(this.project, '.kittify'), {recursive: true});
    this.fake.seedRealisticIssues(INITIAL_ISSUES, {start: '2026-01-05T09:00:00Z', prEvery: 7});
    await this.must([
      'bind',
      '--provider',
      'github',
      '--workspace',
      `${OWNER}/${REPO}`,
      '--server-url',
      this.fake.url,
      '--doctrine-mode',
      'spec_kitty_authoritative',
    ]);
    await this.must(['sync', 'pull']);
  }

  /** Adds `count` planned work packages to the mission (rewriting its files as spec-kitty would). */
  addWorkPackages(count: number): void {
    this.wpCount += count;
    writeSpecKittyProject(this.project, {
      missions: [
        {
          slug: MISSION,
          friendly_name: 'Crash trials',
          noise: false,
          work_packages: Array.from({length: this.wpCount}, (_, i) => ({
            id: `WP${String(i + 1).padStart(2, '0')}`,
            title: `Crash trial work package ${i + 1}`,
            lane: 'planned',
            form: 'modern' as const,
          })),
        },
      ],
    });
  }

  /** Another user changes a few issues on the tracker, so the next pull has work. */
  async remoteChanges(trial: number): Promise<void> {
    for (let i = 0; i < 3; i++) {
      const number = 1 + Math.floor(this.random() * INITIAL_ISSUES);
      const issue = this.fake.issue(number);
      if (!issue || issue.pull_request) continue;
      await patchAsAnotherUser(`${this.fake.url}/repos/${OWNER}/${REPO}/issues/${number}`, {
        title: `${String(issue.title).replace(/ \(changed \d+\)$/, '')} (changed ${trial})`,
      });
    }
  }

  /** A random issue number the cache holds (an issue, not a pull request). */
  cachedIssue(): number {
    for (;;) {
      const number = 1 + Math.floor(this.random() * INITIAL_ISSUES);
      if (!this.fake.issue(number)?.pull_request) return number;
    }
  }

  scopeDir(): string {
    const tracker = path.join(this.project, '.kittify', 'tracker');
    const scope = readdirSync(tracker).find((name) => statSync(path.join(tracker, name)).isDirectory());
    if (!scope) throw new Error('no scope folder under .kittify/tracker');
    return path.join(tracker, scope);
  }

  /** Every event line of every segment, parsed; a line that does not parse is a problem. */
  events(problems: string[]): Record<string, unknown>[] {
    const dir = path.join(this.scopeDir(), 'events');
    const out: Record<string, unknown>[] = [];
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl') && !n.startsWith('.'))) {
      const text = readFileSync(path.join(dir, name), 'utf8');
      if (text.length > 0 && !text.endsWith('\n')) problems.push(`${name}: the last line is torn`);
      text.split('\n').forEach((line, index) => {
        if (line === '') return;
        try {
          out.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          problems.push(`${name}:${index + 1}: does not parse`);
        }
      });
    }
    return out;
  }

  cleanup(): void {
    if (process.env.KEEP_CRASH_SANDBOX) return void console.log(`kept ${this.dir}`);
    rmSync(this.dir, {recursive: true, force: true});
  }
}

/** What a command that finished promised, checked after every later trial too. */
function acknowledge(
  sandbox: Sandbox,
  operation: TrialOperation,
  detail: {number: number; text: string},
): Expectation[] {
  if (operation === 'edit') {
    return [
      {
        describe: `label ${detail.text} on #${detail.number}`,
        holds: () => {
          const issue = showJson(sandbox, detail.number);
          const labels = (issue?.labels as string[] | undefined) ?? [];
          return labels.includes(detail.text)
            ? null
            : `acknowledged label ${detail.text} is missing on #${detail.number}`;
        },
      },
    ];
  }
  if (operation === 'comment') {
    return [
      {
        describe: `comment ${detail.text} on #${detail.number}`,
        holds: () =>
          commentCount(sandbox.events([]), detail.text) === 1
            ? null
            : `acknowledged comment ${detail.text} is recorded ${commentCount(sandbox.events([]), detail.text)} times`,
      },
    ];
  }
  return [];
}

function showJson(sandbox: Sandbox, number: number): Record<string, unknown> | null {
  try {
    const out = execFileSync(
      process.execPath,
      [path.join(ROOT, 'bin', 'run.js'), 'tracker', 'show', `#${number}`, '--json'],
      {
        cwd: sandbox.project,
        env: sandbox.env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const parsed = JSON.parse(out) as Record<string, unknown>;
    return (parsed.ticket as Record<string, unknown> | undefined) ?? null;
  } catch {
    return null;
  }
}

/** Distinct comment events (by event id) carrying `body`: more than one is a duplicate. */
function commentCount(events: readonly Record<string, unknown>[], body: string): number {
  const ids = new Set<string>();
  for (const event of events) {
    if (event.kind === 'comment_added' && event.body === body) ids.add(String(event.event_id));
  }
  return ids.size;
}

/**
 * A PATCH from the harness (another user of the tracker), with one
 * more try on a network error: a kept-alive socket the server closed meanwhile is the harness's
 * problem, not the product's.
 */
async function patchAsAnotherUser(url: string, body: Record<string, unknown>): Promise<void> {
  const send = () =>
    fetch(url, {
      method: 'PATCH',
      headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json'},
      body: JSON.stringify(body),
    });
  const response = await send().catch(() => send());
  await response.arrayBuffer();
}

/** The checks every trial ends with. */
async function checkInvariants(sandbox: Sandbox, expectations: readonly Expectation[]): Promise<string[]> {
  const problems: string[] = [];
  for (const args of [
    ['status', '--json'],
    ['list-tickets', '--json', '--limit', '5'],
  ]) {
    const result = await sandbox.cli(args);
    if (result.code !== 0)
      problems.push(`tracker ${args[0]} exited ${result.code}: ${firstLine(result.stderr)}`);
  }
  const events = sandbox.events(problems);
  problems.push(...duplicateEvents(events));
  problems.push(...checkpointAhead(sandbox, events));
  problems.push(...remoteDuplicates(sandbox));
  for (const expectation of expectations) {
    const problem = expectation.holds();
    if (problem !== null) problems.push(problem);
  }
  return problems;
}

/** The same event id with different content, or one local change recorded under two ids. */
function duplicateEvents(events: readonly Record<string, unknown>[]): string[] {
  const problems: string[] = [];
  const byId = new Map<string, string>();
  const comments = new Map<string, Set<string>>();
  for (const event of events) {
    const id = String(event.event_id);
    const text = JSON.stringify(event);
    const seen = byId.get(id);
    if (seen !== undefined && seen !== text) problems.push(`event ${id} appears with two different contents`);
    byId.set(id, text);
    const body = /crash-comment-\d+/.exec(text)?.[0];
    if (event.kind === 'comment_added' && body) {
      const ids = comments.get(body) ?? new Set<string>();
      ids.add(id);
      comments.set(body, ids);
    }
  }
  for (const [body, ids] of comments)
    if (ids.size > 1) problems.push(`comment ${body} recorded ${ids.size} times`);
  return problems;
}

function checkpointAhead(sandbox: Sandbox, events: readonly Record<string, unknown>[]): string[] {
  const dir = path.join(sandbox.scopeDir(), 'state', 'checkpoints');
  if (!existsSync(dir)) return [];
  let logHigh = '';
  for (const event of events) {
    if (event.kind !== 'issue_pulled') continue;
    const updated = String((event.issue as Record<string, unknown>).updated_at ?? '');
    if (Date.parse(updated) > Date.parse(logHigh || '1970-01-01T00:00:00Z')) logHigh = updated;
  }
  const problems: string[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const checkpoint = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as {high_water?: string | null};
    if (
      checkpoint.high_water &&
      Date.parse(checkpoint.high_water) > Date.parse(logHigh || '1970-01-01T00:00:00Z')
    ) {
      problems.push(
        `checkpoint ${name} is ahead of the log (${checkpoint.high_water} > ${logHigh || 'nothing'})`,
      );
    }
  }
  return problems;
}

/** On the tracker: one issue per work package title, each comment body once. */
function remoteDuplicates(sandbox: Sandbox): string[] {
  const problems: string[] = [];
  const titles = new Map<string, number>();
  for (let number = 1; number <= sandbox.fake.issueCount + 50; number++) {
    const issue = sandbox.fake.issue(number);
    if (!issue) continue;
    const title = String(issue.title);
    if (title.startsWith('Crash trial work package')) titles.set(title, (titles.get(title) ?? 0) + 1);
    const bodies = new Map<string, number>();
    for (const body of sandbox.fake.commentsOf(number)) {
      const key = /crash-comment-\d+/.exec(body)?.[0];
      if (key) bodies.set(key, (bodies.get(key) ?? 0) + 1);
    }
    for (const [key, count] of bodies)
      if (count > 1) problems.push(`#${number} has comment ${key} ${count} times`);
  }
  for (const [title, count] of titles)
    if (count > 1) problems.push(`the tracker has ${count} issues titled "${title}"`);
  return problems;
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '') ?? '';
}

/**
 * Where the kill lands: uniformly within the last uninterrupted duration of the same command
 * (so most kills fall inside the command's work, from process start to exit), starting from a
 * guess until one has finished.
 */
class KillWindow {
  private readonly lastMs = new Map<TrialOperation, number>();
  pick(operation: TrialOperation, random: () => number): number {
    return Math.floor(random() * (this.lastMs.get(operation) ?? 800) * 1.05);
  }
  finished(operation: TrialOperation, ms: number): void {
    this.lastMs.set(operation, ms);
  }
}

/** Pushes are where a kill can duplicate a remote write: they get twice the share of trials. */
const WEIGHTED: readonly TrialOperation[] = ['pull', 'push', 'push', 'edit', 'comment', 'compact'];

/** Runs `trials` crash trials and the final convergence check. */
export async function runCliCrashTrials(options: {
  trials: number;
  seed?: number;
  log?: (line: string) => void;
}): Promise<CrashTrialsReport> {
  const started = Date.now();
  const random = seededRandom(options.seed ?? 1);
  // Crash safety, not rate limits, is under test here: a full run makes well over GitHub's 500
  // writes an hour (the harness's own edits included), and pacing to that budget would make the
  // run take hours. The limits have their own tests.
  const fake = await FakeGitHubServer.start({owner: OWNER, repo: REPO, token: TOKEN, limits: 'off'});
  const sandbox = new Sandbox(fake, random);
  const outcomes: TrialOutcome[] = [];
  const expectations: Expectation[] = [];
  const commentsMade: string[] = [];
  const window = new KillWindow();
  try {
    await sandbox.setUp();
    for (let trial = 1; trial <= options.trials; trial++) {
      const operation = WEIGHTED[Math.floor(random() * WEIGHTED.length)]!;
      const number = sandbox.cachedIssue();
      let args: string[];
      let detail = {number, text: ''};
      if (operation === 'pull') {
        await sandbox.remoteChanges(trial);
        args = ['sync', 'pull'];
      } else if (operation === 'push') {
        // Pending work of every kind for the push to send.
        await sandbox.must(['edit', `#${number}`, '--add-label', `crash-label-${trial}`]);
        expectations.push(...acknowledge(sandbox, 'edit', {number, text: `crash-label-${trial}`}));
        for (let k = 0; k < 3; k++) {
          const body = `crash-comment-${trial * 10 + k}`;
          const commented = sandbox.cachedIssue();
          await sandbox.must(['comment', `#${commented}`, '--body', body]);
          expectations.push(...acknowledge(sandbox, 'comment', {number: commented, text: body}));
          commentsMade.push(body);
        }
        if (trial % 3 === 0) sandbox.addWorkPackages(2);
        args = ['sync', 'push', '--create-missing', '--yes'];
      } else if (operation === 'edit') {
        detail = {number, text: `crash-label-${trial}`};
        args = ['edit', `#${number}`, '--add-label', detail.text];
      } else if (operation === 'comment') {
        detail = {number, text: `crash-comment-${trial * 10}`};
        commentsMade.push(detail.text);
        args = ['comment', `#${number}`, '--body', detail.text];
      } else {
        args = ['compact'];
      }
      const killedAfterMs = window.pick(operation, random);
      const result = await sandbox.cli(args, killedAfterMs);
      const completed = !result.timedOut && result.code === 0;
      if (completed) window.finished(operation, result.ms);
      const problems: string[] = [];
      if (!result.timedOut && result.code !== 0) {
        problems.push(`tracker ${args.join(' ')} failed on its own: ${firstLine(result.stderr)}`);
      }
      if (completed) expectations.push(...acknowledge(sandbox, operation, detail));
      problems.push(...(await checkInvariants(sandbox, expectations)));
      outcomes.push({trial, operation, killedAfterMs, completed, problems});
      if (problems.length > 0)
        options.log?.(
          `trial ${trial} (${operation}, killed after ${killedAfterMs} ms): ${problems.join('; ')}`,
        );
      if (trial % 10 === 0) {
        const failed = outcomes.filter((o) => o.problems.length > 0).length;
        options.log?.(`${trial}/${options.trials} trials, ${failed} failed`);
      }
    }
    const finalProblems = await converge(sandbox, expectations, commentsMade);
    return {
      trials: outcomes,
      failures: outcomes.filter((o) => o.problems.length > 0).length,
      finalProblems,
      acknowledged: expectations.length,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await fake.close();
    sandbox.cleanup();
  }
}

/**
 * An uninterrupted push and pull after all the kills: every comment recorded locally reaches the
 * tracker exactly once, every work package has exactly one issue, and a second push sends nothing.
 */
async function converge(
  sandbox: Sandbox,
  expectations: readonly Expectation[],
  comments: readonly string[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const args of [
    ['sync', 'push', '--create-missing', '--yes'],
    ['sync', 'pull'],
  ]) {
    const result = await sandbox.cli(args);
    if (result.code !== 0)
      problems.push(`final tracker ${args.join(' ')} exited ${result.code}: ${firstLine(result.stderr)}`);
  }
  const events = sandbox.events(problems);
  problems.push(...(await checkInvariants(sandbox, expectations)));
  const remote = new Map<string, number>();
  for (let number = 1; number <= sandbox.fake.issueCount + 50; number++) {
    if (!sandbox.fake.issue(number)) continue;
    for (const body of sandbox.fake.commentsOf(number)) {
      const key = /crash-comment-\d+/.exec(body)?.[0];
      if (key) remote.set(key, (remote.get(key) ?? 0) + 1);
    }
  }
  for (const body of comments) {
    const local = commentCount(events, body);
    if (local === 1 && remote.get(body) !== 1) {
      problems.push(`comment ${body} is recorded locally but on the tracker ${remote.get(body) ?? 0} times`);
    }
  }
  const before = sandbox.fake.requests.length;
  await sandbox.cli(['sync', 'push', '--create-missing', '--yes']);
  const writes = sandbox.fake.requests.slice(before).filter((r) => r.method !== 'GET');
  if (writes.length !== 0)
    problems.push(
      `a second push after convergence still wrote ${writes.length} time(s): ${writes.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.body)}`).join('; ')}`,
    );
  return problems;
}

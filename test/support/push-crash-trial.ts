/**
 * Crash trials of `sync push`: the real CLI (`node bin/run.js`, the built bundle) as a child
 * process against the loopback fake GitHub, SIGKILLed at a random moment while it creates
 * issues for work packages, sends comments and pushes edits; then run again to the end. The
 * outcome must equal an uninterrupted run's: no record lost, nothing created or sent twice,
 * and every record sealed into committed segments.
 */
import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {FakeGitHubServer} from '../fakes/github/index.js';
import {writeSpecKittyProject} from '../fakes/spec-kitty-project.js';

const PACKAGE_ROOT = path.join(import.meta.dirname, '..', '..');
const WORK_PACKAGES = 8;
const PUSH = ['tracker', 'sync', 'push', '--create-missing', '--yes', '--json'];

export interface PushCrashOutcome {
  /** What a person (or the test) compares: remote issues by title, and the local cache's view. */
  readonly fingerprint: string;
  /** Titles created more than once and comments sent more than once. */
  readonly duplicates: string[];
  /** Open segments or temp files left after the final run, and records missing locally. */
  readonly leftovers: string[];
  /** How long the push that was (or would have been) killed ran, in ms. */
  readonly pushMs: number;
  readonly killed: boolean;
}

interface Child {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

function cli(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  killAfterMs?: number,
): Promise<Child> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [path.join(PACKAGE_ROOT, 'bin', 'run.js'), ...args], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const limit = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const kill = killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(limit);
      if (kill) clearTimeout(kill);
      resolve({code, stdout, stderr, ms: Date.now() - started});
    });
  });
}

async function must(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Child> {
  const result = await cli(args, cwd, env);
  if (result.code !== 0) throw new Error(`${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result;
}

/**
 * One trial in a fresh sandbox: bind, pull, edit two issues and comment on two, then push with
 * `--create-missing` (killed after `killAfterMs` when given), then push again to the end.
 */
export async function runPushCrashTrial(killAfterMs?: number): Promise<PushCrashOutcome> {
  const sandbox = mkdtempSync(path.join(os.tmpdir(), 'push-crash-'));
  const fake = await FakeGitHubServer.start();
  try {
    const root = path.join(sandbox, 'project');
    mkdirSync(path.join(root, '.kittify'), {recursive: true});
    writeSpecKittyProject(root, {
      start: '2026-03-01T09:00:00.000Z',
      missions: [
        {
          slug: '040-crash',
          friendly_name: 'Crash',
          work_packages: Array.from({length: WORK_PACKAGES}, (_, i) => ({
            id: `WP0${i + 1}`,
            title: `Crash step ${i + 1}`,
            lane: i % 2 === 0 ? 'in_progress' : 'planned',
            // Every third work package depends on the one before: relations to converge too.
            dependencies: i > 0 && i % 3 === 0 ? [`WP0${i}`] : [],
          })),
        },
      ],
    });
    for (let n = 1; n <= 4; n++)
      fake.seedIssue({number: n, title: `Seeded ${n}`, updated_at: `2026-01-0${n}T00:00:00Z`});
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: path.join(sandbox, 'home'),
      SPEC_KITTY_HOME: path.join(sandbox, 'spec-kitty-home'),
      GITHUB_TOKEN: fake.token,
      OCLIF_SKIP_NEW_VERSION_CHECK: 'true',
      NO_COLOR: '1',
    };
    const bind = [
      'tracker',
      'bind',
      '--provider',
      'github',
      '--workspace',
      fake.workspace,
      '--server-url',
      fake.url,
    ];
    await must([...bind, '--doctrine-mode', 'spec_kitty_authoritative'], root, env);
    await must(['tracker', 'sync', 'pull'], root, env);
    await must(['tracker', 'edit', '#1', '--title', 'Seeded 1, edited'], root, env);
    await must(['tracker', 'edit', '#2', '--status', 'in_progress'], root, env);
    await must(['tracker', 'comment', '#3', '--body', 'First comment'], root, env);
    await must(['tracker', 'comment', '#4', '--body', 'Second comment'], root, env);

    const first = await cli(PUSH, root, env, killAfterMs);
    const killed = first.code === null;
    if (!killed && first.code !== 0) throw new Error(`push exited ${first.code}: ${first.stderr}`);
    if (killed) await must(PUSH, root, env);
    return {...(await outcome(fake, root, env)), pushMs: first.ms, killed};
  } finally {
    await fake.close();
    rmSync(sandbox, {recursive: true, force: true});
  }
}

async function outcome(
  fake: FakeGitHubServer,
  root: string,
  env: NodeJS.ProcessEnv,
): Promise<Pick<PushCrashOutcome, 'fingerprint' | 'duplicates' | 'leftovers'>> {
  const duplicates: string[] = [];
  const remote: Record<string, unknown> = {};
  for (let n = 1; n <= fake.issueCount; n++) {
    const issue = fake.issue(n) as {title: string; state: string; labels: {name: string}[]};
    if (issue.title in remote) duplicates.push(`issue "${issue.title}" created twice`);
    const comments = fake.commentsOf(n);
    for (const body of new Set(comments)) {
      if (comments.filter((c) => c === body).length > 1)
        duplicates.push(`comment "${body}" sent twice on #${n}`);
    }
    // A comment's hidden idempotency footer names its event id, which differs from run to run.
    const texts = comments.map((c) => c.replace(/\n\n<!-- spec-kitty:idempotency=[^>]*-->$/, ''));
    const titleOf = (m: number) => (fake.issue(m) as {title: string}).title;
    remote[issue.title] = {
      state: issue.state,
      labels: issue.labels.map((l) => l.name).sort(),
      comments: texts,
      children: fake.subIssuesOf(n).map(titleOf).sort(),
      blocked_by: fake.blockedBy(n).map(titleOf).sort(),
    };
  }
  const status = JSON.parse((await must(['tracker', 'status', '--json'], root, env)).stdout) as Record<
    string,
    unknown
  >;
  const mappings = JSON.parse((await must(['tracker', 'map', 'list', '--json'], root, env)).stdout) as {
    mappings: {wp_id: string; title: string | null}[];
  };
  const local = {
    issues: status.issue_count,
    pending_edits: status.pending_edits,
    pending_comments: status.pending_comments,
    open_conflicts: status.open_conflicts,
    mappings: mappings.mappings.map((m) => `${m.wp_id} -> ${m.title}`).sort(),
  };
  const leftovers: string[] = [];
  const tracker = path.join(root, '.kittify', 'tracker');
  for (const scope of existsSync(tracker) ? readdirSync(tracker) : []) {
    const events = path.join(tracker, scope, 'events');
    if (!existsSync(events)) continue;
    for (const name of readdirSync(events)) {
      if (!/^[0-9A-HJKMNP-TV-Z]{26}\.jsonl$/.test(name)) leftovers.push(`${scope}/events/${name}`);
    }
  }
  // Every work package and the mission are mapped to their issues.
  if (local.mappings.length !== WORK_PACKAGES + 1)
    leftovers.push(`${local.mappings.length} of ${WORK_PACKAGES} work packages and the mission mapped`);
  return {fingerprint: JSON.stringify({remote, local}), duplicates, leftovers};
}

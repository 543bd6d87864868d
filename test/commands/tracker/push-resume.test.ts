import {spawn, type ChildProcess} from 'node:child_process';
import {readdirSync, statSync, utimesSync} from 'node:fs';
import {join} from 'node:path';
import {expect} from 'chai';

import {FakeGitHubServer} from '../../fakes/github/index.js';
import {writeSpecKittyProject} from '../../fakes/spec-kitty-project.js';
import {makeProject, packageRoot, parseJson, run, type TestProject} from './helpers.js';

/**
 * `sync push` killed (SIGKILL, as a crash or a closed laptop) at the moment the fake GitHub has
 * applied one of its writes, then run again: nothing reaches the tracker twice, and the final
 * state is the one an uninterrupted push leaves. The killed run is the built CLI in a child
 * process (`npm run build` first); the runs before and after it are in-process.
 */
describe('sync push interrupted and run again (fake GitHub, CLI killed)', function () {
  this.timeout(120_000);
  let project: TestProject;
  let fake: FakeGitHubServer;
  beforeEach(async () => {
    project = makeProject();
    fake = await FakeGitHubServer.start();
    fake.seedIssue({number: 1, title: 'First', updated_at: '2026-01-01T00:00:00Z'});
    fake.seedIssue({number: 2, title: 'Second', updated_at: '2026-01-02T00:00:00Z'});
    process.env.GITHUB_TOKEN = fake.token;
  });
  afterEach(async () => {
    await fake.close();
    project.cleanup();
  });

  /** Bound, pulled, with an edit, two comments and three work packages without an issue. */
  async function prepare(): Promise<void> {
    writeSpecKittyProject(project.root, {
      start: '2026-03-01T09:00:00.000Z',
      missions: [
        {
          slug: '030-resume',
          work_packages: [
            {id: 'WP01', title: 'Resume one', lane: 'planned'},
            {id: 'WP02', title: 'Resume two', lane: 'in_progress', dependencies: ['WP01']},
            {id: 'WP03', title: 'Resume three', lane: 'done', dependencies: ['WP01']},
          ],
        },
      ],
    });
    const steps = [
      [
        'tracker',
        'bind',
        '--provider',
        'github',
        '--workspace',
        fake.workspace,
        '--server-url',
        fake.url,
        '--doctrine-mode',
        'spec_kitty_authoritative',
      ],
      ['tracker', 'sync', 'pull'],
      ['tracker', 'edit', '#1', '--title', 'First, renamed'],
      ['tracker', 'comment', '#1', '--body', 'a comment on one'],
      ['tracker', 'comment', '#2', '--body', 'a comment on two'],
    ];
    for (const args of steps) {
      const result = await run(args);
      expect(result.error, `${args.join(' ')}: ${result.stderr}`).to.equal(undefined);
    }
  }

  /**
   * The tracker's issues, comments, parents and "blocked by" relations (by title), markers
   * removed, in an order that does not depend on timing.
   */
  function trackerState(): string[] {
    const out: string[] = [];
    const titleOf = (n: number) => (fake.issue(n) as {title: string}).title;
    for (let n = 1; n <= fake.issueCount; n++) {
      const issue = fake.issue(n) as {
        title: string;
        state: string;
        body: string | null;
        labels: {name: string}[];
      };
      const body = stripMarker(issue.body ?? '');
      const labels = issue.labels.map((l) => l.name).sort();
      const comments = fake.commentsOf(n).map(stripMarker);
      const parent =
        fake.subIssuesOf(n).length > 0
          ? `parent of ${fake.subIssuesOf(n).map(titleOf).sort().join(', ')}`
          : '';
      const blockedBy = fake.blockedBy(n).map(titleOf).sort();
      out.push(JSON.stringify([issue.title, issue.state, labels, body, comments, parent, blockedBy]));
    }
    return out.sort();
  }

  async function push(): Promise<{ok: boolean}> {
    const result = await run(['tracker', 'sync', 'push', '--create-missing', '--yes', '--json']);
    expect(result.error, result.stderr + result.stdout).to.equal(undefined);
    return parseJson<{ok: boolean}>(result.stdout);
  }

  it('an uninterrupted push, for reference, then a second one sends nothing', async () => {
    await prepare();
    expect((await push()).ok).to.equal(true);
    const writes = fake.requests.filter((r) => r.method !== 'GET').length;
    expect(fake.requestsTo('GET', '/search/issues')).to.have.length(0);
    // Two issues, three work packages' and their mission's, its children; WP02 and WP03 blocked by WP01.
    const state = trackerState();
    expect(state).to.have.length(6);
    expect(state.join('\n')).to.contain('parent of WP01 Resume one, WP02 Resume two, WP03 Resume three');
    expect(state.filter((line) => line.endsWith('["WP01 Resume one"]]'))).to.have.length(2);
    expect((await push()).ok).to.equal(true);
    expect(fake.requests.filter((r) => r.method !== 'GET').length).to.equal(writes);
  });

  it('killed right after the tracker applied a comment: the next push leaves one comment', async () => {
    await prepare();
    const killed = await pushKilledAt((r) => r.method === 'POST' && r.path.endsWith('/issues/1/comments'));
    expect(killed).to.equal('SIGKILL');
    expect(fake.commentsOf(1)).to.have.length(1);
    expect((await push()).ok).to.equal(true);
    expect(fake.commentsOf(1).map(stripMarker)).to.deep.equal(['a comment on one']);
    expect(fake.commentsOf(2).map(stripMarker)).to.deep.equal(['a comment on two']);
  });

  /** A new project and a new fake, as `beforeEach` makes them, prepared. */
  async function fresh(): Promise<void> {
    await fake.close();
    project.cleanup();
    project = makeProject();
    fake = await FakeGitHubServer.start();
    fake.seedIssue({number: 1, title: 'First', updated_at: '2026-01-01T00:00:00Z'});
    fake.seedIssue({number: 2, title: 'Second', updated_at: '2026-01-02T00:00:00Z'});
    process.env.GITHUB_TOKEN = fake.token;
    await prepare();
  }

  it('killed before or after each write in turn, or stopped by a rate limit: no duplicate, the same final state', async () => {
    await prepare();
    expect((await push()).ok).to.equal(true);
    const reference = trackerState();
    const writes = fake.requests.filter((r) => r.method !== 'GET').length;
    expect(writes).to.be.greaterThan(3);

    for (let k = 1; k <= writes; k++) {
      for (const when of ['after applying', 'before applying', 'rate limited'] as const) {
        const point = `write ${k}, ${when}`;
        await fresh();
        let seen = 0;
        const isK = (r: {method: string}) => r.method !== 'GET' && ++seen === k;
        if (when === 'rate limited') {
          // GitHub's secondary limit on content creation, asking for longer than a run waits.
          fake.script({on: isK, respond: FakeGitHubServer.secondaryRateLimited(3600)});
          const stopped = await run(['tracker', 'sync', 'push', '--create-missing', '--yes', '--json']);
          expect(stopped.stdout + stopped.stderr, point).to.match(/rate limit/i);
        } else {
          const killed = await pushKilledAt(isK, when === 'before applying');
          expect(killed, point).to.equal('SIGKILL');
        }
        expect((await push()).ok, point).to.equal(true);
        expect(trackerState(), point).to.deep.equal(reference);
        expect(fake.requestsTo('GET', '/search/issues'), point).to.have.length(0);
      }
    }
  });

  /**
   * Runs `sync push --create-missing` in a child process and kills it (SIGKILL) once the fake
   * has applied the first request matching `at` (or has received it, `beforeApplying`), before
   * the answer leaves. Returns the signal the child died of (null when it finished first).
   */
  async function pushKilledAt(
    at: (request: {method: string; path: string}) => boolean,
    beforeApplying = false,
  ): Promise<string | null> {
    const child = spawnCli(['tracker', 'sync', 'push', '--create-missing', '--yes']);
    const exited = new Promise<string | null>((resolve) =>
      child.on('close', (_code, signal) => resolve(signal)),
    );
    const kill = async () => {
      child.kill('SIGKILL');
      await exited;
    };
    // Before applying: the request reached the tracker, which never acted on it.
    if (beforeApplying)
      fake.script({
        on: at,
        respond: () => {
          void kill();
          return {status: 502, json: {message: 'Server Error'}};
        },
      });
    else fake.afterApplying({on: at, run: kill});
    const signal = await exited;
    agePerCloneLocks(project.root);
    return signal;
  }
});

function spawnCli(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [join(packageRoot, 'bin', 'run.js'), ...args], {
    cwd: process.env.SPECIFY_REPO_ROOT,
    env: {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true', NO_COLOR: '1'},
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

/**
 * A killed process leaves its lock folders behind; another process takes them over once they
 * are stale (10 s without refresh). Their times are moved back by a minute instead of waiting.
 */
function agePerCloneLocks(root: string): void {
  const past = new Date(Date.now() - 60_000);
  const walk = (dir: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of entries) {
      const full = join(dir, name);
      if (name.endsWith('.lock')) utimesSync(full, past, past);
      else if (statSync(full).isDirectory()) walk(full);
    }
  };
  walk(join(root, '.kittify'));
}

function stripMarker(text: string): string {
  return text.replace(/\s*<!-- spec-kitty:idempotency=[^\s>]+ -->\s*$/, '');
}

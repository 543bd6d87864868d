/**
 * `npm run demo`: the main job of the plugin, end to end, on this machine, with no tracker
 * account and no network. It builds the plugin if needed, makes a throwaway git repository with
 * a small spec-kitty mission, starts the loopback fake GitHub the tests use, and runs the real
 * CLI (`node bin/run.js`) as child processes: bind, pull, list offline, map work packages, move
 * a work package, push, commit. It ends with the reviewer's view of that commit.
 *
 * Every step either runs for real or says plainly that its piece is not available yet; a failed
 * step stops the demo with its name and a non-zero exit code.
 */
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';

import {createUlidFactory, systemClock} from '../src/core/index.js';
import {FakeGitHubServer} from '../test/fakes/github/index.js';
import {appendLaneTransition, writeSpecKittyProject} from '../test/fakes/spec-kitty-project.js';
import {builtCommands, runCli, sandboxEnv, type CliResult} from './demo/cli.js';
import {ensureBuild} from './demo/ensure-build.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OWNER = 'acme';
const REPO = 'widgets';
const WORKSPACE = `${OWNER}/${REPO}`;
/** Accepted by the fake server only; not a credential anywhere. */
const TOKEN = 'ghp_demoSandboxToken000000000000000000';
const MISSION = '001-checkout-flow';
const WORK_PACKAGES = [
  {id: 'WP01', title: 'Cart totals with taxes', lane: 'done'},
  {id: 'WP02', title: 'Payment form validation', lane: 'in_progress'},
  {id: 'WP03', title: 'Order confirmation e-mail', lane: 'planned'},
  {id: 'WP04', title: 'Checkout analytics events', lane: 'planned'},
];
const MOVED = {wp: 'WP02', to: 'for_review'};

class StepFailed extends Error {}

const bold = (s: string) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[2m${s}\x1b[0m` : s);

function banner(title: string): void {
  console.log(`\n${bold(`== ${title}`)}`);
}

function indent(text: string, max = 18): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  const shown = lines.slice(0, max).map((line) => `   ${line}`);
  if (lines.length > max) shown.push(dim(`   ... (${lines.length - max} more lines)`));
  return shown.join('\n');
}

interface CliOptions {
  /** Run without the token in the environment: reads must not need one. */
  readonly offline?: boolean;
  /** How many lines of output to show. */
  readonly show?: number;
  readonly allowFail?: boolean;
}

/** One run of the demo: its sandbox, the fake tracker, and the step being run (named on failure). */
class Demo {
  current = 'build the plugin';
  readonly project: string;
  readonly missing: string[] = [];
  readonly issueOf = new Map<string, number>();
  fake: FakeGitHubServer | null = null;
  commands = new Set<string>();
  private readonly env: NodeJS.ProcessEnv;
  private readonly offlineEnv: NodeJS.ProcessEnv;

  constructor(
    readonly sandbox: string,
    private readonly extraIssues: number,
  ) {
    this.project = path.join(sandbox, 'project');
    this.env = sandboxEnv(sandbox, {GITHUB_TOKEN: TOKEN});
    this.offlineEnv = sandboxEnv(sandbox); // no token at all: reads must not need one
  }

  get server(): FakeGitHubServer {
    if (this.fake === null) throw new StepFailed('the fake GitHub is not running');
    return this.fake;
  }

  has(id: string): boolean {
    return this.commands.has(id);
  }

  async step<T>(name: string, body: () => Promise<T> | T): Promise<T> {
    this.current = name;
    banner(name);
    return body();
  }

  unavailable(name: string, reason: string): void {
    banner(name);
    console.log(`   NOT YET AVAILABLE: ${reason}`);
    this.missing.push(`${name}: ${reason}`);
  }

  git(args: string[]): string {
    return execFileSync('git', args, {cwd: this.project, env: this.env, encoding: 'utf8'});
  }

  async cli(args: string[], options: CliOptions = {}): Promise<CliResult> {
    console.log(
      `   $ spec-kitty ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}${options.offline ? dim('   # no token in the environment') : ''}`,
    );
    const result = await runCli(ROOT, args, {
      cwd: this.project,
      env: options.offline ? this.offlineEnv : this.env,
    });
    const output = `${result.stdout}${result.stderr ? `\n${result.stderr}` : ''}`.trim();
    if (output) console.log(indent(output, options.show ?? 18));
    if (result.code !== 0 && !options.allowFail)
      throw new StepFailed(`spec-kitty ${args.join(' ')} exited with ${result.code}`);
    return result;
  }

  /** Every step in order; the first that fails stops the demo. */
  async run(): Promise<void> {
    await this.step('Build the plugin (only when dist/ is missing or older than src/)', async () => {
      await ensureBuild(ROOT, (line) => console.log(`   ${line}`));
      console.log('   dist/ is up to date');
    });
    this.commands = builtCommands(ROOT);
    await this.step('Create a throwaway git repository with a small spec-kitty mission', () =>
      this.createRepository(),
    );
    await this.step('Start the fake GitHub (loopback, seeded with realistic issues)', () => this.startFake());
    if (!this.has('tracker:bind')) throw new StepFailed('the bind command is not in this build');
    // The repository owns the status field (work-package lanes drive it); the tracker owns the rest.
    await this.step('Bind the project to the tracker (the repository owns the status field)', () =>
      this.bind(),
    );
    await this.step('Pull the issues into the repository cache', () => this.cli(['tracker', 'sync', 'pull']));
    await this.step('List tickets offline (no token, no request to the server)', () => this.listOffline());
    await this.step('Map the work packages to their issues', () => this.mapWorkPackages());
    await this.step(`Move ${MOVED.wp} to ${MOVED.to} (a lane event, as spec-kitty appends it)`, () =>
      this.moveWorkPackage(),
    );
    await this.pushAndCheck();
    await this.commitAndReview();
    this.printDone();
  }

  private createRepository(): void {
    const {project} = this;
    writeSpecKittyProject(project, {
      missions: [
        {
          slug: MISSION,
          friendly_name: 'Checkout flow',
          noise: false,
          work_packages: WORK_PACKAGES.map((wp, i) => ({
            ...wp,
            form: 'modern' as const,
            dependencies: i === 0 ? [] : ['WP01'],
          })),
        },
      ],
    });
    execFileSync('git', ['init', '-q', '-b', 'main', project], {env: this.env});
    mkdirSync(path.join(project, '.kittify'), {recursive: true});
    this.git(['add', '-A']);
    this.git(['commit', '-q', '-m', 'Mission 001: checkout flow']);
    console.log(`   ${project}`);
    console.log(indent(this.git(['ls-files'])));
  }

  private async startFake(): Promise<void> {
    const fake = await FakeGitHubServer.start({owner: OWNER, repo: REPO, token: TOKEN});
    this.fake = fake;
    for (const wp of WORK_PACKAGES) {
      const number = fake.seedIssue({
        title: wp.title,
        body: `Part of the checkout flow mission (${MISSION}/${wp.id}).`,
        labels: ['enhancement'],
        state: wp.lane === 'done' ? 'closed' : 'open',
        assignees: ['octocat'],
      });
      this.issueOf.set(wp.id, number);
    }
    fake.seedRealisticIssues(this.extraIssues, {start: '2026-01-05T09:00:00Z'});
    console.log(`   ${fake.url} serves ${fake.issueCount} issues and pull requests of ${WORKSPACE}`);
  }

  private bind(): Promise<CliResult> {
    return this.cli([
      'tracker',
      'bind',
      '--provider',
      'github',
      '--workspace',
      WORKSPACE,
      '--server-url',
      this.server.url,
      '--doctrine-mode',
      'split_ownership',
      '--field-owner',
      'status=local',
    ]);
  }

  private async listOffline(): Promise<void> {
    const before = this.server.requests.length;
    await this.cli(['tracker', 'list-tickets', '--limit', '8'], {offline: true});
    if (this.has('tracker:status')) await this.cli(['tracker', 'status'], {offline: true, show: 14});
    const made = this.server.requests.length - before;
    console.log(`   requests to the tracker during these reads: ${made}`);
    if (made !== 0) throw new StepFailed(`offline reads made ${made} requests`);
  }

  private async mapWorkPackages(): Promise<void> {
    // One command maps them all (and records one segment); `map add` per work package otherwise.
    if (this.has('tracker:map:suggest')) {
      await this.cli(['tracker', 'map', 'suggest', '--apply'], {show: 8});
      await this.cli(['tracker', 'map', 'list']);
      return;
    }
    for (const wp of WORK_PACKAGES) {
      const externalId = String(this.issueOf.get(wp.id));
      await this.cli(
        ['tracker', 'map', 'add', '--wp-id', `${MISSION}/${wp.id}`, '--external-id', externalId],
        {
          show: 3,
        },
      );
    }
    await this.cli(['tracker', 'map', 'list']);
  }

  private moveWorkPackage(): void {
    const line = appendLaneTransition(this.project, MISSION, MOVED.wp, MOVED.to, {
      at: new Date(),
      eventId: createUlidFactory(systemClock)(),
      actor: 'demo',
    });
    console.log(`   appended to kitty-specs/${MISSION}/status.events.jsonl:`);
    console.log(indent(line.length > 200 ? `${line.slice(0, 200)}...` : line));
  }

  /** Pushes, then checks on the fake that the moved work package's issue changed. */
  private async pushAndCheck(): Promise<void> {
    const movedIssue = this.issueOf.get(MOVED.wp)!;
    const beforePush = JSON.stringify(this.server.issue(movedIssue));
    await this.step('Push to the tracker', () => this.cli(['tracker', 'sync', 'push']));
    const after = this.server.issue(movedIssue) as {state?: string; labels?: {name: string}[]} | undefined;
    if (JSON.stringify(after) !== beforePush) {
      console.log(
        `   issue #${movedIssue} on the tracker now: state ${after?.state}, labels ${(after?.labels ?? []).map((l) => l.name).join(', ') || '-'}`,
      );
    } else if (!this.has('tracker:map:suggest')) {
      this.unavailable(
        `${MOVED.wp} -> issue #${movedIssue}`,
        `pushing work-package lanes to their issues is not in this build`,
      );
    } else {
      this.current = `${MOVED.wp} -> issue #${movedIssue}`;
      throw new StepFailed(
        `sync push made no change to issue #${movedIssue} after ${MOVED.wp} moved to ${MOVED.to}`,
      );
    }
  }

  private async commitAndReview(): Promise<void> {
    const diffStat = await this.step('Commit, and review the change as a pull request would show it', () => {
      this.git(['add', '-A']);
      this.git(['commit', '-q', '-m', `Tracker: bind ${WORKSPACE}, pull, map ${MISSION}, move ${MOVED.wp}`]);
      return this.git(['show', '--stat', '--format=commit %h  %s', 'HEAD']);
    });
    console.log(`   $ git show --stat HEAD`);
    console.log(indent(diffStat, 40));
    printExcerpt(this.project, (args) => this.git(args));
    if (this.has('tracker:review')) {
      await this.step('What the commit did to the tracker, as a reviewer reads it', () =>
        this.cli(['tracker', 'review', '--base', 'HEAD~1'], {offline: true, show: 30}),
      );
    }
  }

  private printDone(): void {
    banner('Done');
    console.log(
      `   Status after the commit: ${this.git(['status', '--porcelain']).trim() === '' ? 'clean working tree' : 'uncommitted changes left'}`,
    );
    console.log(
      '\n   This ran against a local sandbox. To point it at your real GitHub repository, bind without\n' +
        '   --server-url and export a real token:\n\n' +
        `     GITHUB_TOKEN=<your token> spec-kitty tracker bind --provider github --workspace <owner>/<repo> --doctrine-mode split_ownership --field-owner status=local\n`,
    );
    if (this.missing.length > 0) {
      console.log('   Not yet available in this build (shown above, not faked):');
      for (const line of this.missing) console.log(`   - ${line}`);
    }
  }
}

async function main(): Promise<number> {
  const {values} = parseArgs({
    options: {keep: {type: 'boolean', default: false}, issues: {type: 'string', default: '40'}},
  });
  console.log(bold('spec-kitty tracker demo'));
  console.log(
    'This runs entirely on this machine against a LOCAL SANDBOX: a fake GitHub API on 127.0.0.1 (the\n' +
      'same fake the tests use) and a throwaway git repository. Nothing leaves the machine.',
  );
  const demo = new Demo(mkdtempSync(path.join(os.tmpdir(), 'spec-kitty-demo-')), Number(values.issues));
  try {
    await demo.run();
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`\ndemo FAILED at step "${demo.current}": ${message.split('\n').slice(0, 6).join('\n')}`);
    return 1;
  } finally {
    if (demo.fake) await demo.fake.close();
    if (values.keep) console.log(dim(`\n(sandbox kept: ${demo.sandbox})`));
    else rmSync(demo.sandbox, {recursive: true, force: true});
  }
}

/** The new `.kittify/` files of the commit, a few lines of each: what a reviewer reads. */
function printExcerpt(project: string, git: (args: string[]) => string): void {
  const files = git(['show', '--name-only', '--format=', 'HEAD'])
    .split('\n')
    .filter((f) => f.startsWith('.kittify/'));
  console.log(`\n   Excerpt of the .kittify/ files in the commit (${files.length} files):`);
  const segments = files.filter((f) => f.endsWith('.jsonl'));
  const others = files.filter((f) => !f.endsWith('.jsonl'));
  for (const file of others) {
    console.log(`\n   --- ${file}`);
    console.log(indent(readFileSync(path.join(project, file), 'utf8'), 12));
  }
  // The first segment (issues pulled) and the last ones (mappings, edits): one line each, cut short.
  const picks = segments.length <= 3 ? segments : [segments[0], ...segments.slice(-2)];
  for (const file of picks) {
    const lines = readFileSync(path.join(project, file), 'utf8').split('\n').filter(Boolean);
    console.log(
      `\n   --- ${file} (${lines.length} event${lines.length === 1 ? '' : 's'}, one JSON line each)`,
    );
    for (const line of lines.slice(0, 2))
      console.log(`   ${line.length > 160 ? `${line.slice(0, 160)}...` : line}`);
  }
  if (segments.length > picks.length)
    console.log(dim(`\n   (${segments.length - picks.length} more segment files)`));
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`demo FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);

import {expect} from 'chai';
import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import {join} from 'node:path';

import {FakeGitHubServer} from '../../fakes/github/index.js';
import {reportError} from '../../../src/host/cli/error-report.js';
import {
  BOUND_GITHUB,
  exitCode,
  installTracker,
  issue,
  makeProject,
  run,
  seedCache,
  type TestProject,
} from './helpers.js';

/** Every folder and file under `dir` (sha256 of each file): proves a command wrote, moved or removed nothing. */
function treeHashes(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, {recursive: true, encoding: 'utf8'}).sort()) {
    const p = join(dir, name);
    const stat = lstatSync(p);
    out[name] = stat.isDirectory()
      ? 'dir'
      : stat.isSymbolicLink()
        ? 'link'
        : createHash('sha256').update(readFileSync(p)).digest('hex');
  }
  return out;
}

function kittify(project: TestProject): string {
  return join(project.root, '.kittify');
}

function scopeEventsDir(root: string): string {
  const tracker = join(root, '.kittify', 'tracker');
  const scope = readdirSync(tracker).find((f) => statSync(join(tracker, f)).isDirectory())!;
  return join(tracker, scope, 'events');
}

function segmentFiles(root: string): string[] {
  return readdirSync(scopeEventsDir(root)).filter((f) => f.endsWith('.jsonl'));
}

function logText(root: string): string {
  const dir = scopeEventsDir(root);
  return segmentFiles(root)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('');
}

/** The JSON text of `value` as the CLI prints it: keys sorted recursively, two-space indent. */
function stable(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

async function seedThree(root: string): Promise<void> {
  await seedCache(
    root,
    [1, 2, 3].map((n) => issue(n, {labels: ['bug']})),
  );
}

async function ticketIds(): Promise<string[]> {
  const list = await run(['tracker', 'list-tickets', '--json']);
  expect(list.error, list.stderr).to.equal(undefined);
  return (JSON.parse(list.stdout) as {tickets: {identifier: string}[]}).tickets.map((t) => t.identifier);
}

const NO_STACK = /\n\s+at /;

describe('tracker sync pull --full, push --yes, edit/comment --json, compact (more commands)', () => {
  let project: TestProject;
  afterEach(() => project.cleanup());

  describe('sync', () => {
    beforeEach(async () => {
      project = makeProject({config: BOUND_GITHUB});
      await seedThree(project.root);
      process.env.GITHUB_TOKEN = 'ghp_moreCommandsToken0123456789abcdefABCD';
    });

    it('sync pull --full marks an issue the tracker no longer has as deleted; an incremental pull does not', async () => {
      const tracker = installTracker([1, 2, 3]).connector;
      tracker.remoteDelete('2');

      const incremental = await run(['tracker', 'sync', 'pull', '--json']);
      expect(incremental.error, incremental.stderr).to.equal(undefined);
      const quiet = JSON.parse(incremental.stdout) as {
        ok: boolean;
        plan: {pull: {deleted: string[]}};
        summary: {pull_deletes: number};
      };
      expect(quiet.ok).to.equal(true);
      expect(quiet.plan.pull.deleted).to.deep.equal([]);
      expect(quiet.summary.pull_deletes).to.equal(0);
      expect(await ticketIds()).to.deep.equal(['#1', '#2', '#3']);
      expect(logText(project.root)).not.to.include('"issue_deleted"');

      const full = await run(['tracker', 'sync', 'pull', '--full', '--json']);
      expect(full.error, full.stderr).to.equal(undefined);
      expect(full.stdout).to.equal(stable(JSON.parse(full.stdout)));
      const report = JSON.parse(full.stdout) as {
        ok: boolean;
        mode: string;
        plan: {pull: {deleted: string[]; listed: number}};
        summary: {pull_deletes: number};
      };
      expect(report).to.include({ok: true, mode: 'pull'});
      expect(report.plan.pull.deleted).to.deep.equal(['github:acme/app:2']);
      expect(report.plan.pull.listed).to.equal(2);
      expect(report.summary.pull_deletes).to.equal(1);
      expect(await ticketIds()).to.deep.equal(['#1', '#3']);
      // Recorded as an event; what was pulled before is still in the log.
      const log = logText(project.root);
      expect(log.match(/"kind": "issue_deleted"/g)).to.have.length(1);
      expect(log).to.include('"title": "Issue 2"');

      const again = await run(['tracker', 'sync', 'pull', '--full', '--json']);
      expect(again.error, again.stderr).to.equal(undefined);
      expect((JSON.parse(again.stdout) as {summary: {pull_deletes: number}}).summary.pull_deletes).to.equal(
        0,
      );
      expect(logText(project.root).match(/"kind": "issue_deleted"/g)).to.have.length(1);

      // Text mode says so too, and `show` explains a deleted issue instead of "refresh the cache".
      tracker.remoteDelete('3');
      const textRun = await run(['tracker', 'sync', 'pull', '--full']);
      expect(textRun.error, textRun.stderr).to.equal(undefined);
      expect(textRun.stdout).to.include('- deleted: 1 (no longer on the tracker');
      const shown = await run(['tracker', 'show', '#2']);
      expect(exitCode(shown)).to.equal(1);
      expect(shown.stderr).to.match(
        /Issue #2 is no longer on the tracker: `sync pull --full` marked it deleted on \d{4}-/,
      );
      expect(shown.stderr).not.to.include('refresh the cache');
      const unknown = await run(['tracker', 'show', '#99']);
      expect(unknown.stderr).to.include('No issue #99 in the local cache.');
    });

    it('sync push refuses above the bulk-change threshold (exit 1, nothing sent or lost); --yes sends it', async () => {
      writeFileSync(project.configPath, `${BOUND_GITHUB}  bulk_threshold: 1\n`);
      const tracker = installTracker([1, 2, 3]).connector;
      for (const n of [1, 2]) {
        const e = await run(['tracker', 'edit', `#${n}`, '--title', `Renamed ${n}`]);
        expect(e.error, e.stderr).to.equal(undefined);
      }
      const before = treeHashes(kittify(project));

      for (const args of [[], ['--json']]) {
        const refused = await run(['tracker', 'sync', 'push', ...args]);
        expect(exitCode(refused)).to.equal(1);
        expect(refused.stdout).to.equal('');
        expect(refused.stderr).to.equal(
          'This sync would create 0 and update 2 remote issue(s), more than the limit (1 creates, 1 updates); nothing was sent to the tracker.\n' +
            'Review the plan by running the same command with --dry-run, then run it again with --yes to confirm (the limit is tracker.bulk_threshold in .kittify/config.yaml).\n',
        );
      }
      expect(tracker.writeRequests()).to.have.length(0);
      expect(treeHashes(kittify(project))).to.deep.equal(before);
      const pending = JSON.parse((await run(['tracker', 'status', '--json'])).stdout) as {
        pending_edits: number;
      };
      expect(pending.pending_edits).to.equal(2);

      const confirmed = await run(['tracker', 'sync', 'push', '--yes', '--json']);
      expect(confirmed.error, confirmed.stderr).to.equal(undefined);
      const report = JSON.parse(confirmed.stdout) as {ok: boolean; stats: {pushed_updated: number}};
      expect(report.ok).to.equal(true);
      expect(report.stats.pushed_updated).to.equal(2);
      expect(
        tracker
          .writeRequests()
          .map((w) => `${w.op} ${w.ref}`)
          .sort(),
      ).to.deep.equal(['updateIssue github:acme/app:1', 'updateIssue github:acme/app:2']);
      expect(tracker.remote('1')?.title).to.equal('Renamed 1');
      const after = JSON.parse((await run(['tracker', 'status', '--json'])).stdout) as {
        pending_edits: number;
      };
      expect(after.pending_edits).to.equal(0);
    });

    it('a wrong token against the fake GitHub: exit 1, names GitHub, the server and the fix, never the token, writes nothing', async () => {
      const fake = await FakeGitHubServer.start();
      try {
        fake.seedIssue({number: 1, title: 'First', updated_at: '2026-01-01T00:00:00Z'});
        const bound = await run([
          'tracker',
          'bind',
          '--provider',
          'github',
          '--workspace',
          fake.workspace,
          '--server-url',
          fake.url,
        ]);
        expect(bound.error, bound.stderr).to.equal(undefined);
        const wrong = 'ghp_WRONGtoken0123456789abcdefWRONGxyz';
        process.env.GITHUB_TOKEN = wrong;
        const before = treeHashes(kittify(project));

        const text = await run(['tracker', 'sync', 'pull']);
        const json = await run(['tracker', 'sync', 'pull', '--json']);
        for (const r of [text, json]) {
          expect(exitCode(r)).to.equal(1);
          const out = r.stdout + r.stderr;
          expect(out).to.include(`GitHub at ${fake.url}`);
          expect(out).to.match(/rejected the credentials \(HTTP 401/);
          expect(out).to.include('Check the token in GITHUB_TOKEN or the credentials file');
          for (const secret of [wrong, fake.token, 'WRONGtoken', 'FAKEtoken'])
            expect(out).not.to.include(secret);
          expect(out).not.to.match(NO_STACK);
          expect(r.stderr).to.match(/rejected the credentials \(HTTP 401/);
        }
        expect(text.stdout).to.match(/^Pull failed \(github\)\n[\s\S]*- failures: 1\n/);
        expect(text.stdout).not.to.include('Pulled from');
        expect(text.stderr).to.match(/^Failed listing issues: GitHub at /);
        expect(text.stderr).not.to.match(/list\[listing\]|get\[github:/);
        const report = JSON.parse(json.stdout) as {
          ok: boolean;
          failures: {failure_class: string; status_code: number; operation: string}[];
        };
        expect(report.ok).to.equal(false);
        expect(report.failures).to.deep.equal([
          {...report.failures[0], failure_class: 'authentication', status_code: 401, operation: 'list'},
        ]);
        expect(fake.requests.length).to.be.greaterThan(0);
        expect(fake.requests.every((r) => r.method === 'GET')).to.equal(true);
        expect(treeHashes(kittify(project))).to.deep.equal(before);
      } finally {
        await fake.close();
      }
    });
  });

  describe('edit and comment', () => {
    beforeEach(async () => {
      project = makeProject({config: BOUND_GITHUB});
      await seedThree(project.root);
    });

    it('edit --json prints stable JSON: what changed and what is pending', async () => {
      const r = await run([
        'tracker',
        'edit',
        '#1',
        '--title',
        'New title',
        '--add-label',
        'urgent',
        '--json',
      ]);
      expect(r.error, r.stderr).to.equal(undefined);
      expect(r.stdout).to.equal(stable(JSON.parse(r.stdout)));
      expect(JSON.parse(r.stdout)).to.deep.equal({
        changed: true,
        fields: ['labels', 'title'],
        identity: 'github:acme/app:1',
        key: '#1',
        pending_fields: ['labels', 'title'],
        warnings: [],
      });
      const second = await run(['tracker', 'edit', '#1', '--status', 'in_review', '--json']);
      expect(JSON.parse(second.stdout)).to.deep.include({
        changed: true,
        fields: ['status'],
        pending_fields: ['labels', 'status', 'title'],
      });
      const same = await run(['tracker', 'edit', '#1', '--status', 'in_review', '--json']);
      expect(same.error, same.stderr).to.equal(undefined);
      expect(JSON.parse(same.stdout)).to.deep.include({changed: false, fields: []});
    });

    it('comment --json prints stable JSON: the comment id, when, the issue, and why a push would keep it back', async () => {
      const r = await run(['tracker', 'comment', '#2', '--body', 'Fixed in abc123', '--json']);
      expect(r.error, r.stderr).to.equal(undefined);
      expect(r.stdout).to.equal(stable(JSON.parse(r.stdout)));
      const out = JSON.parse(r.stdout) as Record<string, string>;
      expect(Object.keys(out)).to.deep.equal(['at', 'comment_id', 'identity', 'key', 'warnings']);
      expect(out).to.deep.include({identity: 'github:acme/app:2', key: '#2', warnings: []});
      expect(out.comment_id).to.match(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(Number.isNaN(Date.parse(out.at))).to.equal(false);
      const shown = JSON.parse((await run(['tracker', 'show', '#2', '--json'])).stdout) as {
        pending_comments: {comment_id: string; at: string; body: string}[];
      };
      expect(shown.pending_comments).to.deep.equal([
        {comment_id: out.comment_id, at: out.at, body: 'Fixed in abc123'},
      ]);

      // Under external_authoritative the tracker owns everything: recorded, with a warning.
      writeFileSync(project.configPath, BOUND_GITHUB.replace('split_ownership', 'external_authoritative'));
      const kept = await run(['tracker', 'comment', '#2', '--body', 'Second thought', '--json']);
      expect(kept.error, kept.stderr).to.equal(undefined);
      const warned = JSON.parse(kept.stdout) as {warnings: string[]};
      expect(warned.warnings).to.have.length(1);
      expect(warned.warnings[0]).to.match(/external_authoritative: sync push will not send the comment/);
      // In text mode the warning goes to stderr, and the line does not promise a push.
      const text = await run(['tracker', 'comment', '#2', '--body', 'Third thought']);
      expect(text.error, text.stderr).to.equal(undefined);
      expect(text.stdout).to.equal('Comment recorded on #2\n');
      expect(text.stderr).to.match(/Warning: .*sync push will not send the comment/);
    });

    it('edit and comment on an unknown key: a clear error, exit 1, nothing written under .kittify/', async () => {
      const before = treeHashes(kittify(project));
      for (const args of [
        ['edit', '#99', '--title', 'x'],
        ['edit', '#99', '--status', 'done', '--json'],
        ['comment', '#99', '--body', 'hello'],
        ['comment', '#99', '--body', 'hello', '--json'],
      ]) {
        const r = await run(['tracker', ...args]);
        expect(exitCode(r), args.join(' ')).to.equal(1);
        expect(r.stdout).to.equal('');
        expect(r.stderr).to.equal(
          'No issue #99 in the local cache.\n' +
            'Check the key with `spec-kitty tracker list-tickets`, or refresh the cache with `spec-kitty tracker sync pull`.\n',
        );
      }
      expect(treeHashes(kittify(project))).to.deep.equal(before);
    });
  });

  describe('compact in a git repository', () => {
    const git = (...args: string[]) =>
      execFileSync(
        'git',
        ['-c', 'user.name=T', '-c', 'user.email=t@example.test', '-c', 'commit.gpgsign=false', ...args],
        {cwd: project.root, encoding: 'utf8', env: {...process.env, GIT_CONFIG_GLOBAL: '/dev/null'}},
      );
    let committed: string[];
    beforeEach(async () => {
      project = makeProject({config: BOUND_GITHUB});
      git('init', '-q', '-b', 'main');
      await seedCache(project.root, [issue(1), issue(2)]);
      git('add', '-A');
      git('commit', '-q', '-m', 'pulled');
      committed = segmentFiles(project.root);
      await seedCache(project.root, [issue(1, {title: 'Renamed', updated_at: '2026-01-05T00:00:00.000Z'})]);
      await seedCache(project.root, [issue(2, {title: 'Recent', updated_at: '2026-01-06T00:00:00.000Z'})]);
    });

    it('squashes the uncommitted segments into one, keeps the committed one, and reports it as JSON', async () => {
      expect(segmentFiles(project.root)).to.have.length(3);
      const before = logText(project.root);
      const r = await run(['tracker', 'compact', '--json']);
      expect(r.error, r.stderr).to.equal(undefined);
      expect(r.stdout).to.equal(stable(JSON.parse(r.stdout)));
      const report = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(report).to.deep.include({
        segments_before: 3,
        squashed: 2,
        kept_committed: 1,
        events: 2,
        scope_dir: join(scopeEventsDir(project.root), '..'),
      });
      expect(report.segment).to.match(
        /^\.kittify\/tracker\/github-acme-app-[0-9a-f]{8}\/events\/[0-9A-Z]{26}\.jsonl$/,
      );
      const after = segmentFiles(project.root);
      expect(after).to.have.length(2);
      expect(after).to.include.members(committed);
      expect(git('status', '--porcelain', '--', '.kittify/tracker')).not.to.match(/^ ?D/m);
      expect(logText(project.root).split('\n').sort()).to.deep.equal(before.split('\n').sort());
      const tickets = JSON.parse((await run(['tracker', 'list-tickets', '--json'])).stdout) as {
        tickets: {identifier: string; title: string}[];
      };
      expect(tickets.tickets.map((t) => `${t.identifier} ${t.title}`)).to.deep.equal([
        '#1 Renamed',
        '#2 Recent',
      ]);
      const again = await run(['tracker', 'compact', '--json']);
      expect(JSON.parse(again.stdout)).to.deep.include({segments_before: 2, squashed: 0, segment: null});
    });

    it('prints what it did, then why there is nothing left to do', async () => {
      const r = await run(['tracker', 'compact']);
      expect(r.error, r.stderr).to.equal(undefined);
      expect(r.stdout).to.match(
        /^Squashed 2 uncommitted segment\(s\) into one \(2 event\(s\)\)\n- segment: \.kittify\/tracker\/github-acme-app-[0-9a-f]{8}\/events\/[0-9A-Z]{26}\.jsonl\n- 1 committed segment\(s\) kept as they are\n$/,
      );
      expect(r.stderr).to.equal('');
      const again = await run(['tracker', 'compact']);
      expect(again.error, again.stderr).to.equal(undefined);
      expect(again.stdout).to.equal(
        'Nothing to compact: at most one segment is uncommitted\n- 1 committed segment(s) kept as they are\n',
      );
    });
  });

  describe('compact and doctor edge cases', () => {
    beforeEach(() => {
      project = makeProject({config: BOUND_GITHUB});
    });

    it('compact on an empty scope says so and creates no folder', async () => {
      const before = treeHashes(project.root);
      const text = await run(['tracker', 'compact']);
      expect(text.error, text.stderr).to.equal(undefined);
      expect(text.stdout).to.equal('Nothing to compact\n');
      const json = await run(['tracker', 'compact', '--json']);
      expect(json.error, json.stderr).to.equal(undefined);
      expect(JSON.parse(json.stdout)).to.deep.include({
        segments_before: 0,
        squashed: 0,
        events: 0,
        segment: null,
      });
      expect(existsSync(join(kittify(project), 'tracker'))).to.equal(false);
      expect(treeHashes(project.root)).to.deep.equal(before);
    });

    it('doctor names a segment that is a symbolic link (text and JSON), and keeps it', async () => {
      await seedThree(project.root);
      const events = scopeEventsDir(project.root);
      const [name] = segmentFiles(project.root);
      const outside = join(project.root, '..', 'moved.jsonl');
      renameSync(join(events, name), outside);
      symlinkSync(outside, join(events, name));
      const rel = `.kittify/tracker/${events.split('/').at(-2)}/events/${name}`;

      const text = await run(['tracker', 'doctor']);
      expect(exitCode(text)).to.equal(1);
      expect(text.stdout).to.include(`- [error] ${rel} is a symbolic link; readers refuse it`);
      const json = await run(['tracker', 'doctor', '--json', '--fix']);
      expect(exitCode(json)).to.equal(1);
      const findings = (
        JSON.parse(json.stdout) as {findings: {code: string; path: string; message: string}[]}
      ).findings;
      expect(findings.filter((f) => f.code === 'symlink').map((f) => f.path)).to.deep.equal([rel]);
      expect(lstatSync(join(events, name)).isSymbolicLink()).to.equal(true);
      expect(existsSync(outside)).to.equal(true);
    });
  });

  describe('a file where a folder belongs, or the reverse', () => {
    beforeEach(() => {
      project = makeProject({config: BOUND_GITHUB});
      process.env.GITHUB_TOKEN = 'ghp_moreCommandsToken0123456789abcdefABCD';
    });

    it('.kittify/config.yaml is a folder: every command names it and says what to do (exit 1)', async () => {
      rmSync(project.configPath);
      mkdirSync(project.configPath);
      writeFileSync(join(project.configPath, 'keep.txt'), 'mine\n');
      const tracker = installTracker([1, 2, 3]).connector;
      const before = treeHashes(project.root);
      for (const args of [
        ['status'],
        ['list-tickets', '--json'],
        ['edit', '#1', '--title', 'x'],
        ['sync', 'pull'],
        ['compact'],
        ['doctor', '--json'],
        ['bind', '--provider', 'github', '--workspace', 'acme/app'],
        ['unbind'],
      ]) {
        const r = await run(['tracker', ...args]);
        expect(exitCode(r), args.join(' ')).to.equal(1);
        expect(r.stdout, args.join(' ')).to.equal('');
        expect(r.stderr, args.join(' ')).to.equal(
          `${project.configPath} is a folder, but a file is expected there.\n` +
            `Move that folder aside (e.g. \`mv ${project.configPath} ${project.configPath}.bak\`), restore the file from git if it is committed, then run the command again.\n`,
        );
      }
      expect(tracker.requests).to.have.length(0);
      expect(treeHashes(project.root)).to.deep.equal(before);
    });

    it('.kittify/tracker is a file: every command names it and says what to do (exit 1)', async () => {
      const file = join(kittify(project), 'tracker');
      writeFileSync(file, 'precious\n');
      const tracker = installTracker([1, 2, 3]).connector;
      const before = treeHashes(project.root);
      for (const args of [
        ['status'],
        ['list-tickets'],
        ['show', '#1', '--json'],
        ['edit', '#1', '--title', 'x'],
        ['comment', '#1', '--body', 'x'],
        ['sync', 'pull'],
        ['compact'],
        ['doctor'],
      ]) {
        const r = await run(['tracker', ...args]);
        expect(exitCode(r), args.join(' ')).to.equal(1);
        expect(r.stdout, args.join(' ')).to.equal('');
        const [what, hint, ...rest] = r.stderr.split('\n');
        expect(what, args.join(' ')).to.match(
          new RegExp(
            `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is a file, but a folder is expected there`,
          ),
        );
        expect(hint).to.equal(
          `Move that file aside (e.g. \`mv ${file} ${file}.bak\`), restore the folder from git if it is committed, then run the command again.`,
        );
        expect(rest).to.deep.equal(['']);
      }
      expect(readFileSync(file, 'utf8')).to.equal('precious\n');
      expect(tracker.requests).to.have.length(0);
      expect(treeHashes(project.root)).to.deep.equal(before);
    });

    it('no permission on a path: says which and what to do, no stack trace (the error report)', () => {
      const denied = Object.assign(
        new Error("EACCES: permission denied, open '/repo/.kittify/config.yaml'"),
        {
          code: 'EACCES',
          syscall: 'open',
          path: '/repo/.kittify/config.yaml',
        },
      );
      expect(reportError(denied, {debug: false})).to.deep.equal({
        exitCode: 1,
        lines: [
          'Permission denied on /repo/.kittify/config.yaml (open).',
          'Give your user read and write access to it (check `ls -ld /repo/.kittify/config.yaml`), then run the command again.',
        ],
      });
      // Without a path there is nothing to name: still the generic report.
      const bare = Object.assign(new Error('EISDIR: illegal operation on a directory, read'), {
        code: 'EISDIR',
        syscall: 'read',
      });
      expect(reportError(bare, {debug: false}).lines[0]).to.equal(
        'Unexpected error: EISDIR: illegal operation on a directory, read',
      );
    });
  });

  describe('bind --field-owner', () => {
    beforeEach(() => {
      project = makeProject({config: '# settings\n'});
    });

    for (const [value, message, hint] of [
      [
        'status=bogus',
        "Invalid --field-owner value 'status=bogus': unknown owner 'bogus'.",
        'Valid owners: local, external, shared (e.g. --field-owner status=local).',
      ],
      [
        'colour=local',
        "Invalid --field-owner value 'colour=local': unknown field 'colour'.",
        'Valid fields: title, body, status, issue_type, priority, assignees, labels, parent, links, custom_fields (e.g. --field-owner status=local).',
      ],
    ]) {
      it(`${value}: names the flag value at fault and lists the valid ones (exit 2, nothing written)`, async () => {
        const before = treeHashes(project.root);
        for (const json of [[], ['--json']]) {
          const r = await run([
            'tracker',
            'bind',
            '--provider',
            'github',
            '--workspace',
            'acme/app',
            '--doctrine-mode',
            'split_ownership',
            '--field-owner',
            'title=local',
            '--field-owner',
            value,
            ...json,
          ]);
          expect(exitCode(r)).to.equal(2);
          expect(r.stdout).to.equal('');
          expect(r.stderr).to.equal(`${message}\n${hint}\n`);
        }
        expect(treeHashes(project.root)).to.deep.equal(before);
      });
    }
  });
});

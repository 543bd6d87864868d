import {expect} from 'chai';
import {writeFileSync} from 'node:fs';

import {FakeGitHubServer} from '../../fakes/github/index.js';
import {BOUND_GITHUB, exitCode, installTracker, makeProject, run, type TestProject} from './helpers.js';
import {treeHashes, kittify, logText, stable, seedThree, ticketIds, NO_STACK} from './command-files.js';

describe('tracker sync: pull --full, push --yes, a wrong token', () => {
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
});

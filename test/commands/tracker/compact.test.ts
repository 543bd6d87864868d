import {expect} from 'chai';
import {execFileSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {join} from 'node:path';

import {BOUND_GITHUB, issue, makeProject, run, seedCache, type TestProject} from './helpers.js';
import {treeHashes, kittify, scopeEventsDir, segmentFiles, logText, stable} from './command-files.js';

describe('tracker compact', () => {
  let project: TestProject;
  afterEach(() => project.cleanup());

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

  describe('an empty scope', () => {
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
  });
});

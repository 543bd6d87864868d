import {expect} from 'chai';
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

import {reportError} from '../../../src/host/cli/error-report.js';
import {BOUND_GITHUB, exitCode, installTracker, makeProject, run, type TestProject} from './helpers.js';
import {treeHashes, kittify} from './command-files.js';

describe('tracker commands: a file where a folder belongs, or the reverse', () => {
  let project: TestProject;
  afterEach(() => project.cleanup());

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
});

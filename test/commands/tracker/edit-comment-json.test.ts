import {expect} from 'chai';
import {writeFileSync} from 'node:fs';

import {BOUND_GITHUB, exitCode, makeProject, run, type TestProject} from './helpers.js';
import {treeHashes, kittify, stable, seedThree} from './command-files.js';

describe('tracker edit and comment: --json and unknown keys', () => {
  let project: TestProject;
  afterEach(() => project.cleanup());

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
});

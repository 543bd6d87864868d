import {expect} from 'chai';

import {
  CapabilityNotSupportedError,
  ConnectorConfigError,
  ConnectorRequestError,
  IssuePayloadContractError,
  createIssue,
  findProvider,
  type CanonicalIssue,
  type ExternalRef,
  type RuntimeEvent,
} from '../../../../src/core/index.js';
import {BeadsConnector, statusToBeads} from '../../../../src/core/connectors/beads/index.js';
import {
  installFakeTool,
  localConnectorConfig,
  type FakeTool,
} from '../../../support/fake-executables/index.js';

interface BdState {
  issues: Array<Record<string, unknown>>;
  deps: Array<{issue_id: string; depends_on_id: string; type: string}>;
  comments: Array<{issue_id: string; text: string}>;
}

const draft = (overrides: Partial<Parameters<typeof createIssue>[0]> = {}): CanonicalIssue =>
  createIssue({
    ref: {system: 'beads', workspace: 'ws', id: 'draft-01'},
    title: 'ACME Holdings carve-out',
    body: 'confidential body',
    status: 'todo',
    issue_type: 'task',
    labels: ['secret-label'],
    assignees: ['alice@acme.example'],
    ...overrides,
  });

const seeded = (id: string, fields: Record<string, unknown> = {}) => ({
  id,
  title: `Issue ${id}`,
  description: '',
  status: 'open',
  priority: 2,
  issue_type: 'task',
  labels: [],
  created_at: '2026-01-01T00:00:00.000000000Z',
  updated_at: '2026-01-01T00:00:00.000000000Z',
  ...fields,
});

describe('BeadsConnector against a fake bd executable', () => {
  let bd: FakeTool;
  let connector: BeadsConnector;

  beforeEach(() => {
    bd = installFakeTool('bd');
    connector = new BeadsConnector(localConnectorConfig({command: bd.command}));
  });
  afterEach(() => bd.remove());

  describe('call counts the incumbent pins', () => {
    it('a push of one new todo issue makes exactly list, create, show', async () => {
      // What the engine does for one local-only issue: index the remote side, then create it.
      const page = await connector.listIssues({updated_since: null, cursor: null, limit: 200});
      expect(page.items).to.deep.equal([]);
      const created = await connector.createIssue(draft(), {idempotencyKey: 'create:beads:ws:draft-01'});

      const calls = bd.calls();
      expect(calls).to.have.length(3);
      expect(calls[0]).to.deep.equal([bd.command, '--json', 'list', '--all', '--limit', '0']);
      expect(calls[1].slice(0, 4)).to.deep.equal([bd.command, '--json', 'create', 'ACME Holdings carve-out']);
      expect(calls[2]).to.deep.equal([bd.command, '--json', 'show', created.ref.id]);
      expect(created.ref).to.include({system: 'beads', workspace: 'ws', id: 'bd-1', key: 'bd-1'});
      expect(created.title).to.equal('ACME Holdings carve-out');
      expect(created.body).to.equal('confidential body');
      expect(created.labels).to.deep.equal(['secret-label']);
      expect(created.assignees).to.deep.equal(['alice@acme.example']);
      expect(created.status).to.equal('todo');
    });

    it('a pull of an empty tracker makes exactly one list', async () => {
      const page = await connector.listIssues({updated_since: null, cursor: null, limit: 100});
      expect(page).to.deep.equal({items: [], next_cursor: null});
      expect(bd.argvs()).to.deep.equal([['--json', 'list', '--all', '--limit', '0']]);
    });
  });

  describe('listing', () => {
    it('passes updated_since as RFC 3339 to --updated-after and ignores cursor and limit', async () => {
      bd.patchState({
        issues: [
          seeded('bd-1', {updated_at: '2026-03-01T10:00:00Z'}),
          // Same day but before the instant: a date-only --updated-after would return it.
          seeded('bd-0', {updated_at: '2026-03-05T11:00:00Z'}),
          seeded('bd-2', {updated_at: '2026-03-05T23:59:00Z'}),
          seeded('bd-3', {updated_at: '2026-03-06T00:00:01Z'}),
        ],
      });
      const page = await connector.listIssues({
        updated_since: '2026-03-05T12:00:00.000Z',
        cursor: 'ignored',
        limit: 1,
      });
      expect(bd.argvs()).to.deep.equal([
        ['--json', 'list', '--all', '--limit', '0', '--updated-after', '2026-03-05T12:00:00Z'],
      ]);
      // bd does not page: every matching issue comes back, next_cursor is null.
      expect(page.items.map((issue) => issue.ref.id).sort()).to.deep.equal(['bd-2', 'bd-3']);
      expect(page.next_cursor).to.equal(null);
    });

    it('maps fields, statuses, types and dependencies as the reference says', async () => {
      bd.patchState({
        issues: [
          seeded('bd-1', {
            status: 'deferred',
            issue_type: 'feature',
            priority: 9,
            assignee: 'bob',
            labels: ['b', 'a'],
          }),
          seeded('bd-2', {
            status: 'pinned',
            issue_type: 'decision',
            external_ref: 'https://example.test/2',
            metadata: {team: 'x'},
          }),
          seeded('bd-3', {status: 'tombstone', issue_type: 'molecule', parent: 'bd-1'}),
          seeded('bd-4', {status: 'closed', description: 'text', priority: 0}),
        ],
        deps: [
          {issue_id: 'bd-1', depends_on_id: 'bd-2', type: 'blocks'},
          {issue_id: 'bd-1', depends_on_id: 'bd-3', type: 'related'},
          {issue_id: 'bd-3', depends_on_id: 'bd-1', type: 'parent-child'},
          {issue_id: 'bd-4', depends_on_id: 'bd-1', type: 'discovered-from'},
        ],
      });
      // bd lists by priority, then newest first: order them by id to read them.
      const [one, two, three, four] = (
        await connector.listIssues({updated_since: null, cursor: null, limit: 10})
      ).items.sort((a, b) => (a.ref.id < b.ref.id ? -1 : 1));
      expect(one).to.include({status: 'todo', issue_type: 'story', priority: 4, body: null});
      expect(one.assignees).to.deep.equal(['bob']);
      expect(one.labels).to.deep.equal(['a', 'b']);
      expect(one.links.map((l) => [l.type, l.target.id])).to.deep.equal([
        ['blocked_by', 'bd-2'],
        ['relates_to', 'bd-3'],
      ]);
      expect(two).to.include({status: 'in_progress', issue_type: 'chore'});
      expect(two.ref.url).to.equal('https://example.test/2');
      expect(two.custom_fields).to.deep.equal({metadata: {team: 'x'}});
      expect(three).to.include({status: 'canceled', issue_type: 'task'});
      // The parent-child dependency is the parent (bd computes `parent` from it), not a link too.
      expect(three.parent?.id).to.equal('bd-1');
      expect(three.links).to.deep.equal([]);
      expect(four).to.include({status: 'done', body: 'text', priority: 0});
      expect(four.links.map((l) => l.type)).to.deep.equal(['relates_to']);
      expect(four.updated_at).to.equal('2026-01-01T00:00:00.000Z');
    });

    it('accepts {"items": [...]} and empty output', async () => {
      bd.patchState({faults: {list: {stdout: JSON.stringify({items: [seeded('bd-7')]}), times: 1}}});
      expect(
        (await connector.listIssues({updated_since: null, cursor: null, limit: 10})).items[0].ref.id,
      ).to.equal('bd-7');
      bd.patchState({faults: {list: {stdout: '', times: 1}}});
      expect(
        (await connector.listIssues({updated_since: null, cursor: null, limit: 10})).items,
      ).to.deep.equal([]);
    });
  });

  describe('show', () => {
    for (const showFormat of ['array', 'object', 'details'] as const) {
      it(`reads the ${showFormat} form of bd show --json`, async () => {
        bd.patchState({
          showFormat,
          issues: [seeded('bd-1'), seeded('bd-2')],
          deps: [{issue_id: 'bd-1', depends_on_id: 'bd-2', type: 'blocks'}],
        });
        const issue = await connector.getIssue({
          system: 'beads',
          workspace: 'ws',
          id: 'bd-1',
          key: null,
          url: null,
        });
        expect(issue?.ref.id).to.equal('bd-1');
        expect(issue?.links.map((l) => [l.type, l.target.id])).to.deep.equal([['blocked_by', 'bd-2']]);
        expect(bd.argvs()).to.deep.equal([['--json', 'show', 'bd-1']]);
      });
    }

    it('returns null for an issue bd does not know', async () => {
      expect(
        await connector.getIssue({system: 'beads', workspace: 'ws', id: 'bd-404', key: null, url: null}),
      ).to.equal(null);
    });
  });

  describe('create', () => {
    it('sends type, priority, description, parent, labels, assignee and the idempotency marker', async () => {
      bd.patchState({issues: [seeded('bd-9')]});
      const issue = draft({
        issue_type: 'story',
        priority: 1,
        labels: ['x', 'y'],
        parent: {system: 'beads', workspace: 'ws', id: 'bd-9'},
      });
      const created = await connector.createIssue(issue, {idempotencyKey: 'k-1'});
      expect(bd.argvs()[0]).to.deep.equal([
        '--json',
        'create',
        'ACME Holdings carve-out',
        '--type',
        'feature',
        '--priority',
        '1',
        '--description',
        'confidential body',
        '--parent',
        'bd-9',
        '--label',
        'x',
        '--label',
        'y',
        '--assignee',
        'alice@acme.example',
        '--external-ref',
        'spec-kitty:k-1',
      ]);
      expect(created.parent?.id).to.equal('bd-9');
      // The marker is not a URL: it never shows as ref.url.
      expect(created.ref.url).to.equal(null);
      expect(await connector.findByIdempotencyKey('k-1')).to.deep.include({title: 'ACME Holdings carve-out'});
      expect(await connector.findByIdempotencyKey('k-2')).to.equal(null);
    });

    it('defaults the priority to 2 and keeps a title starting with a dash literal', async () => {
      const created = await connector.createIssue(
        draft({title: '--help me', priority: null, body: null, labels: [], assignees: []}),
        {idempotencyKey: 'k'},
      );
      expect(bd.argvs()[0]).to.deep.equal([
        '--json',
        'create',
        '--title=--help me',
        '--type',
        'task',
        '--priority',
        '2',
        '--external-ref',
        'spec-kitty:k',
      ]);
      expect(created.title).to.equal('--help me');
    });

    it('moves a non-todo issue to its status with one update before the final show', async () => {
      const created = await connector.createIssue(draft({status: 'in_review'}), {idempotencyKey: 'k'});
      expect(bd.argvs().map((argv) => argv.slice(1, 3))).to.deep.equal([
        ['create', 'ACME Holdings carve-out'],
        ['update', 'bd-1'],
        ['show', 'bd-1'],
      ]);
      expect(bd.argvs()[1]).to.deep.equal(['--json', 'update', 'bd-1', '--status', 'in_progress']);
      expect(created.status).to.equal('in_progress');
    });

    it('refuses several assignees before running anything', async () => {
      const error = await connector
        .createIssue(draft({assignees: ['a', 'b']}), {idempotencyKey: 'k'})
        .catch((e: unknown) => e);
      expect(error).to.be.instanceOf(CapabilityNotSupportedError);
      expect(bd.calls()).to.deep.equal([]);
    });
  });

  describe('update, transition, links, comments', () => {
    const ref = {system: 'beads', workspace: 'ws', id: 'bd-1', key: 'bd-1', url: null};

    beforeEach(() =>
      bd.patchState({
        issues: [seeded('bd-1', {labels: ['old'], assignee: 'bob'}), seeded('bd-2'), seeded('bd-3')],
      }),
    );

    it('sends one update with a flag per field, then shows', async () => {
      const updated = await connector.updateIssue(
        ref,
        {
          title: 'New title',
          body: null,
          priority: 0,
          issue_type: 'bug',
          labels: ['p', 'q'],
          parent: {system: 'beads', workspace: 'ws', id: 'bd-2', key: null, url: null},
          assignees: [],
        },
        {idempotencyKey: 'sync:x'},
      );
      expect(bd.argvs()).to.deep.equal([
        [
          '--json',
          'update',
          'bd-1',
          '--priority',
          '0',
          '--title',
          'New title',
          '--description',
          '',
          '--type',
          'bug',
          '--set-labels',
          'p',
          '--set-labels',
          'q',
          '--parent',
          'bd-2',
          '--assignee',
          '',
        ],
        ['--json', 'show', 'bd-1'],
      ]);
      expect(updated).to.include({title: 'New title', body: null, priority: 0, issue_type: 'bug'});
      expect(updated.labels).to.deep.equal(['p', 'q']);
      expect(updated.assignees).to.deep.equal([]);
      expect(updated.parent?.id).to.equal('bd-2');
    });

    it('clears labels with an empty --set-labels and makes only a show for an empty patch', async () => {
      expect((await connector.updateIssue(ref, {labels: []}, {idempotencyKey: 'k'})).labels).to.deep.equal(
        [],
      );
      bd.clearCalls();
      await connector.updateIssue(ref, {}, {idempotencyKey: 'k'});
      expect(bd.argvs()).to.deep.equal([['--json', 'show', 'bd-1']]);
    });

    it('refuses what beads cannot write, before running anything', async () => {
      for (const patch of [
        {custom_fields: {a: 1}},
        {assignees: ['a', 'b']},
        {priority: null},
        {links: [{type: 'blocks' as const, target: {...ref, id: 'bd-2'}}]},
      ]) {
        const error = await connector.updateIssue(ref, patch, {idempotencyKey: 'k'}).catch((e: unknown) => e);
        expect(error, JSON.stringify(patch)).to.be.instanceOf(CapabilityNotSupportedError);
      }
      expect(bd.calls()).to.deep.equal([]);
    });

    it('updates links by adding and removing dependencies', async () => {
      bd.patchState({deps: [{issue_id: 'bd-1', depends_on_id: 'bd-2', type: 'blocks'}]});
      const target = (id: string) => ({system: 'beads', workspace: 'ws', id, key: null, url: null});
      const updated = await connector.updateIssue(
        ref,
        {links: [{type: 'relates_to', target: target('bd-3')}]},
        {idempotencyKey: 'k'},
      );
      expect(bd.argvs().map((argv) => argv.slice(1))).to.deep.equal([
        ['show', 'bd-1'],
        ['dep', 'remove', 'bd-1', 'bd-2'],
        ['dep', 'add', 'bd-1', 'bd-3', '--type', 'related'],
        ['show', 'bd-1'],
      ]);
      expect(updated.links.map((l) => [l.type, l.target.id])).to.deep.equal([['relates_to', 'bd-3']]);
    });

    it('transitions through update --status with the reference mapping', async () => {
      const expected = {
        todo: 'open',
        in_progress: 'in_progress',
        in_review: 'in_progress',
        blocked: 'blocked',
        done: 'closed',
        canceled: 'closed',
      } as const;
      for (const [status, bdStatus] of Object.entries(expected))
        expect(statusToBeads(status as keyof typeof expected)).to.equal(bdStatus);
      const closed = await connector.transitionIssue(ref, 'canceled');
      expect(bd.argvs()).to.deep.equal([
        ['--json', 'update', 'bd-1', '--status', 'closed'],
        ['--json', 'show', 'bd-1'],
      ]);
      // beads has one closed state: a canceled issue reads back as done.
      expect(closed.status).to.equal('done');
    });

    it('writes links with dep add in the direction beads stores them, the parent with update --parent', async () => {
      bd.patchState({issues: [...bd.state<BdState>().issues, seeded('bd-4'), seeded('bd-5')]});
      const to = (id: string) => ({system: 'beads', workspace: 'ws', id, key: null, url: null});
      await connector.upsertLink(ref, {type: 'blocks', target: to('bd-2')});
      await connector.upsertLink(ref, {type: 'blocked_by', target: to('bd-3')});
      await connector.upsertLink(ref, {type: 'duplicates', target: to('bd-4')});
      await connector.upsertLink(ref, {type: 'child_of', target: to('bd-5')});
      await connector.upsertLink(to('bd-5'), {type: 'parent_of', target: ref});
      expect(bd.argvs()).to.deep.equal([
        ['--json', 'dep', 'add', 'bd-2', 'bd-1', '--type', 'blocks'],
        ['--json', 'dep', 'add', 'bd-1', 'bd-3', '--type', 'blocks'],
        ['--json', 'dep', 'add', 'bd-1', 'bd-4', '--type', 'duplicates'],
        ['--json', 'show', 'bd-1'],
        ['--json', 'update', 'bd-1', '--parent', 'bd-5'],
        // The parent is there already: a look, no write.
        ['--json', 'show', 'bd-1'],
      ]);
      const read = (await connector.getIssue(ref))!;
      expect(read.parent?.id).to.equal('bd-5');
      expect(read.links.map((l) => [l.type, l.target.id])).to.deep.equal([
        ['blocked_by', 'bd-3'],
        ['duplicates', 'bd-4'],
      ]);
      const blocked = (await connector.getIssue(to('bd-2')))!;
      expect(blocked.links.map((l) => [l.type, l.target.id])).to.deep.equal([['blocked_by', 'bd-1']]);
    });

    it('a repeated dependency converges; removal runs dep remove only for the dependency asked for', async () => {
      const to = (id: string) => ({system: 'beads', workspace: 'ws', id, key: null, url: null});
      await connector.upsertLink(ref, {type: 'blocks', target: to('bd-2')});
      await connector.upsertLink(ref, {type: 'blocks', target: to('bd-2')});
      await connector.upsertLink(ref, {type: 'relates_to', target: to('bd-3')});
      expect(bd.state<BdState>().deps.map((d) => [d.issue_id, d.type, d.depends_on_id])).to.deep.equal([
        ['bd-2', 'blocks', 'bd-1'],
        ['bd-1', 'related', 'bd-3'],
      ]);
      bd.clearCalls();
      // bd-1 relates to bd-3 but does not block it: nothing is removed.
      await connector.removeLink(ref, {type: 'blocks', target: to('bd-3')});
      await connector.removeLink(ref, {type: 'blocks', target: to('bd-2')});
      await connector.removeLink(ref, {type: 'blocks', target: to('bd-2')});
      expect(bd.argvs().filter((a) => a[1] === 'dep')).to.deep.equal([
        ['--json', 'dep', 'remove', 'bd-2', 'bd-1'],
      ]);
      expect(bd.state<BdState>().deps.map((d) => d.type)).to.deep.equal(['related']);
      await connector.upsertLink(ref, {type: 'child_of', target: to('bd-2')});
      await connector.removeLink(to('bd-2'), {type: 'parent_of', target: ref});
      expect((await connector.getIssue(ref))!.parent).to.equal(null);
    });

    it('the fake bd refuses what bd refuses: a blocks cycle, a second type for a pair, an epic blocked by a task', async () => {
      bd.patchState({issues: [...bd.state<BdState>().issues, seeded('bd-9', {issue_type: 'epic'})]});
      const to = (id: string) => ({system: 'beads', workspace: 'ws', id, key: null, url: null});
      await connector.upsertLink(ref, {type: 'blocks', target: to('bd-2')});
      const refused = async (
        link: Parameters<BeadsConnector['upsertLink']>[1],
        pattern: RegExp,
        from: ExternalRef = ref,
      ) => {
        const error = await connector.upsertLink(from, link).catch((e: unknown) => e);
        expect(error, link.type).to.be.instanceOf(ConnectorRequestError);
        expect((error as Error).message).to.match(pattern);
      };
      await refused({type: 'blocked_by', target: to('bd-2')}, /cycle/);
      // bd-2 depends on bd-1 (blocks): the same pair cannot also be "related".
      await refused({type: 'relates_to', target: ref}, /already exists with type "blocks"/, to('bd-2'));
      await refused({type: 'blocks', target: to('bd-9')}, /epics can only block other epics/);
    });

    it('adds comments literally', async () => {
      await connector.addComment(ref, 'Looks good; "ship" it $(now)');
      expect(bd.argvs()).to.deep.equal([
        ['--json', 'comments', 'add', 'bd-1', 'Looks good; "ship" it $(now)'],
      ]);
      expect(bd.state<BdState>().comments.map((c) => c.text)).to.deep.equal(['Looks good; "ship" it $(now)']);
    });

    it('marks a comment with its key in a hidden footer, and `bd comments <id>` finds it again', async () => {
      expect(await connector.findComment(ref, '01KBEADSCOMMENT0000000001')).to.equal(false);
      await connector.addComment(ref, 'Marked', {idempotencyKey: '01KBEADSCOMMENT0000000001'});
      await connector.addComment(ref, 'Plain');
      expect(bd.state<BdState>().comments.map((c) => c.text)).to.deep.equal([
        'Marked\n\n<!-- spec-kitty:idempotency=01KBEADSCOMMENT0000000001 -->',
        'Plain',
      ]);
      expect(await connector.findComment(ref, '01KBEADSCOMMENT0000000001')).to.equal(true);
      expect(await connector.findComment(ref, '01KBEADSCOMMENT0000000002')).to.equal(false);
      expect(bd.argvs().at(-1)).to.deep.equal(['--json', 'comments', 'bd-1']);
    });
  });

  describe('errors', () => {
    it('a missing executable is a config error with the way to set it', async () => {
      const missing = `${bd.dir}/no-bd-here`;
      const broken = new BeadsConnector(localConnectorConfig({command: missing}));
      const error = (await broken
        .listIssues({updated_since: null, cursor: null, limit: 1})
        .catch((e: unknown) => e)) as ConnectorConfigError;
      expect(error).to.be.instanceOf(ConnectorConfigError);
      expect(error.message).to.equal(`beads: executable not found: ${missing}`);
      expect(error.hint).to.contain('--credential command=/path/to/bd');
    });

    it('a non-zero exit carries the trimmed first lines of stderr and a failure class', async () => {
      const stderr =
        '\n  Error: database is locked  \n' + Array.from({length: 20}, (_, i) => `detail ${i}`).join('\n');
      bd.patchState({faults: {list: {exitCode: 1, stderr}}});
      const error = (await connector
        .listIssues({updated_since: null, cursor: null, limit: 1})
        .catch((e: unknown) => e)) as ConnectorRequestError;
      expect(error).to.be.instanceOf(ConnectorRequestError);
      expect(error.message).to.match(
        /^beads: `.*fake-bd list` exited with code 1: Error: database is locked \| detail 0 \| detail 1 \| detail 2 \| detail 3 \| \(16 more lines\)$/,
      );
      expect(error.failureClass).to.equal('transient');
      expect(error.retryable).to.equal(true);
    });

    it('never quotes the title or body from the argv in an error', async () => {
      bd.patchState({faults: {create: {exitCode: 2, stderr: 'Error: boom'}}});
      const error = (await connector
        .createIssue(draft(), {idempotencyKey: 'k'})
        .catch((e: unknown) => e)) as Error;
      expect(error.message).to.contain('create` exited with code 2: Error: boom');
      expect(error.message).not.to.contain('ACME');
      expect(error.message).not.to.contain('confidential');
    });

    it('a timeout is a transient request error naming the limit', async () => {
      bd.patchState({faults: {list: {sleepMs: 5000, stdout: '[]'}}});
      const slow = new BeadsConnector(localConnectorConfig({command: bd.command, timeoutMs: 400}));
      const error = (await slow
        .listIssues({updated_since: null, cursor: null, limit: 1})
        .catch((e: unknown) => e)) as ConnectorRequestError;
      expect(error).to.be.instanceOf(ConnectorRequestError);
      expect(error.message).to.contain('did not finish within 400ms');
      expect(error.failureClass).to.equal('transient');
    });

    it('output that is not JSON names the line and column and what was expected', async () => {
      bd.patchState({faults: {list: {stdout: '[\n  {"id": "bd-1",\n  oops\n]'}}});
      const error = (await connector
        .listIssues({updated_since: null, cursor: null, limit: 1})
        .catch((e: unknown) => e)) as Error;
      expect(error).to.be.instanceOf(IssuePayloadContractError);
      expect(error.message).to.match(
        /not valid JSON at line 3, column \d+ \("oops"\); expected a JSON array of issues/,
      );
    });

    it('an issue with an unknown status names the item, the issue and the accepted values', async () => {
      bd.patchState({issues: [seeded('bd-1'), seeded('bd-2', {status: 'review'})]});
      const error = (await connector
        .listIssues({updated_since: null, cursor: null, limit: 1})
        .catch((e: unknown) => e)) as Error;
      expect(error).to.be.instanceOf(IssuePayloadContractError);
      expect(error.message).to.contain('item 2 of the output of');
      expect(error.message).to.contain('`status` of issue bd-2 to be one of open, in_progress');
      expect(error.message).to.contain('got "review"');
    });

    it('an issue without a title is a payload error', async () => {
      bd.patchState({faults: {show: {stdout: JSON.stringify([{id: 'bd-1', status: 'open'}])}}});
      const error = (await connector
        .getIssue({system: 'beads', workspace: 'ws', id: 'bd-1', key: null, url: null})
        .catch((e: unknown) => e)) as Error;
      expect(error).to.be.instanceOf(IssuePayloadContractError);
      expect(error.message).to.contain('the issue of the output of');
      expect(error.message).to.contain('non-empty string `title`');
    });

    it('an unusable timeout setting and a blank workspace are config errors', () => {
      expect(() => new BeadsConnector(localConnectorConfig({command: bd.command, timeoutMs: -1}))).to.throw(
        ConnectorConfigError,
        /timeout_ms/,
      );
      expect(() => new BeadsConnector(localConnectorConfig({command: bd.command, workspace: ' '}))).to.throw(
        ConnectorConfigError,
        /workspace/,
      );
    });
  });

  it('reports each run as a request event without argv content', async () => {
    const events: RuntimeEvent[] = [];
    const observed = new BeadsConnector(localConnectorConfig({command: bd.command, events}));
    await observed.createIssue(draft(), {idempotencyKey: 'k'});
    expect(
      events.map((e) =>
        e.type === 'request' ? [e.method, e.url.replace(bd.command, 'bd'), e.status] : null,
      ),
    ).to.deep.equal([
      ['exec', 'bd create', 0],
      ['exec', 'bd show bd-1', 0],
    ]);
  });

  it('is what the provider registry loads, with honest capabilities', async () => {
    const module = await findProvider('beads')!.load();
    expect(module.provider).to.equal('beads');
    expect(module.capabilities.writable_fields).not.to.include('custom_fields');
    expect(module.capabilities.idempotency_marker).to.equal('custom_field');
    const created = module.create(localConnectorConfig({command: bd.command}));
    expect(created.provider).to.equal('beads');
    expect(created.capabilities()).to.deep.equal(module.capabilities);
    await created.listIssues({updated_since: null, cursor: null, limit: 1});
    expect(bd.argvs()).to.deep.equal([['--json', 'list', '--all', '--limit', '0']]);
  });
});

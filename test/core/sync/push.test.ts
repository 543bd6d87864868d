import {expect} from 'chai';
import {
  BulkChangeGuardError,
  CapabilityNotSupportedError,
  ConnectorRequestError,
  createOwnershipPolicy,
} from '../../../src/core/index.js';
import {harness, split} from './harness.js';

describe('SyncEngine.push', () => {
  it('creates a draft, records the link at once, and a second push creates nothing', async () => {
    const h = harness();
    const draft = await h.draft(1, 'write the docs', {labels: ['docs'], status: 'in_progress'});
    const result = await h.engine.push();
    expect(result.stats.pushed_created).to.equal(1);
    expect(h.connector.allRemote()).to.have.length(1);
    const created = h.connector.allRemote()[0]!;
    expect(created).to.deep.include({title: 'write the docs', labels: ['docs'], status: 'in_progress'});
    expect(await h.store.resolveDraft(draft)).to.deep.equal(created.ref);
    expect(await h.store.getIssue(draft)).to.equal(null);
    expect((await h.store.getIssue(h.identity(created.ref.id)))!.title).to.equal('write the docs');
    const again = await h.engine.push();
    expect(again.requests).to.deep.equal({});
    expect(h.connector.countOf('createIssue')).to.equal(1);
  });

  it('crash after the remote create and before the local record: the re-run adopts the issue, creates nothing new', async () => {
    const h = harness();
    const draft = await h.draft(7, 'survive a crash');
    h.connector.failOn('createIssue', new Error('process killed'), {after: true});
    let crashed: unknown;
    await h.engine.run().catch((error: unknown) => (crashed = error));
    expect((crashed as Error).message).to.equal('process killed');
    expect(h.connector.allRemote()).to.have.length(1);
    expect(await h.store.resolveDraft(draft)).to.equal(null);

    const rerun = await h.engine.run();
    expect(rerun.ok).to.equal(true);
    expect(h.connector.countOf('createIssue')).to.equal(1);
    expect(h.connector.allRemote()).to.have.length(1);
    const remote = h.connector.allRemote()[0]!;
    expect(rerun.plan.creates).to.deep.equal([
      {draft_identity: draft, title: 'survive a crash', adopt: h.identity(remote.ref.id), fields: ['title']},
    ]);
    expect(await h.store.resolveDraft(draft)).to.deep.equal(remote.ref);
    const local = await h.store.listIssues();
    expect(local.map((i) => i.ref.id)).to.deep.equal([remote.ref.id]);
    expect(await h.store.listPending()).to.deep.equal([]);
  });

  it('a create retried after a transient failure looks for the issue first (and only then)', async () => {
    const h = harness();
    await h.draft(1, 'flaky create');
    const timeout = new ConnectorRequestError('gateway timeout', {
      provider: 'memory',
      failureClass: 'transient',
      statusCode: 504,
    });
    h.connector.failOn('createIssue', timeout, {after: true});
    const result = await h.engine.push();
    expect(result.ok).to.equal(true);
    expect(h.connector.countOf('createIssue')).to.equal(1);
    expect(h.connector.allRemote()).to.have.length(1);
    // No lookup before the first attempt: a draft never sent cannot exist yet.
    expect(result.requests).to.deep.equal({findByIdempotencyKey: 1, createIssue: 1});
  });

  it('a comment that may have been posted, on a tracker where it cannot be looked for, is never sent again', async () => {
    const h = harness({capabilities: {comment_marker: 'none'}});
    h.connector.seed({title: 'remote'});
    await h.engine.pull();
    await h.store.addPendingComment(h.identity('1'), 'maybe posted');
    const lost = new ConnectorRequestError('no answer', {provider: 'memory', failureClass: 'transient'});
    h.connector.failOn('addComment', lost, {after: true});
    const first = await h.engine.push();
    expect(h.connector.comments.get('1')).to.deep.equal(['maybe posted']);
    expect(first.failures.map((f) => f.operation)).to.deep.equal(['comment']);
    const second = await h.engine.push();
    expect(h.connector.comments.get('1')).to.deep.equal(['maybe posted']);
    expect(second.failures.map((f) => f.message)).to.satisfy(
      (m: string[]) => m.length === 1 && m[0]!.includes('may have sent a comment on'),
    );
    expect(h.connector.countOf('addComment')).to.equal(1);
  });

  it('run twice with no changes: the second run makes only listing requests and writes nothing', async () => {
    const h = harness({engine: {pageSize: 2}});
    for (let i = 1; i <= 3; i++) h.connector.seed({title: `remote ${i}`, labels: ['x']});
    await h.engine.run();
    await h.store.recordLocalEdit(h.identity('1'), {title: 'edited', status: 'done'});
    await h.store.recordLocalEdit(h.identity('2'), {labels: ['x', 'y']});
    await h.draft(1, 'new one');
    const comment = await h.store.addPendingComment(h.identity('3'), 'hello');
    h.clock.advance(1000);
    h.connector.remoteEdit('3', {body: 'remote body'});
    const first = await h.engine.run();
    expect(first.ok).to.equal(true);
    expect(first.stats).to.include({pushed_created: 1, pushed_updated: 2});
    expect(h.connector.comments.get('3')).to.deep.equal(['hello']);
    expect((await h.store.listPendingComments()).map((c) => c.comment_id)).to.not.include(comment.comment_id);

    h.clock.advance(60_000);
    const appended = h.store.memoryLog.appended.length;
    const before = h.connector.requests.length;
    const second = await h.engine.run();
    expect(second.ok).to.equal(true);
    expect(second.summary.writes).to.equal(0);
    expect(Object.keys(second.requests)).to.deep.equal(['listIssues']);
    expect(h.connector.requests.slice(before).every((r) => r.op === 'listIssues')).to.equal(true);
    expect(h.store.memoryLog.appended.length).to.equal(appended);
    expect(second.stats).to.include({
      pulled_created: 0,
      pulled_updated: 0,
      pushed_created: 0,
      pushed_updated: 0,
    });
  });

  it('sends status through a transition, other fields through one update with an idempotency key, links through upsertLink', async () => {
    const h = harness();
    h.connector.seed({title: 'a'});
    h.connector.seed({title: 'b'});
    await h.engine.pull();
    const target = {system: 'memory', workspace: 'test', id: '2', key: '#2', url: 'memory://test/2'};
    await h.store.recordLocalEdit(h.identity('1'), {
      title: 'a2',
      priority: 1,
      status: 'in_review',
      links: [{type: 'blocks', target}],
    });
    const result = await h.engine.push();
    expect(result.ok).to.equal(true);
    expect(result.requests).to.deep.equal({getIssue: 2, updateIssue: 1, transitionIssue: 1, upsertLink: 1});
    expect(result.plan.updates[0]!.changes).to.deep.equal([
      {field: 'title', from: 'a', to: 'a2'},
      {field: 'priority', from: null, to: 1},
    ]);
    expect(result.plan.transitions).to.deep.equal([
      {identity: h.identity('1'), key: '#1', from: 'todo', to: 'in_review'},
    ]);
    expect(h.connector.remote('1')).to.deep.include({title: 'a2', priority: 1, status: 'in_review'});
    expect(h.connector.remote('1')!.links.map((l) => l.target.id)).to.deep.equal(['2']);
    expect(await h.store.listPending()).to.deep.equal([]);
    // The recorded base is the final remote version, so the next pull changes nothing.
    const appended = h.store.memoryLog.appended.length;
    await h.engine.pull();
    expect(h.store.memoryLog.appended.length).to.equal(appended);
  });

  it('retries an update with the same idempotency key', async () => {
    const h = harness();
    h.connector.seed({title: 'a'});
    await h.engine.pull();
    await h.store.recordLocalEdit(h.identity('1'), {title: 'b'});
    const keys: string[] = [];
    const original = h.connector.updateIssue.bind(h.connector);
    h.connector.updateIssue = (ref, patch, options) => {
      keys.push(options.idempotencyKey);
      return original(ref, patch, options);
    };
    h.connector.failOn(
      'updateIssue',
      new ConnectorRequestError('502', {provider: 'memory', failureClass: 'transient', statusCode: 502}),
    );
    const result = await h.engine.push();
    expect(result.ok).to.equal(true);
    expect(keys).to.have.length(2);
    expect(keys[0]).to.equal(keys[1]);
    expect(keys[0]).to.match(/^sync:memory:test:1:[0-9a-f]{16}$/);
  });

  it('records a non-retryable write failure and goes on with the next issue', async () => {
    const h = harness();
    h.connector.seed({title: 'a'});
    h.connector.seed({title: 'b'});
    await h.engine.pull();
    await h.store.recordLocalEdit(h.identity('1'), {title: 'a2'});
    await h.store.recordLocalEdit(h.identity('2'), {title: 'b2'});
    h.connector.failOn(
      'updateIssue',
      new ConnectorRequestError('title too long', {
        provider: 'memory',
        failureClass: 'validation',
        statusCode: 422,
      }),
    );
    const result = await h.engine.push();
    expect(result.failures).to.deep.equal([
      {
        identity: h.identity('1'),
        operation: 'update',
        failure_class: 'validation',
        message: 'title too long',
        retryable: false,
        status_code: 422,
        hint: null,
      },
    ]);
    expect(result.stats.pushed_updated).to.equal(1);
    expect(h.connector.remote('2')!.title).to.equal('b2');
    expect((await h.store.listPending()).map((p) => p.identity)).to.deep.equal([h.identity('1')]);
  });

  describe('ownership', () => {
    it('external_authoritative never writes remote and reports why', async () => {
      const h = harness({policy: createOwnershipPolicy('external_authoritative')});
      h.connector.seed({title: 'a'});
      await h.engine.pull();
      await h.store.recordLocalEdit(h.identity('1'), {title: 'local'});
      await h.draft(1, 'draft');
      await h.store.addPendingComment(h.identity('1'), 'note');
      const result = await h.engine.push();
      expect(h.connector.requests.filter((r) => r.op !== 'listIssues')).to.deep.equal([]);
      expect(result.plan.skipped).to.deep.include.members([
        {identity: h.identity('1'), fields: ['title'], reason: 'external_authoritative'},
        {identity: h.identity('1'), fields: [], reason: 'external_authoritative'},
      ]);
      expect(result.plan.skipped.map((s) => s.identity)).to.include(h.identity('draft-1'));
      expect(result.stats.skipped).to.equal(2);
    });

    it('external_authoritative: the remote value wins any conflict', async () => {
      const h = harness({policy: createOwnershipPolicy('external_authoritative'), strategy: 'local_wins'});
      h.connector.seed({title: 'a'});
      await h.engine.pull();
      await h.store.recordLocalEdit(h.identity('1'), {title: 'local'});
      h.connector.remoteEdit('1', {title: 'remote'});
      const result = await h.engine.run();
      expect(result.conflicts[0]).to.include({winner: 'external', strategy: 'owner'});
      expect((await h.store.getIssue(h.identity('1')))!.title).to.equal('remote');
    });

    it('spec_kitty_authoritative owns every field: local wins conflicts and goes out', async () => {
      const h = harness({
        policy: createOwnershipPolicy('spec_kitty_authoritative'),
        strategy: 'external_wins',
      });
      h.connector.seed({title: 'a'});
      await h.engine.pull();
      await h.store.recordLocalEdit(h.identity('1'), {title: 'local'});
      h.connector.remoteEdit('1', {title: 'remote'});
      const result = await h.engine.run();
      expect(result.conflicts[0]).to.include({winner: 'local', strategy: 'owner'});
      expect(h.connector.remote('1')!.title).to.equal('local');
    });

    it('split_ownership follows the field owners', async () => {
      const h = harness({policy: split({title: 'external', labels: 'local'})});
      h.connector.seed({title: 'a'});
      await h.engine.pull();
      await h.store.recordLocalEdit(h.identity('1'), {title: 'local title', labels: ['mine'], priority: 2});
      const result = await h.engine.push();
      expect(h.connector.remote('1')).to.deep.include({title: 'a', labels: ['mine'], priority: 2});
      expect(result.plan.skipped).to.deep.equal([
        {identity: h.identity('1'), fields: ['title'], reason: 'owned_by_external'},
      ]);
      expect((await h.store.listPending())[0]!.fields).to.deep.equal(['title']);
    });

    it('split_ownership creates drafts without the fields the tracker owns', async () => {
      const h = harness({policy: split({status: 'external'})});
      const draft = await h.draft(1, 'draft', {status: 'done', labels: ['l']});
      const result = await h.engine.push();
      expect(h.connector.allRemote()[0]).to.deep.include({status: 'todo', labels: ['l']});
      expect(result.plan.skipped).to.deep.equal([
        {identity: draft, fields: ['status'], reason: 'owned_by_external'},
      ]);
    });

    it('split_ownership does not create a draft whose title the tracker owns', async () => {
      const h = harness({policy: split({title: 'external'})});
      const draft = await h.draft(1, 'draft');
      const result = await h.engine.push();
      expect(h.connector.allRemote()).to.deep.equal([]);
      expect(result.plan.skipped).to.deep.equal([
        {identity: draft, fields: ['title'], reason: 'create_not_allowed'},
      ]);
    });
  });

  it('reports fields the connector cannot write instead of dropping them silently', async () => {
    const h = harness({capabilities: {writable_fields: ['title', 'body', 'status', 'labels']}});
    h.connector.seed({title: 'a'});
    await h.engine.pull();
    await h.store.recordLocalEdit(h.identity('1'), {title: 'b', priority: 3});
    await h.draft(1, 'draft', {priority: 1, labels: ['l']});
    const result = await h.engine.push();
    expect(h.connector.requests.find((r) => r.op === 'updateIssue')!.patch).to.deep.equal({title: 'b'});
    expect(result.plan.unsupported).to.deep.equal([
      {identity: h.identity('1'), field: 'priority', reason: 'field_not_writable'},
      {identity: h.identity('draft-1'), field: 'priority', reason: 'field_not_writable'},
    ]);
    expect(result.summary.unsupported).to.equal(2);
    // Reported once, then settled: no longer pending, never sent, not reported again.
    expect((await h.store.listPending()).map((p) => p.identity)).not.to.include(h.identity('1'));
    expect((await h.store.getIssue(h.identity('1')))?.priority).to.equal(null);
    const again = await h.engine.push();
    expect(again.plan.unsupported).to.deep.equal([]);
    expect(again.requests).to.deep.equal({});
  });

  it('settles an unwritable field only for real: a dry run reports it and keeps it pending', async () => {
    const h = harness({capabilities: {links: false}});
    const target = {system: 'memory', workspace: 'test', id: '9', key: null, url: null};
    h.connector.seed({title: 'a'});
    await h.engine.pull();
    await h.store.recordLocalEdit(h.identity('1'), {links: [{type: 'blocks', target}]});
    const dry = await h.engine.push({dryRun: true});
    expect(dry.plan.unsupported).to.deep.equal([
      {identity: h.identity('1'), field: 'links', reason: 'links_not_supported'},
    ]);
    expect(await h.store.listPending()).to.have.length(1);
    const real = await h.engine.push();
    expect(real.plan.unsupported).to.have.length(1);
    expect(await h.store.listPending()).to.deep.equal([]);
    expect(h.connector.writeRequests()).to.deep.equal([]);
  });

  it('a relation the connector refuses as unsupported is reported with its words, not failed; the other writes go on', async () => {
    const h = harness();
    h.connector.seed({title: 'a'});
    h.connector.seed({title: 'b'});
    await h.engine.pull();
    const target = {system: 'memory', workspace: 'test', id: '2', key: '#2', url: 'memory://test/2'};
    await h.store.recordLocalEdit(h.identity('1'), {title: 'a2', links: [{type: 'blocked_by', target}]});
    h.connector.failOn(
      'upsertLink',
      new CapabilityNotSupportedError('memory', 'adding a dependency to an existing issue', {
        hint: 'add it by hand',
      }),
    );
    const result = await h.engine.push();
    expect(result.ok, result.errors.join('\n')).to.equal(true);
    expect(result.failures).to.deep.equal([]);
    expect(result.plan.unsupported).to.deep.equal([
      {
        identity: h.identity('1'),
        field: 'links',
        reason: 'links_not_supported',
        detail: 'memory does not support adding a dependency to an existing issue: add it by hand',
      },
    ]);
    expect(h.connector.remote('1')!.title).to.equal('a2');
    expect(h.connector.remote('1')!.links).to.deep.equal([]);
  });

  it('removes a relation dropped locally with one removeLink, and a second push writes nothing', async () => {
    const target = {system: 'memory', workspace: 'test', id: '9', key: null, url: null};
    const h = harness();
    h.connector.seed({
      title: 'a',
      links: [
        {type: 'blocks', target},
        {type: 'relates_to', target},
      ],
    });
    await h.engine.pull();
    await h.store.recordLocalEdit(h.identity('1'), {links: [{type: 'relates_to', target}]});
    const dry = await h.engine.push({dryRun: true});
    expect(dry.summary).to.deep.include({unlinks: 1, writes: 1});
    const result = await h.engine.push();
    expect(result.requests).to.deep.equal({getIssue: 2, removeLink: 1});
    expect(result.plan.unlinks).to.have.length(1);
    expect(await h.store.listPending()).to.deep.equal([]);
    const again = await h.engine.push();
    expect(again.summary.writes).to.equal(0);
    expect(h.connector.countOf('removeLink')).to.equal(1);
  });

  it('reports a local link removal as unsupported and keeps it pending where the connector cannot remove', async () => {
    const target = {system: 'memory', workspace: 'test', id: '9'};
    const h = harness({capabilities: {link_removal: false}});
    h.connector.seed({title: 'a', links: [{type: 'relates_to', target}]});
    await h.engine.pull();
    await h.store.recordLocalEdit(h.identity('1'), {links: []});
    const result = await h.engine.push();
    expect(result.plan.unsupported).to.deep.equal([
      {identity: h.identity('1'), field: 'links', reason: 'link_removal_not_supported'},
    ]);
    expect(h.connector.writeRequests()).to.deep.equal([]);
  });

  it('holds comments on a draft until it is created, then sends them', async () => {
    const h = harness({capabilities: {create: false}});
    const draft = await h.draft(1, 'draft');
    await h.store.addPendingComment(draft, 'first');
    const result = await h.engine.push();
    expect(result.plan.unsupported).to.deep.equal([
      {identity: draft, field: null, reason: 'create_not_supported'},
    ]);
    expect(result.plan.skipped).to.deep.equal([{identity: draft, fields: [], reason: 'draft_not_created'}]);
    const h2 = harness();
    const d2 = await h2.draft(1, 'draft');
    await h2.store.addPendingComment(d2, 'first');
    await h2.engine.push();
    expect(h2.connector.comments.get('1')).to.deep.equal(['first']);
    expect(await h2.store.listPendingComments()).to.deep.equal([]);
  });

  describe('bulk guard', () => {
    it('stops before any request or write when over the create threshold, unless confirmed', async () => {
      const h = harness({engine: {bulkGuard: {maxCreates: 2}}});
      for (let i = 1; i <= 3; i++) await h.draft(i, `draft ${i}`);
      const appended = h.store.memoryLog.appended.length;
      let caught: unknown;
      await h.engine.run().catch((error: unknown) => (caught = error));
      expect(caught).to.be.instanceOf(BulkChangeGuardError);
      const guard = caught as BulkChangeGuardError;
      expect(guard.summary).to.deep.include({creates: 3, updates: 0});
      expect(guard.message).to.contain('create 3');
      expect(guard.hint).to.contain('--yes');
      expect(h.connector.requests).to.deep.equal([]);
      expect(h.store.memoryLog.appended.length).to.equal(appended);
      expect(h.checkpoints.writes).to.equal(0);

      const confirmed = await h.engine.run({yes: true});
      expect(confirmed.stats.pushed_created).to.equal(3);
      expect(confirmed.guard).to.deep.include({creates: 3, exceeded: true});
    });

    it('counts updates against their own threshold, per call', async () => {
      const h = harness();
      for (let i = 1; i <= 3; i++) h.connector.seed({title: `t${i}`});
      await h.engine.pull();
      for (let i = 1; i <= 3; i++)
        await h.store.recordLocalEdit(h.identity(String(i)), {title: `edited ${i}`});
      let caught: unknown;
      await h.engine.push({threshold: {maxUpdates: 2}}).catch((error: unknown) => (caught = error));
      expect((caught as BulkChangeGuardError).summary).to.deep.include({creates: 0, updates: 3});
      expect(h.connector.writeRequests()).to.deep.equal([]);
      const ok = await h.engine.push({threshold: {maxUpdates: 3}});
      expect(ok.stats.pushed_updated).to.equal(3);
    });

    it('a dry run reports that the guard would trip instead of throwing', async () => {
      const h = harness({engine: {bulkGuard: {maxCreates: 0}}});
      await h.draft(1, 'one');
      const plan = await h.engine.plan();
      expect(plan.guard).to.deep.include({creates: 1, exceeded: true});
    });
  });
});

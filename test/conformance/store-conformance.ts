/**
 * The store conformance suite: one set of behaviours every implementation of the core's store
 * protocols must show, whatever it persists to. Run it with a factory that makes fresh stores;
 * `reopen` (when given) must return stores reading the same persisted data, as a new process would.
 */
import {expect} from 'chai';

import {
  IssueNotFoundError,
  MappingConflictError,
  createIssue,
  createRef,
  refIdentity,
  type CanonicalIssue,
  type CheckpointStore,
  type IssueStore,
  type MappingStore,
} from '../../src/core/index.js';

export interface ConformanceStores {
  readonly issues: IssueStore;
  readonly mappings: MappingStore;
  readonly checkpoints: CheckpointStore;
}

export interface ConformanceFactory {
  /** Fresh, empty stores. */
  create(): Promise<ConformanceStores & {reopen(): Promise<ConformanceStores>; cleanup?(): Promise<void>}>;
}

const ref = (id: string, system = 'github', workspace = 'acme/widgets') =>
  createRef({system, workspace, id, key: `#${id}`, url: `https://example.test/${id}`});

const remote = (id: string, overrides: Partial<Parameters<typeof createIssue>[0]> = {}): CanonicalIssue =>
  createIssue({
    ref: ref(id),
    title: `Issue ${id}`,
    body: 'Body text with ünïcode',
    status: 'todo',
    labels: ['b', 'a'],
    assignees: ['alice'],
    priority: 2,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-02T00:00:00.000Z',
    ...overrides,
  });

export function runStoreConformance(name: string, factory: ConformanceFactory): void {
  describe(`store conformance: ${name}`, () => {
    let stores: Awaited<ReturnType<ConformanceFactory['create']>>;

    beforeEach(async () => {
      stores = await factory.create();
    });
    afterEach(async () => {
      await stores.cleanup?.();
    });

    describe('IssueStore', () => {
      it('starts empty', async () => {
        expect(await stores.issues.listIssues()).to.deep.equal([]);
        expect(await stores.issues.getIssue(ref('1'))).to.equal(null);
        expect(await stores.issues.listPending()).to.deep.equal([]);
        expect(await stores.issues.highWaterMark()).to.equal(null);
      });

      it('round-trips a pulled issue (without raw) and lists by identity order, filtered by system', async () => {
        await stores.issues.recordRemote([
          {issue: remote('2')},
          {issue: remote('10')},
          {issue: createIssue({ref: ref('7', 'gitlab', 'g/p'), title: 'Other system'})},
        ]);
        const again = await stores.reopen();
        const all = await again.issues.listIssues();
        expect(all.map((i) => refIdentity(i.ref))).to.deep.equal([
          'github:acme/widgets:10',
          'github:acme/widgets:2',
          'gitlab:g/p:7',
        ]);
        const got = await again.issues.getIssue('github:acme/widgets:2');
        expect(got).to.deep.equal({...remote('2'), raw: null});
        expect((await again.issues.listIssues({system: 'gitlab'})).length).to.equal(1);
      });

      it('reports how many remote versions changed anything (a repeat changes nothing)', async () => {
        expect(await stores.issues.recordRemote([{issue: remote('1')}, {issue: remote('2')}])).to.equal(2);
        expect(await stores.issues.recordRemote([{issue: remote('1')}, {issue: remote('2')}])).to.equal(0);
        expect(
          await stores.issues.upsertIssue(
            remote('1', {title: 'Renamed', updated_at: '2026-01-03T00:00:00Z'}),
          ),
        ).to.equal(true);
        expect((await stores.issues.getIssue(ref('1')))!.title).to.equal('Renamed');
      });

      it('keeps the newest remote version as the base even when an older one arrives later', async () => {
        await stores.issues.upsertIssue(remote('1', {title: 'New', updated_at: '2026-02-01T00:00:00Z'}));
        await stores.issues.upsertIssue(remote('1', {title: 'Old', updated_at: '2026-01-01T00:00:00Z'}));
        expect((await stores.issues.getBase(ref('1')))!.title).to.equal('New');
        expect(await stores.issues.highWaterMark()).to.equal('2026-02-01T00:00:00.000Z');
      });

      it('applies local edits over the base and lists them as pending', async () => {
        await stores.issues.upsertIssue(remote('1'));
        expect(
          await stores.issues.recordLocalEdit(ref('1'), {status: 'in_progress', labels: ['a', 'c']}),
        ).to.equal(true);
        const again = await stores.reopen();
        const view = (await again.issues.getIssue(ref('1')))!;
        expect(view.status).to.equal('in_progress');
        expect(view.labels).to.deep.equal(['a', 'c']);
        expect((await again.issues.getBase(ref('1')))!.status).to.equal('todo');
        expect(await again.issues.getLocalEdits(ref('1'))).to.deep.equal({
          labels: ['a', 'c'],
          status: 'in_progress',
        });
        const pending = await again.issues.listPending();
        expect(pending.map((p) => [p.identity, p.fields, p.draft])).to.deep.equal([
          ['github:acme/widgets:1', ['labels', 'status'], false],
        ]);
      });

      it('reads base and local view of many issues at once, with nulls for unknown ones', async () => {
        await stores.issues.recordRemote([{issue: remote('1')}, {issue: remote('2')}]);
        await stores.issues.recordLocalEdit(ref('2'), {title: 'Edited'});
        const inputs = await stores.issues.getMergeInputs([ref('1'), 'github:acme/widgets:2', ref('404')]);
        expect([...inputs.keys()]).to.deep.equal([
          'github:acme/widgets:1',
          'github:acme/widgets:2',
          'github:acme/widgets:404',
        ]);
        expect(inputs.get('github:acme/widgets:1')).to.deep.equal({
          base: await stores.issues.getBase(ref('1')),
          local: await stores.issues.getIssue(ref('1')),
          edited_at: null,
        });
        expect(inputs.get('github:acme/widgets:2')!.base!.title).to.equal('Issue 2');
        expect(inputs.get('github:acme/widgets:2')!.local!.title).to.equal('Edited');
        const [pending] = await stores.issues.listPending();
        expect(inputs.get('github:acme/widgets:2')!.edited_at)
          .to.be.a('string')
          .and.equal(pending!.edited_at);
        expect(inputs.get('github:acme/widgets:404')).to.deep.equal({
          base: null,
          local: null,
          edited_at: null,
        });
      });

      it('treats an edit back to the base value as no longer pending, and a repeated edit as a no-op', async () => {
        await stores.issues.upsertIssue(remote('1'));
        await stores.issues.recordLocalEdit(ref('1'), {title: 'Changed'});
        expect(await stores.issues.recordLocalEdit(ref('1'), {title: 'Changed'})).to.equal(false);
        await stores.issues.recordLocalEdit(ref('1'), {title: 'Issue 1'});
        expect(await stores.issues.listPending()).to.deep.equal([]);
      });

      it('refuses to edit an unknown issue with a not-found error', async () => {
        let error: unknown;
        try {
          await stores.issues.recordLocalEdit(ref('404'), {title: 'x'});
        } catch (caught) {
          error = caught;
        }
        expect(error).to.be.instanceOf(IssueNotFoundError);
      });

      it('settles edits that went out, keeping a different later edit pending', async () => {
        await stores.issues.upsertIssue(remote('1'));
        await stores.issues.recordLocalEdit(ref('1'), {title: 'Local title', status: 'done'});
        const pushed = remote('1', {title: 'Local title', updated_at: '2026-01-05T00:00:00Z'});
        await stores.issues.recordRemote([{issue: pushed, settle: ['title']}]);
        expect(await stores.issues.getLocalEdits(ref('1'))).to.deep.equal({status: 'done'});
        // The remote value won a conflict: settling drops the local edit.
        await stores.issues.recordRemote([
          {issue: remote('1', {updated_at: '2026-01-06T00:00:00Z'}), settle: ['status']},
        ]);
        expect(await stores.issues.getLocalEdits(ref('1'))).to.deep.equal({});
        expect((await stores.issues.getIssue(ref('1')))!.status).to.equal('todo');
      });

      it('settleLocalEdits forgets edits without a new base', async () => {
        await stores.issues.upsertIssue(remote('1'));
        await stores.issues.recordLocalEdit(ref('1'), {priority: 0});
        expect(await stores.issues.settleLocalEdits(ref('1'), ['priority'])).to.equal(true);
        expect(await stores.issues.settleLocalEdits(ref('1'), ['priority'])).to.equal(false);
        expect((await stores.issues.getIssue(ref('1')))!.priority).to.equal(2);
      });

      it('deletes issues and reports whether anything was deleted', async () => {
        await stores.issues.upsertIssue(remote('1'));
        expect(await stores.issues.deleteIssue(ref('1'))).to.equal(true);
        expect(await stores.issues.deleteIssue(ref('1'))).to.equal(false);
        expect(await (await stores.reopen()).issues.getIssue(ref('1'))).to.equal(null);
      });

      it('keeps drafts pending until created remotely, then resolves them', async () => {
        const draft = createIssue({ref: ref('draft-01JABCDEF'), title: 'New work'});
        await stores.issues.createDraft(draft);
        await stores.issues.createDraft(draft); // idempotent
        let pending = await stores.issues.listPending();
        expect(pending).to.have.length(1);
        expect(pending[0]!.draft).to.equal(true);
        expect(await stores.issues.resolveDraft(draft.ref)).to.equal(null);

        const created = remote('55', {title: 'New work'});
        await stores.issues.recordRemoteCreated(draft.ref, created);
        await stores.issues.recordRemoteCreated(draft.ref, created); // idempotent
        const again = await stores.reopen();
        expect((await again.issues.resolveDraft(draft.ref))!.id).to.equal('55');
        expect((await again.issues.listIssues()).map((i) => i.ref.id)).to.deep.equal(['55']);
        pending = await again.issues.listPending();
        expect(pending).to.deep.equal([]);
      });

      it('refuses a draft whose id is not provisional', async () => {
        let error: unknown;
        try {
          await stores.issues.createDraft(createIssue({ref: ref('12'), title: 'x'}));
        } catch (caught) {
          error = caught;
        }
        expect(String(error)).to.match(/draft-/);
      });

      it('records conflicts durably and closes manual-review ones', async () => {
        await stores.issues.upsertIssue(remote('1'));
        const [auto, manual] = await stores.issues.recordConflicts(ref('1'), [
          {
            field_name: 'title',
            base_value: 'Issue 1',
            local_value: 'L',
            external_value: 'R',
            resolved_value: 'R',
            winner: 'external',
            strategy: 'external_wins',
            manual_review_required: false,
          },
          {
            field_name: 'status',
            base_value: 'todo',
            local_value: 'done',
            external_value: 'blocked',
            resolved_value: 'done',
            winner: 'local',
            strategy: 'manual_review',
            manual_review_required: true,
          },
        ]);
        expect(auto!.open).to.equal(false);
        expect(manual!.open).to.equal(true);
        const again = await stores.reopen();
        expect((await again.issues.listConflicts()).map((c) => c.field_name)).to.have.members([
          'title',
          'status',
        ]);
        expect((await again.issues.listConflicts({openOnly: true})).map((c) => c.field_name)).to.deep.equal([
          'status',
        ]);
        expect(await again.issues.closeConflicts(ref('1'))).to.equal(1);
        expect(await again.issues.closeConflicts(ref('1'))).to.equal(0);
        expect(await again.issues.listConflicts({openOnly: true})).to.deep.equal([]);
      });

      it('queues comments until they are settled', async () => {
        await stores.issues.upsertIssue(remote('1'));
        const comment = await stores.issues.addPendingComment(ref('1'), 'Looks good');
        const again = await stores.reopen();
        expect((await again.issues.listPendingComments()).map((c) => c.body)).to.deep.equal(['Looks good']);
        await again.issues.settleComment(comment.comment_id);
        expect(await again.issues.listPendingComments()).to.deep.equal([]);
      });
    });

    describe('MappingStore', () => {
      it('adds, lists (ordered), finds and removes mappings durably', async () => {
        await stores.mappings.addMapping('mission-a/WP02', ref('2'));
        await stores.mappings.addMapping('mission-a/WP01', ref('1'));
        const again = await stores.reopen();
        expect((await again.mappings.listMappings()).map((m) => m.wp_id)).to.deep.equal([
          'mission-a/WP01',
          'mission-a/WP02',
        ]);
        expect((await again.mappings.getByWorkPackage('mission-a/WP01', 'github'))!.ref.id).to.equal('1');
        expect((await again.mappings.getByIssue(ref('2')))!.wp_id).to.equal('mission-a/WP02');
        expect((await again.mappings.removeMapping('mission-a/WP01')).map((m) => m.wp_id)).to.deep.equal([
          'mission-a/WP01',
        ]);
        expect(await again.mappings.removeMapping('mission-a/WP01')).to.deep.equal([]);
        expect(await again.mappings.getByWorkPackage('mission-a/WP01', 'github')).to.equal(null);
      });

      it('keeps one issue per work package and system (a new issue replaces the old one)', async () => {
        await stores.mappings.addMapping('WP01', ref('1'));
        const first = (await stores.mappings.getByWorkPackage('WP01', 'github'))!;
        await stores.mappings.addMapping('WP01', ref('1')); // no-op keeps created_at
        expect((await stores.mappings.getByWorkPackage('WP01', 'github'))!.created_at).to.equal(
          first.created_at,
        );
        await stores.mappings.addMapping('WP01', ref('3'));
        await stores.mappings.addMapping('WP01', ref('9', 'gitlab', 'g/p'));
        const mappings = await stores.mappings.listMappings();
        expect(mappings.map((m) => `${m.wp_id}->${refIdentity(m.ref)}`)).to.deep.equal([
          'WP01->github:acme/widgets:3',
          'WP01->gitlab:g/p:9',
        ]);
      });

      it('refuses to map an issue already mapped to another work package, with a clear error', async () => {
        await stores.mappings.addMapping('WP01', ref('1'));
        let error: unknown;
        try {
          await stores.mappings.addMapping('WP02', ref('1'));
        } catch (caught) {
          error = caught;
        }
        expect(error).to.be.instanceOf(MappingConflictError);
        expect((error as Error).message).to.contain('WP01');
        expect((await stores.mappings.listMappings()).map((m) => m.wp_id)).to.deep.equal(['WP01']);
      });
    });

    describe('CheckpointStore', () => {
      it('gets what was set, per key, across reopen; delete forgets it', async () => {
        expect(await stores.checkpoints.getCheckpoint('pull:github:acme/widgets')).to.equal(null);
        await stores.checkpoints.setCheckpoint('pull:github:acme/widgets', {
          cursor: 'page=3',
          updated_since: '2026-01-01T00:00:00.000Z',
          high_water: '2026-01-02T00:00:00.000Z',
        });
        await stores.checkpoints.setCheckpoint('other', {
          cursor: null,
          updated_since: null,
          high_water: null,
        });
        const again = await stores.reopen();
        expect(await again.checkpoints.getCheckpoint('pull:github:acme/widgets')).to.deep.equal({
          cursor: 'page=3',
          updated_since: '2026-01-01T00:00:00.000Z',
          high_water: '2026-01-02T00:00:00.000Z',
        });
        await again.checkpoints.deleteCheckpoint('pull:github:acme/widgets');
        expect(await again.checkpoints.getCheckpoint('pull:github:acme/widgets')).to.equal(null);
        expect(await again.checkpoints.getCheckpoint('other')).to.deep.equal({
          cursor: null,
          updated_since: null,
          high_water: null,
        });
      });
    });
  });
}

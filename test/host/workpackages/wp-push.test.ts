import {expect} from 'chai';

import {refIdentity} from '../../../src/core/model/external-ref.js';
import {createOwnershipPolicy, type OwnershipPolicy} from '../../../src/core/policy/ownership.js';
import {ManualClock} from '../../../src/core/protocols/runtime.js';
import {InMemoryConnector} from '../../../src/core/memory/in-memory-connector.js';
import {InMemoryCheckpointStore, InMemoryIssueStore} from '../../../src/core/memory/in-memory-stores.js';
import {SyncEngine} from '../../../src/core/sync/sync-engine.js';
import {appendLaneTransition} from '../../fakes/spec-kitty-project.js';
import {runWorkPackagePush} from '../../../src/host/workpackages/wp-push.js';
import {buildProject, checkoutProject, type BuiltProject} from '../../support/project-builder.js';

const READ_OPS = ['listIssues', 'getIssue', 'findByIdempotencyKey'];

interface Harness {
  clock: ManualClock;
  connector: InMemoryConnector;
  store: InMemoryIssueStore;
  engine: SyncEngine;
  push(options?: {createMissing?: boolean}): ReturnType<typeof runWorkPackagePush>;
}

function harness(
  project: BuiltProject,
  policy: OwnershipPolicy,
  clock = new ManualClock('2026-03-05T12:00:00.000Z'),
): Harness {
  const connector = new InMemoryConnector({clock});
  const store = new InMemoryIssueStore(clock);
  const engine = new SyncEngine({
    connector,
    issues: store,
    checkpoints: new InMemoryCheckpointStore(),
    policy,
    clock,
    sleep: clock.sleep,
  });
  let n = 0;
  return {
    clock,
    connector,
    store,
    engine,
    push: (options = {}) =>
      runWorkPackagePush(
        {
          root: project.root,
          stores: store,
          provider: connector.provider,
          workspace: connector.workspace,
          capabilities: connector.capabilities(),
          policy,
          createMissing: options.createMissing ?? false,
          clock,
          newId: () => `TEST${String(++n).padStart(22, '0')}`,
        },
        () => engine.push(),
      ),
  };
}

describe('work packages: sync push with a fake tracker', () => {
  describe('lane changes of mapped work packages', () => {
    let project: BuiltProject;
    let h: Harness;
    const policy = createOwnershipPolicy('split_ownership');

    beforeEach(async () => {
      project = checkoutProject();
      h = harness(project, policy);
      const statuses = {WP01: 'done', WP02: 'todo', WP03: 'todo'} as const;
      const refs = [];
      for (const [wp, status] of Object.entries(statuses)) {
        const issue = h.connector.seed({title: `${wp} issue`, status});
        refs.push(issue.ref);
        await h.store.addMapping(`010-checkout/${wp}`, issue.ref);
      }
      // The dependency WP02 -> WP01 is already linked in the tracker.
      h.connector.remoteEdit('1', {links: [{type: 'blocks', target: refs[1]}]});
      await h.engine.pull();
      h.clock.advance(60_000);
    });
    afterEach(() => project.cleanup());

    it('pushes nothing while lanes and issues agree', async () => {
      const before = h.connector.requests.length;
      const result = await h.push();
      expect(result.intents.edits).to.deep.equal([]);
      expect(h.connector.requests.slice(before)).to.deep.equal([]);
    });

    it('moving WP02 planned -> for_review makes one status change on its issue, and a second push only reads', async () => {
      h.clock.advance(60_000);
      appendLaneTransition(project.root, '010-checkout', 'WP02', 'claimed', {
        at: h.clock.now(),
        eventId: '01KZ00000000000000000000A1',
      });
      appendLaneTransition(project.root, '010-checkout', 'WP02', 'in_progress', {
        at: h.clock.now(),
        eventId: '01KZ00000000000000000000A2',
      });
      h.clock.advance(1000);
      appendLaneTransition(project.root, '010-checkout', 'WP02', 'for_review', {
        at: h.clock.now(),
        eventId: '01KZ00000000000000000000A3',
      });
      h.clock.advance(60_000);

      const before = h.connector.requests.length;
      const first = await h.push();
      const sent = h.connector.requests.slice(before);
      const writes = sent.filter((r) => !READ_OPS.includes(r.op));
      expect(writes).to.deep.equal([{op: 'transitionIssue', ref: 'memory:test:2', status: 'in_review'}]);
      expect(first.intents.edits.map((e) => [e.qualified_id, e.from, e.to])).to.deep.equal([
        ['010-checkout/WP02', 'todo', 'in_review'],
      ]);
      expect(h.connector.allRemote().map((i) => i.status)).to.deep.equal(['done', 'in_review', 'todo']);
      expect(first.results).to.have.length(1);

      const again = h.connector.requests.length;
      const second = await h.push();
      expect(second.intents.edits).to.deep.equal([]);
      expect(h.connector.requests.slice(again).filter((r) => !['listIssues'].includes(r.op))).to.deep.equal(
        [],
      );
      expect(await h.store.listPending()).to.deep.equal([]);
    });

    it('does not revert a status someone set in the tracker after the lane moved (shared status)', async () => {
      h.connector.remoteEdit('3', {status: 'in_progress'});
      await h.engine.pull();
      h.clock.advance(60_000);
      const before = h.connector.requests.length;
      const result = await h.push();
      expect(h.connector.requests.slice(before).filter((r) => !READ_OPS.includes(r.op))).to.deep.equal([]);
      expect(result.intents.skipped.map((s) => [s.qualified_id, s.reason])).to.deep.equal([
        ['010-checkout/WP03', 'tracker_newer'],
      ]);
    });

    it('lets the lane win when the binding gives status to spec-kitty', async () => {
      h.connector.remoteEdit('3', {status: 'in_progress'});
      await h.engine.pull();
      const local = harnessWith(createOwnershipPolicy('split_ownership', {status: 'local'}));
      const result = await local.push();
      expect(result.intents.edits.map((e) => [e.qualified_id, e.to])).to.deep.equal([
        ['010-checkout/WP03', 'todo'],
      ]);
      expect(h.connector.remote('3')!.status).to.equal('todo');

      function harnessWith(p: OwnershipPolicy): Harness {
        const engine = new SyncEngine({
          connector: h.connector,
          issues: h.store,
          checkpoints: new InMemoryCheckpointStore(),
          policy: p,
          clock: h.clock,
          sleep: h.clock.sleep,
        });
        return {
          ...h,
          engine,
          push: () =>
            runWorkPackagePush(
              {
                root: project.root,
                stores: h.store,
                provider: 'memory',
                workspace: 'test',
                capabilities: h.connector.capabilities(),
                policy: p,
                clock: h.clock,
              },
              () => engine.push(),
            ),
        };
      }
    });

    it('under external_authoritative records and sends nothing, and says so', async () => {
      h.clock.advance(60_000);
      appendLaneTransition(project.root, '010-checkout', 'WP03', 'in_progress', {
        at: h.clock.now(),
        eventId: '01KZ00000000000000000000B1',
      });
      h.clock.advance(60_000);
      const external = createOwnershipPolicy('external_authoritative');
      const engine = new SyncEngine({
        connector: h.connector,
        issues: h.store,
        checkpoints: new InMemoryCheckpointStore(),
        policy: external,
        clock: h.clock,
        sleep: h.clock.sleep,
      });
      const before = h.connector.requests.length;
      const result = await runWorkPackagePush(
        {
          root: project.root,
          stores: h.store,
          provider: 'memory',
          workspace: 'test',
          policy: external,
          clock: h.clock,
          createMissing: true,
        },
        () => engine.push(),
      );
      expect(h.connector.requests.slice(before)).to.deep.equal([]);
      expect(await h.store.listPending()).to.deep.equal([]);
      expect(result.intents.skipped.map((s) => s.reason)).to.include('external_authoritative');
      expect(result.intents.warnings.join('\n')).to.contain('external_authoritative');
    });
  });

  describe('--create-missing', () => {
    let project: BuiltProject;
    afterEach(() => project.cleanup());

    it('creates 7 issues and 3 links for a mission of 7 work packages, maps all 7, and a re-run creates nothing', async () => {
      const lanes = ['done', 'approved', 'in_progress', 'planned', 'planned', 'blocked', 'for_review'];
      project = buildProject({
        missions: [
          {
            slug: '020-search',
            friendly_name: 'Search',
            work_packages: lanes.map((lane, i) => ({
              id: `WP0${i + 1}`,
              title: `Search step ${i + 1}`,
              lane,
              dependencies: i === 1 || i === 2 ? ['WP01'] : i === 4 ? ['WP04'] : [],
            })),
          },
        ],
      });
      const h = harness(project, createOwnershipPolicy('split_ownership'));
      const result = await h.push({createMissing: true});

      expect(h.connector.countOf('createIssue')).to.equal(7);
      expect(h.connector.countOf('upsertLink')).to.equal(3);
      const remote = h.connector.allRemote();
      expect(remote.map((i) => i.title)).to.deep.equal(
        lanes.map((_, i) => `WP0${i + 1} Search step ${i + 1}`),
      );
      expect(remote.map((i) => i.status)).to.deep.equal([
        'done',
        'in_review',
        'in_progress',
        'todo',
        'todo',
        'blocked',
        'in_review',
      ]);
      expect(remote[0].labels).to.deep.equal(['020-search', 'spec-kitty']);
      expect(remote[0].body)
        .to.contain('spec-kitty work package `020-search/WP01`')
        .and.to.contain('kitty-specs/020-search/tasks/WP01-');
      const byTitle = new Map(remote.map((i) => [i.title.slice(0, 4), i]));
      const linkPairs = remote
        .flatMap((i) => i.links.map((l) => `${i.title.slice(0, 4)} ${l.type} ${l.target.id}`))
        .sort();
      expect(linkPairs).to.deep.equal(
        [
          `WP01 blocks ${byTitle.get('WP02')!.ref.id}`,
          `WP01 blocks ${byTitle.get('WP03')!.ref.id}`,
          `WP04 blocks ${byTitle.get('WP05')!.ref.id}`,
        ].sort(),
      );
      const mappings = await h.store.listMappings();
      expect(mappings.map((m) => m.wp_id)).to.deep.equal(lanes.map((_, i) => `020-search/WP0${i + 1}`));
      expect(mappings.every((m) => !m.ref.id.startsWith('draft-'))).to.equal(true);
      expect(new Set(mappings.map((m) => refIdentity(m.ref))).size).to.equal(7);
      expect(result.results).to.have.length(2);
      expect(await h.store.listPending()).to.deep.equal([]);

      const before = h.connector.requests.length;
      const rerun = await h.push({createMissing: true});
      expect(h.connector.requests.slice(before).filter((r) => !READ_OPS.includes(r.op))).to.deep.equal([]);
      expect(rerun.intents.drafts).to.deep.equal([]);
      expect(rerun.intents.links).to.deep.equal([]);
      expect(rerun.intents.deferred_links).to.equal(0);
      expect(h.connector.allRemote()).to.have.length(7);
    });

    it('a dry run records nothing', async () => {
      project = buildProject({
        missions: [
          {
            slug: '030-x',
            work_packages: [
              {id: 'WP01', title: 'One'},
              {id: 'WP02', title: 'Two', dependencies: ['WP01']},
            ],
          },
        ],
      });
      const h = harness(project, createOwnershipPolicy('spec_kitty_authoritative'));
      const result = await runWorkPackagePush(
        {
          root: project.root,
          stores: h.store,
          provider: 'memory',
          workspace: 'test',
          policy: createOwnershipPolicy('spec_kitty_authoritative'),
          clock: h.clock,
          createMissing: true,
          dryRun: true,
        },
        () => h.engine.push({dryRun: true}),
      );
      expect(result.intents.counts).to.deep.equal({
        edits: 0,
        drafts: 2,
        mappings: 2,
        links: 0,
        unlinks: 0,
        parents: 0,
      });
      expect(result.intents.deferred_links).to.equal(1);
      expect(await h.store.listIssues()).to.deep.equal([]);
      expect(await h.store.listMappings()).to.deep.equal([]);
      expect(h.connector.requests).to.deep.equal([]);
    });
  });
});

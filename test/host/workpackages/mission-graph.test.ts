import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

import {expect} from 'chai';

import {refIdentity} from '../../../src/core/model/external-ref.js';
import {createOwnershipPolicy, type OwnershipPolicy} from '../../../src/core/policy/ownership.js';
import {ManualClock} from '../../../src/core/protocols/runtime.js';
import {InMemoryConnector} from '../../../src/core/memory/in-memory-connector.js';
import {InMemoryCheckpointStore, InMemoryIssueStore} from '../../../src/core/memory/in-memory-stores.js';
import {SyncEngine} from '../../../src/core/sync/sync-engine.js';
import {appendLaneTransition} from '../../fakes/spec-kitty-project.js';
import {runWorkPackagePush} from '../../../src/host/workpackages/wp-push.js';
import {buildProject, type BuiltProject} from '../../support/project-builder.js';

const READ_OPS = ['listIssues', 'getIssue', 'findByIdempotencyKey'];

function harness(project: BuiltProject, policy: OwnershipPolicy, options: {missionIssues?: boolean} = {}) {
  const clock = new ManualClock('2026-03-05T12:00:00.000Z');
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
  const push = (createMissing = true) =>
    runWorkPackagePush(
      {
        root: project.root,
        stores: store,
        provider: connector.provider,
        workspace: connector.workspace,
        capabilities: connector.capabilities(),
        policy,
        createMissing,
        missionIssues: options.missionIssues ?? true,
        clock,
        newId: () => `TEST${String(++n).padStart(22, '0')}`,
      },
      () => engine.push(),
    );
  const writes = () => connector.requests.filter((r) => !READ_OPS.includes(r.op));
  return {clock, connector, store, engine, push, writes};
}

function setDependencies(project: BuiltProject, slug: string, wp: string, deps: readonly string[]): void {
  const dir = join(project.root, 'kitty-specs', slug, 'tasks');
  const file = join(
    dir,
    readdirSync(dir).find((name) => name.startsWith(`${wp}-`))!,
  );
  const text = readFileSync(file, 'utf8').replace(
    /dependencies:(?: \[\]|\n(?:- .*\n)+)/,
    deps.length === 0 ? 'dependencies: []\n' : `dependencies:\n${deps.map((d) => `- ${d}`).join('\n')}\n`,
  );
  writeFileSync(file, text);
}

function mission(slug: string, name: string, lanes: readonly string[], deps: Record<string, string[]> = {}) {
  return {
    slug,
    friendly_name: name,
    work_packages: lanes.map((lane, i) => ({
      id: `WP0${i + 1}`,
      title: `${name} step ${i + 1}`,
      lane,
      dependencies: deps[`WP0${i + 1}`] ?? [],
    })),
  };
}

describe('work packages: the mission graph on the tracker', () => {
  let project: BuiltProject;
  afterEach(() => project?.cleanup());

  it('creates one issue per mission, every work package issue its child, dependencies as blocks; a re-run writes nothing', async () => {
    project = buildProject({
      missions: [
        mission('020-search', 'Search', ['done', 'planned', 'planned'], {WP02: ['WP01'], WP03: ['WP02']}),
      ],
    });
    const meta = join(project.root, 'kitty-specs', '020-search', 'meta.json');
    writeFileSync(
      meta,
      JSON.stringify({...JSON.parse(readFileSync(meta, 'utf8')), source_description: 'Find things fast.'}),
    );
    const h = harness(project, createOwnershipPolicy('split_ownership'));
    const result = await h.push();

    const remote = h.connector.allRemote();
    expect(remote).to.have.length(4);
    const epic = remote.find((i) => i.title === 'Search')!;
    expect(epic.issue_type).to.equal('epic');
    expect(epic.body).to.contain('Find things fast.').and.to.contain('spec-kitty mission `020-search`');
    const wps = remote.filter((i) => i !== epic);
    expect(wps.map((i) => i.parent?.id)).to.deep.equal([epic.ref.id, epic.ref.id, epic.ref.id]);
    const [wp1, wp2, wp3] = wps;
    expect(wp1.links.map((l) => `${l.type} ${l.target.id}`)).to.deep.equal([`blocks ${wp2.ref.id}`]);
    expect(wp2.links.map((l) => `${l.type} ${l.target.id}`)).to.deep.equal([`blocks ${wp3.ref.id}`]);
    expect(h.connector.countOf('upsertLink')).to.equal(2);
    expect(h.connector.countOf('createIssue')).to.equal(4);
    expect(result.results).to.have.length(2);
    const mappings = await h.store.listMappings();
    expect(mappings.map((m) => m.wp_id)).to.include('020-search/mission');

    const before = h.writes().length;
    const rerun = await h.push();
    expect(h.writes().slice(before)).to.deep.equal([]);
    expect(rerun.intents.missions).to.deep.equal([]);
    expect(rerun.intents.parents).to.deep.equal([]);
  });

  it('closes the mission issue when every work package is done and reopens it when one goes back', async () => {
    project = buildProject({missions: [mission('021-done', 'Done soon', ['done', 'for_review'])]});
    const h = harness(project, createOwnershipPolicy('spec_kitty_authoritative'));
    await h.push();
    const epic = () => h.connector.allRemote().find((i) => i.title === 'Done soon')!;
    expect(epic().status).to.equal('todo');
    appendLaneTransition(project.root, '021-done', 'WP02', 'done', {
      at: new Date('2026-03-05T13:00:00Z'),
      eventId: '01JTESTEVENT000000000000A1',
      from: 'for_review',
    });
    await h.push();
    expect(epic().status).to.equal('done');
    appendLaneTransition(project.root, '021-done', 'WP02', 'in_progress', {
      at: new Date('2026-03-05T14:00:00Z'),
      eventId: '01JTESTEVENT000000000000A2',
      from: 'done',
    });
    await h.push();
    expect(epic().status).to.equal('todo');
  });

  it('removes the relation of a dependency dropped from a task file with one write, and then writes nothing', async () => {
    project = buildProject({
      missions: [
        mission('022-deps', 'Deps', ['planned', 'planned', 'planned'], {WP02: ['WP01'], WP03: ['WP01']}),
      ],
    });
    const h = harness(project, createOwnershipPolicy('split_ownership'));
    await h.push();
    setDependencies(project, '022-deps', 'WP03', []);
    const before = h.writes().length;
    const result = await h.push();
    expect(
      h
        .writes()
        .slice(before)
        .map((r) => r.op),
    ).to.deep.equal(['removeLink']);
    expect(result.intents.unlinks.map((l) => `${l.blocker} ${l.blocked}`)).to.deep.equal([
      '022-deps/WP01 022-deps/WP03',
    ]);
    const wp1 = h.connector.allRemote().find((i) => i.title.startsWith('WP01'))!;
    expect(wp1.links).to.have.length(1);
    const again = h.writes().length;
    await h.push();
    expect(h.writes().slice(again)).to.deep.equal([]);
  });

  it('moves a work package issue under its new mission issue, and leaves a parent someone else set', async () => {
    project = buildProject({
      missions: [
        mission('030-a', 'Mission A', ['planned', 'planned']),
        mission('031-b', 'Mission B', ['planned']),
      ],
    });
    const h = harness(project, createOwnershipPolicy('split_ownership'));
    await h.push();
    const remote = () => h.connector.allRemote();
    const epicB = remote().find((i) => i.title === 'Mission B')!;
    const wp2a = remote().find((i) => i.title.startsWith('WP02 Mission A'))!;
    // WP02 of A is now WP02 of B (its task file moved; its mapping follows it).
    const mapping = (await h.store.listMappings()).find((m) => m.wp_id === '030-a/WP02')!;
    await h.store.removeMapping('030-a/WP02');
    await h.store.addMapping('031-b/WP02', mapping.ref);
    const dir = join(project.root, 'kitty-specs');
    const file = readdirSync(join(dir, '030-a', 'tasks')).find((n) => n.startsWith('WP02-'))!;
    writeFileSync(join(dir, '031-b', 'tasks', file), readFileSync(join(dir, '030-a', 'tasks', file), 'utf8'));
    const {rmSync} = await import('node:fs');
    rmSync(join(dir, '030-a', 'tasks', file));
    // Someone placed WP01 of B under an issue of their own.
    const theirs = h.connector.seed({title: 'Their epic'});
    const wp1b = remote().find((i) => i.title.startsWith('WP01 Mission B'))!;
    h.clock.advance(60_000);
    h.connector.remoteEdit(wp1b.ref.id, {parent: theirs.ref});
    await h.engine.pull();

    const before = h.writes().length;
    const result = await h.push(false);
    expect(
      h
        .writes()
        .slice(before)
        .map((r) => [r.op, r.ref]),
    ).to.deep.equal([['updateIssue', refIdentity(wp2a.ref)]]);
    expect(remote().find((i) => i.ref.id === wp2a.ref.id)!.parent?.id).to.equal(epicB.ref.id);
    expect(remote().find((i) => i.ref.id === wp1b.ref.id)!.parent?.id).to.equal(theirs.ref.id);
    expect(result.intents.warnings.join('\n')).to.match(
      /1 work package issue\(s\) keep the parent someone set/,
    );
  });

  it('writes no parent and no link where the binding gives them to the tracker', async () => {
    project = buildProject({
      missions: [mission('040-own', 'Owned', ['planned', 'planned'], {WP02: ['WP01']})],
    });
    const policy = createOwnershipPolicy('split_ownership', {parent: 'external', links: 'external'});
    const h = harness(project, policy);
    const result = await h.push();
    expect(h.connector.countOf('upsertLink')).to.equal(0);
    expect(h.connector.allRemote().every((i) => i.parent === null)).to.equal(true);
    expect(result.intents.skipped.map((s) => s.reason)).to.include('links_not_owned');
  });

  it('creates no mission issue when turned off', async () => {
    project = buildProject({missions: [mission('041-off', 'Off', ['planned'])]});
    const h = harness(project, createOwnershipPolicy('split_ownership'), {missionIssues: false});
    await h.push();
    expect(h.connector.allRemote().map((i) => i.title)).to.deep.equal(['WP01 Off step 1']);
  });

  it('finds the mission issue by its marker when its mapping is lost: no second one', async () => {
    project = buildProject({missions: [mission('042-lost', 'Lost', ['planned'])]});
    const h = harness(project, createOwnershipPolicy('split_ownership'));
    await h.push();
    await h.store.removeMapping('042-lost/mission');
    const result = await h.push();
    expect(h.connector.allRemote().filter((i) => i.title === 'Lost')).to.have.length(1);
    expect(result.intents.missions.map((m) => m.adopted !== null)).to.deep.equal([true]);
  });

  it('a push that fails halfway and is run again leaves each relation once and none missing', async () => {
    project = buildProject({
      missions: [
        mission('050-crash', 'Crash', ['planned', 'planned', 'planned', 'planned'], {
          WP02: ['WP01'],
          WP03: ['WP02'],
          WP04: ['WP01'],
        }),
      ],
    });
    const h = harness(project, createOwnershipPolicy('split_ownership'));
    // The second link is written, then the answer is lost (as when the process dies after the request).
    h.connector.failOn('upsertLink', new Error('connection reset'), {when: (i) => i === 1, after: true});
    h.connector.failOn('updateIssue', new Error('connection reset'), {when: (i) => i === 2, after: true});
    let failed = 0;
    for (let run = 0; run < 3; run++) {
      try {
        await h.push();
      } catch {
        // An error that is not the tracker's ends the push, as a crash would; the rerun converges.
        failed += 1;
      }
    }
    expect(failed, 'the scripted failures happened').to.be.greaterThan(0);
    const remote = h.connector.allRemote();
    const epic = remote.find((i) => i.title === 'Crash')!;
    const wps = remote.filter((i) => i !== epic);
    expect(wps.map((i) => i.parent?.id)).to.deep.equal(wps.map(() => epic.ref.id));
    const id = (title: string) => wps.find((i) => i.title.startsWith(title))!.ref.id;
    const relations = wps.flatMap((i) => i.links.map((l) => `${i.ref.id} ${l.type} ${l.target.id}`)).sort();
    expect(relations).to.deep.equal(
      [
        `${id('WP01')} blocks ${id('WP02')}`,
        `${id('WP02')} blocks ${id('WP03')}`,
        `${id('WP01')} blocks ${id('WP04')}`,
      ].sort(),
    );
    const before = h.writes().length;
    await h.push();
    expect(h.writes().slice(before)).to.deep.equal([]);
  });
});

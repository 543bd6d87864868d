import {expect} from 'chai';

import type {InMemoryConnector} from '../../../src/core/memory/in-memory-connector.js';
import {appendLaneTransition, writeSpecKittyProject} from '../../fakes/spec-kitty-project.js';
import {
  BOUND_GITHUB,
  exitCode,
  installTracker,
  makeProject,
  parseJson,
  run,
  type TestProject,
} from './helpers.js';

const LANES = ['done', 'approved', 'in_progress', 'planned', 'planned', 'blocked', 'for_review'];

/** Mission `020-search`: 7 work packages; WP02 and WP03 depend on WP01, WP05 on WP04. */
function writeSearchMission(root: string): void {
  writeSpecKittyProject(root, {
    start: '2026-03-01T09:00:00.000Z',
    missions: [
      {
        slug: '020-search',
        friendly_name: 'Search',
        work_packages: LANES.map((lane, i) => ({
          id: `WP0${i + 1}`,
          title: `Search step ${i + 1}`,
          lane,
          dependencies: i === 1 || i === 2 ? ['WP01'] : i === 4 ? ['WP04'] : [],
        })),
      },
    ],
  });
}

interface WorkPackageRowJson {
  qualified_id: string;
  lane: string;
  lane_status: string | null;
  mapped: boolean;
  issue_key: string | null;
  remote_status: string | null;
  disagree: boolean;
}

describe('tracker commands with work packages', () => {
  let project: TestProject;
  beforeEach(() => {
    project = makeProject({config: BOUND_GITHUB});
    process.env.GITHUB_TOKEN = 'ghp_workPackageToken0123456789abcdefABCD';
    writeSearchMission(project.root);
  });
  afterEach(() => project.cleanup());

  describe('sync push --create-missing', () => {
    it('creates 7 issues AND the 3 links in one command, maps all 7; a re-run creates nothing and writes nothing', async () => {
      const tracker = installTracker().connector;
      const r = await run(['tracker', 'sync', 'push', '--create-missing', '--json']);
      expect(r.error, r.stderr).to.equal(undefined);

      // Seven work packages' issues and the mission's, their parent.
      expect(tracker.countOf('createIssue')).to.equal(8);
      expect(tracker.countOf('upsertLink')).to.equal(3);
      const all = tracker.allRemote();
      const epic = all.find((i) => i.title === 'Search')!;
      const remote = all.filter((i) => i !== epic);
      expect(remote.map((i) => i.parent?.id)).to.deep.equal(remote.map(() => epic.ref.id));
      const idOf = new Map(remote.map((i) => [i.title.slice(0, 4), i.ref.id]));
      const links = remote
        .flatMap((i) => i.links.map((l) => `${i.title.slice(0, 4)} ${l.type} ${l.target.id}`))
        .sort();
      expect(links).to.deep.equal(
        [
          `WP01 blocks ${idOf.get('WP02')}`,
          `WP01 blocks ${idOf.get('WP03')}`,
          `WP04 blocks ${idOf.get('WP05')}`,
        ].sort(),
      );

      const report = parseJson<{
        ok: boolean;
        stats: {pushed_created: number; pushed_updated: number};
        work_packages: {counts: {drafts: number; links: number}; deferred_links: number};
      }>(r.stdout);
      expect(report.ok).to.equal(true);
      expect(report.stats.pushed_created).to.equal(8);
      // Each work package's issue went under the mission's; WP01's and WP04's also got links.
      expect(report.stats.pushed_updated).to.equal(7);
      expect(report.work_packages.counts).to.include({drafts: 8, links: 3, parents: 7});
      expect(report.work_packages.deferred_links).to.equal(0);

      const mappings = parseJson<{mappings: {wp_id: string; external_id: string}[]}>(
        (await run(['tracker', 'map', 'list', '--json'])).stdout,
      ).mappings;
      expect(mappings.map((m) => m.wp_id).sort()).to.deep.equal([
        ...LANES.map((_, i) => `020-search/WP0${i + 1}`),
        '020-search/mission',
      ]);
      expect(mappings.every((m) => !m.external_id.startsWith('draft-'))).to.equal(true);
      expect(new Set(mappings.map((m) => m.external_id)).size).to.equal(8);
      const status = parseJson<{pending_edits: number}>((await run(['tracker', 'status', '--json'])).stdout);
      expect(status.pending_edits).to.equal(0);

      const writesBefore = tracker.writeRequests().length;
      const rerun = await run(['tracker', 'sync', 'push', '--create-missing']);
      expect(rerun.error, rerun.stderr).to.equal(undefined);
      expect(tracker.writeRequests()).to.have.length(writesBefore);
      expect(tracker.allRemote()).to.have.length(8);
      expect(rerun.stdout).to.match(/- created: 0\n- updated: 0\n/);
      expect(rerun.stdout).not.to.include('Work packages:');
    });

    it('prints what it did for people: drafts, links, then the counts', async () => {
      installTracker();
      const r = await run(['tracker', 'sync', 'push', '--create-missing']);
      expect(r.error, r.stderr).to.equal(undefined);
      expect(r.stdout).to.match(
        /^Work packages: recorded 0 status change\(s\), 8 new issue draft\(s\), 3 link\(s\), 7 parent\(s\)\n/,
      );
      expect(r.stdout).to.include('020-search/WP01: new issue');
      expect(r.stdout).to.match(/020-search\/WP01 blocks 020-search\/WP02/);
      expect(r.stdout).not.to.include('wait until both issues exist');
      expect(r.stdout).to.include('020-search: new mission issue "Search"');
      expect(r.stdout).to.match(/Pushed to github\n- created: 8\n- updated: 7\n/);
    });

    it('a dry run records and sends nothing, and says the links wait for the issues', async () => {
      const tracker = installTracker().connector;
      const r = await run(['tracker', 'sync', 'push', '--create-missing', '--dry-run']);
      expect(r.error, r.stderr).to.equal(undefined);
      expect(tracker.writeRequests()).to.deep.equal([]);
      expect(r.stdout).to.include('would record 0 status change(s), 8 new issue draft(s)');
      expect(r.stdout).to.include("7 issue(s) go under their mission's issue once it exists");
      expect(r.stdout).to.include('3 dependency link(s) wait until both issues exist');
      const list = parseJson<{mappings: unknown[]}>((await run(['tracker', 'map', 'list', '--json'])).stdout);
      expect(list.mappings).to.deep.equal([]);
    });
  });

  describe('status and list-tickets --mission', () => {
    async function createAll(tracker: InMemoryConnector): Promise<void> {
      const r = await run(['tracker', 'sync', 'push', '--create-missing']);
      expect(r.error, r.stderr).to.equal(undefined);
      expect(tracker.allRemote()).to.have.length(8);
    }

    it('status shows per work package: lane, mapped issue, remote status, disagreement (text and --json)', async () => {
      const tracker = installTracker().connector;
      await createAll(tracker);
      // Someone reopens WP01's issue in the tracker; a pull brings it in.
      const wp01 = tracker.allRemote().find((i) => i.title.startsWith('WP01'))!;
      tracker.remoteEdit(wp01.ref.id, {status: 'in_progress'});
      expect((await run(['tracker', 'sync', 'pull'])).error).to.equal(undefined);

      const json = parseJson<{work_packages: WorkPackageRowJson[]}>(
        (await run(['tracker', 'status', '--json'])).stdout,
      );
      expect(
        json.work_packages.map((w) => [w.qualified_id, w.lane, w.remote_status, w.disagree]),
      ).to.deep.equal([
        ['020-search/WP01', 'done', 'in_progress', true],
        ['020-search/WP02', 'approved', 'in_review', false],
        ['020-search/WP03', 'in_progress', 'in_progress', false],
        ['020-search/WP04', 'planned', 'todo', false],
        ['020-search/WP05', 'planned', 'todo', false],
        ['020-search/WP06', 'blocked', 'blocked', false],
        ['020-search/WP07', 'for_review', 'in_review', false],
      ]);
      expect(json.work_packages.every((w) => w.mapped && w.issue_key !== null)).to.equal(true);

      const text = (await run(['tracker', 'status'])).stdout;
      expect(text).to.include('Work packages: 7 (7 mapped, 1 disagree with the tracker)');
      expect(text).to.match(
        new RegExp(`020-search/WP01\\s+done\\s+${wp01.ref.key} in_progress\\s+\\(differs\\)`),
      );
    });

    it('status lists unmapped work packages as not mapped, and works offline with no credentials', async () => {
      delete process.env.GITHUB_TOKEN;
      const r = await run(['tracker', 'status']);
      expect(r.error, r.stderr).to.equal(undefined);
      expect(r.stdout).to.include('Work packages: 7 (0 mapped, 0 disagree with the tracker)');
      expect(r.stdout).to.match(/020-search\/WP04\s+planned\s+not mapped/);
    });

    it("list-tickets --mission M lists that mission's work packages with the same columns", async () => {
      const tracker = installTracker().connector;
      await createAll(tracker);
      appendLaneTransition(project.root, '020-search', 'WP04', 'claimed', {
        at: new Date(Date.now() + 60_000),
        eventId: '01KZ00000000000000000000B1',
      });
      const text = await run(['tracker', 'list-tickets', '--mission', '020-search']);
      expect(text.error, text.stderr).to.equal(undefined);
      const lines = text.stdout.trimEnd().split('\n');
      expect(lines[0]).to.equal('Mission 020-search: 7 work packages, 1 disagree with the tracker');
      expect(lines).to.have.length(8);
      expect(lines.find((l) => l.startsWith('020-search/WP04'))).to.match(
        /claimed\s+#\S+ todo\s+\(differs\)$/,
      );

      const json = parseJson<{mission: string; work_packages: WorkPackageRowJson[]}>(
        (await run(['tracker', 'list-tickets', '--mission', '020-search', '--json'])).stdout,
      );
      expect(json.mission).to.equal('020-search');
      expect(json.work_packages).to.have.length(7);
      const wp04 = json.work_packages.find((w) => w.qualified_id === '020-search/WP04')!;
      expect(wp04).to.include({
        lane: 'claimed',
        lane_status: 'in_progress',
        remote_status: 'todo',
        disagree: true,
      });
    });

    it('list-tickets --mission with an unknown mission is a clear usage error listing the missions', async () => {
      const r = await run(['tracker', 'list-tickets', '--mission', '999-nope']);
      expect(exitCode(r)).to.equal(2);
      expect(r.stderr).to.match(/^No mission 999-nope in kitty-specs\/\.\n.*020-search/);
    });
  });

  describe('map add with work-package ids', () => {
    it('stores a bare WP01 as the qualified id of the only mission that has it', async () => {
      const r = await run(['tracker', 'map', 'add', '--wp-id', 'wp01', '--external-id', '12', '--json']);
      expect(r.error, r.stderr).to.equal(undefined);
      expect(parseJson<{wp_id: string}>(r.stdout).wp_id).to.equal('020-search/WP01');
    });

    it('refuses an ambiguous bare id, listing the candidates', async () => {
      writeSpecKittyProject(project.root, {
        missions: [{slug: '021-other', work_packages: [{id: 'WP01', title: 'Other'}]}],
      });
      const r = await run(['tracker', 'map', 'add', '--wp-id', 'WP01', '--external-id', '12']);
      expect(exitCode(r)).to.equal(2);
      expect(r.stderr).to.match(/WP01 exists in 2 missions: 020-search, 021-other\./);
      expect(r.stderr).to.match(/--wp-id 020-search\/WP01/);
    });

    it('allows an id kitty-specs does not know, with a warning', async () => {
      const r = await run(['tracker', 'map', 'add', '--wp-id', 'WP42', '--external-id', '12']);
      expect(r.error, r.stderr).to.equal(undefined);
      expect(r.stdout).to.match(/^Mapping saved: WP42 -> 12/);
      expect(r.stderr).to.match(/^Warning: No work package WP42 in kitty-specs\/: mapped as given\./);
    });
  });
});

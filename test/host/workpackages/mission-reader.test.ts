import {expect} from 'chai';
import {readFileSync, readdirSync, statSync} from 'node:fs';
import {join} from 'node:path';

import {readMissions} from '../../../src/host/workpackages/mission-reader.js';
import {allWorkPackages, formatDiagnostic} from '../../../src/host/workpackages/work-package-model.js';
import {realisticProject, buildProject, type BuiltProject} from '../../support/project-builder.js';

function snapshotTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(path, readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  return out;
}

describe('work packages: mission reader', () => {
  let project: BuiltProject;
  before(() => {
    project = realisticProject();
  });
  after(() => project.cleanup());

  it('reads every well-formed work package with the lane, title, dependencies and refs written', async () => {
    const read = await readMissions(project.root);
    const byId = new Map(allWorkPackages(read).map((wp) => [wp.qualified_id, wp]));
    expect([...byId.keys()].sort()).to.deep.equal([...project.expected.keys()].sort());
    for (const [id, want] of project.expected) {
      const got = byId.get(id)!;
      expect({
        id,
        lane: got.lane,
        title: got.title,
        deps: got.dependencies,
        refs: got.tracker_refs,
      }).to.deep.equal({
        id,
        lane: want.lane,
        title: want.title,
        deps: want.dependencies,
        refs: want.tracker_refs,
      });
    }
  });

  it('covers every lane, and says where each lane came from', async () => {
    const read = await readMissions(project.root);
    const eventMission = read.missions.find((m) => m.slug === '001-event-log')!;
    expect(eventMission.lane_source).to.equal('events');
    expect(eventMission.log_healthy).to.equal(true);
    expect(eventMission.work_packages.map((wp) => wp.lane)).to.deep.equal([
      'planned',
      'claimed',
      'in_progress',
      'for_review',
      'in_review',
      'approved',
      'done',
      'blocked',
      'canceled',
    ]);
    expect(
      eventMission.work_packages.every((wp) => wp.lane_source === 'events' && wp.lane_at !== null),
    ).to.equal(true);
    expect(eventMission.friendly_name).to.equal('Event log mission');
    expect(eventMission.mission_id).to.match(/^[0-9A-HJKMNP-TV-Z]{26}$/);

    const snapshot = read.missions.find((m) => m.slug === '002-snapshot-only')!;
    expect(snapshot.lane_source).to.equal('status_json');
    expect(snapshot.work_packages.map((wp) => [wp.wp_id, wp.lane, wp.lane_source])).to.deep.equal([
      ['WP01', 'done', 'status_json'],
      ['WP02', 'in_review', 'status_json'],
    ]);

    const legacy = read.missions.find((m) => m.slug === '003-legacy-frontmatter')!;
    expect(legacy.lane_source).to.equal('frontmatter');
    expect(legacy.mission_id).to.equal(null);
    // `lane: doing` is the legacy name of in_progress.
    expect(legacy.work_packages.map((wp) => [wp.wp_id, wp.lane, wp.lane_source])).to.deep.equal([
      ['WP01', 'in_progress', 'frontmatter'],
      ['WP02', 'planned', 'frontmatter'],
      ['WP03', 'blocked', 'frontmatter'],
    ]);
  });

  it('reports odd files with file and line, without failing the other missions', async () => {
    const read = await readMissions(project.root);
    const lines = read.diagnostics.map(formatDiagnostic);
    const odd = read.missions.find((m) => m.slug === '004-odd-files')!;
    expect(odd.log_healthy).to.equal(false);
    expect(odd.work_packages.map((wp) => wp.wp_id)).to.deep.equal(['WP01', 'WP02']);
    expect(odd.work_packages[0].lane).to.equal('triage');
    expect(odd.work_packages[1].title).to.equal('WP02');

    const codes = read.diagnostics.map((d) => `${d.code}@${d.file}`);
    expect(codes).to.include('unknown_lane@kitty-specs/004-odd-files/status.events.jsonl');
    expect(codes).to.include('missing_frontmatter@kitty-specs/004-odd-files/tasks/WP02-no-frontmatter.md');
    expect(codes).to.include('invalid_frontmatter@kitty-specs/004-odd-files/tasks/WP03-broken-yaml.md');
    expect(codes).to.include('orphan_lane_events@kitty-specs/004-odd-files/status.events.jsonl');
    expect(codes).to.include('missing_meta@kitty-specs/003-legacy-frontmatter/meta.json');
    const bad = read.diagnostics.find((d) => d.code === 'invalid_json')!;
    const logLines = readFileSync(join(project.root, bad.file), 'utf8').split('\n');
    expect(logLines[bad.line! - 1]).to.contain('"wp_id": "WP0');
    expect(
      lines.some((l) =>
        l.startsWith(`kitty-specs/004-odd-files/status.events.jsonl:${bad.line}: invalid JSON`),
      ),
    ).to.equal(true);
    // Nothing else is an error: the decision/retrospective rows, annotations and duplicates are skipped quietly.
    const errors = read.diagnostics
      .filter((d) => d.severity === 'error')
      .map((d) => d.code)
      .sort();
    expect(errors).to.deep.equal(['invalid_frontmatter', 'invalid_json']);
  });

  it('never writes: the tree is byte-identical after reading', async () => {
    const before = snapshotTree(project.root);
    await readMissions(project.root);
    expect(snapshotTree(project.root)).to.deep.equal(before);
  });

  it('reads a project without kitty-specs as empty, with an info line', async () => {
    const empty = buildProject({missions: []});
    try {
      const read = await readMissions(join(empty.root, 'nowhere'));
      expect(read.missions).to.deep.equal([]);
      expect(read.diagnostics.map((d) => d.code)).to.deep.equal(['no_missions']);
    } finally {
      empty.cleanup();
    }
  });

  it('reads only the missions asked for', async () => {
    const read = await readMissions(project.root, {only: ['002-snapshot-only']});
    expect(read.missions.map((m) => m.slug)).to.deep.equal(['002-snapshot-only']);
  });

  it('without bodies: the same missions, work packages and diagnostics, every body empty', async () => {
    const whole = await readMissions(project.root);
    const light = await readMissions(project.root, {bodies: false});
    const withoutBody = (read: typeof whole) =>
      read.missions.map((m) => ({...m, work_packages: m.work_packages.map((wp) => ({...wp, body: ''}))}));
    expect(withoutBody(light)).to.deep.equal(withoutBody(whole));
    expect(light.diagnostics).to.deep.equal(whole.diagnostics);
    expect(allWorkPackages(light).every((wp) => wp.body === '')).to.equal(true);
    expect(allWorkPackages(whole).some((wp) => wp.body.length > 0)).to.equal(true);
  });
});

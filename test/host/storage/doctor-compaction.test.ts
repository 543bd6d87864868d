import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {expect} from 'chai';

import {canonicalJsonLine, InMemoryEventLog, LogBackedStores, ManualClock} from '../../../src/core/index.js';
import {compactScope} from '../../../src/host/storage/compaction.js';
import {endAllRuns} from '../../../src/host/storage/open-segment.js';
import {doctorScope} from '../../../src/host/storage/doctor.js';
import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {listFiles, ref, remote, scopeOptions, tempRoot} from './helpers.js';

describe('doctor', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({root, cleanup} = await tempRoot()));
  afterEach(async () => cleanup());

  // INV-3 (an event id names one event), INV-4 (no damaged line skipped silently): doctor reports their violations by id.
  it('finds every kind of damage, and --fix repairs what it can without losing an event', async () => {
    const storage = openTrackerStorage(scopeOptions(root));
    // Two command runs: two committed segments.
    await storage.stores.recordRemote([{issue: remote('1')}, {issue: remote('2')}]);
    await storage.log.endRun();
    await storage.stores.recordRemote([{issue: remote('3')}]);
    await storage.log.endRun();
    await storage.checkpoints.setCheckpoint('pull', {cursor: null, updated_since: null, high_water: null});
    const events = path.join(storage.scopeDir, 'events');
    const [first, second] = await listFiles(events);
    await fs.appendFile(path.join(events, first!), '{"at": "20');
    const secondText = await fs.readFile(path.join(events, second!), 'utf8');
    const original = JSON.parse(secondText) as Record<string, unknown>;
    // A third segment: a bad line 2, and the second segment's event id with other contents.
    const clash = canonicalJsonLine({...original, issue: {...(original.issue as object), title: 'Other'}});
    await fs.writeFile(path.join(events, '01ARZ3NDEKTSV4RRFFQ69G5FAV.jsonl'), clash + 'not json\n');
    await fs.writeFile(path.join(events, '.x.jsonl.1.ab.tmp'), 'half');
    await fs.mkdir(path.join(storage.scopeDir, '.writer.lock'));
    const old = new Date(Date.now() - 60_000);
    await fs.utimes(path.join(storage.scopeDir, '.writer.lock'), old, old);
    await fs.writeFile(storage.checkpoints.fileFor('pull'), '{"key": "pu');

    const report = await doctorScope({root, scopeDir: storage.scopeDir});
    const codes = report.findings.map((f) => f.code).sort();
    expect(codes).to.deep.equal([
      'damaged_checkpoint',
      'duplicate_event',
      'invalid_line',
      'stale_lock',
      'temp_file',
      'torn_tail',
    ]);
    expect(report.ok).to.equal(false);
    expect(report.findings.find((f) => f.code === 'invalid_line')!.path).to.match(
      /01ARZ3NDEKTSV4RRFFQ69G5FAV\.jsonl:2$/,
    );
    // Damage names the invariant it breaks; harmless leftovers name none.
    const invariantOf = (code: string) => report.findings.find((f) => f.code === code)!;
    for (const [code, id] of [
      ['duplicate_event', 'INV-3'],
      ['invalid_line', 'INV-4'],
      ['torn_tail', 'INV-4'],
    ] as const) {
      expect(invariantOf(code).invariant).to.equal(id);
      expect(invariantOf(code).message).to.contain(`[${id}]`);
    }
    expect(invariantOf('stale_lock').invariant).to.equal(undefined);

    const fixed = await doctorScope({root, scopeDir: storage.scopeDir, fix: true});
    expect(
      fixed.findings
        .filter((f) => !f.fixed)
        .map((f) => f.code)
        .sort(),
    ).to.deep.equal(['duplicate_event', 'invalid_line']);
    expect(await listFiles(events)).to.deep.equal(
      ['01ARZ3NDEKTSV4RRFFQ69G5FAV.jsonl', first!, second!].sort(),
    );
    expect(await fs.readFile(path.join(events, '01ARZ3NDEKTSV4RRFFQ69G5FAV.jsonl'), 'utf8')).to.equal(
      clash + 'not json\n',
    );
    await fs.rm(path.join(events, '01ARZ3NDEKTSV4RRFFQ69G5FAV.jsonl'));
    const healthy = await doctorScope({root, scopeDir: storage.scopeDir});
    expect(healthy.findings).to.deep.equal([]);
    expect(healthy.events).to.equal(3);
    expect((await openTrackerStorage(scopeOptions(root)).stores.listIssues()).length).to.equal(3);
  });

  it('reports mapping conflicts the fold resolved after a merge', async () => {
    const a = new InMemoryEventLog(new ManualClock('2026-01-01T00:00:00Z'));
    const b = new InMemoryEventLog(new ManualClock('2026-01-02T00:00:00Z'));
    await new LogBackedStores(a).addMapping('WP01', ref('1'));
    await new LogBackedStores(b).addMapping('WP02', ref('1'));
    const storage = openTrackerStorage(scopeOptions(root));
    await fs.mkdir(path.join(storage.scopeDir, 'events'), {recursive: true});
    for (const event of [...a.appended, ...b.appended]) {
      await fs.writeFile(
        path.join(storage.scopeDir, 'events', `${event.event_id}.jsonl`),
        canonicalJsonLine(event),
      );
    }
    const report = await doctorScope({root, scopeDir: storage.scopeDir});
    const finding = report.findings.find((f) => f.code === 'fold_diagnostic')!;
    expect(finding.message).to.contain('mapping_conflict').and.contain('WP01').and.contain('WP02');
  });
});

describe('compaction', () => {
  it('squashes every uncommitted segment into one and keeps the state', async () => {
    const {root, cleanup} = await tempRoot();
    try {
      const clock = new ManualClock('2026-01-01T00:00:00Z');
      const storage = openTrackerStorage({...scopeOptions(root), clock});
      for (let v = 0; v < 10; v++) {
        clock.advance(60_000);
        await storage.stores.recordRemote([
          {issue: remote('1', {title: `v${v}`, updated_at: clock.now().toISOString()})},
        ]);
        await endAllRuns(); // one command, one sealed segment
      }
      const before = await storage.stores.listIssues();
      const report = await compactScope(storage.log, {committed: new Set()});
      expect([report.segmentsBefore, report.squashed, report.events]).to.deep.equal([10, 10, 10]);
      const files = await listFiles(path.join(storage.scopeDir, 'events'));
      expect(files).to.have.length(1);
      expect(await openTrackerStorage(scopeOptions(root)).stores.listIssues()).to.deep.equal(before);
      // Writing after a compaction works (the reader refolds).
      await storage.stores.recordLocalEdit(ref('1'), {title: 'after'});
      expect((await openTrackerStorage(scopeOptions(root)).stores.getIssue(ref('1')))!.title).to.equal(
        'after',
      );
    } finally {
      await cleanup();
    }
  });
});

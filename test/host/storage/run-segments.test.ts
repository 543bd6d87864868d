import {spawnSync} from 'node:child_process';
import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {expect} from 'chai';

import {doctorScope} from '../../../src/host/storage/doctor.js';
import {clearSegmentCache} from '../../../src/host/storage/jsonl-event-log.js';
import {thisHost} from '../../../src/host/storage/open-segment.js';
import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {listFiles, ref, remote, scopeOptions, tempRoot} from './helpers.js';

/** A pid that no process has: a child that already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'})
    .stdout as unknown as number;
}

const COMMITTED = /^[0-9A-HJKMNP-TV-Z]{26}\.jsonl$/;

describe('run segments: one committed segment per command run', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({root, cleanup} = await tempRoot());
    clearSegmentCache();
  });
  afterEach(async () => cleanup());

  /** Writes `n` transactions with a log whose run then "dies": its open files get a dead pid. */
  async function deadRun(first: number, n: number): Promise<{names: string[]; texts: string[]}> {
    const storage = openTrackerStorage(scopeOptions(root));
    for (let i = first; i < first + n; i++) await storage.stores.recordRemote([{issue: remote(String(i))}]);
    const events = path.join(storage.scopeDir, 'events');
    const pid = Number(deadPid());
    const names: string[] = [];
    const texts: string[] = [];
    for (const name of (await listFiles(events)).filter(
      (f) => f.includes('.open-') && f.endsWith(`-${process.pid}.jsonl`),
    )) {
      const dead = `${name.slice(0, 26)}.open-${thisHost()}-${pid}.jsonl`;
      await fs.rename(path.join(events, name), path.join(events, dead));
      names.push(dead);
      texts.push(await fs.readFile(path.join(events, dead), 'utf8'));
    }
    return {names, texts};
  }

  it('a run killed while sealing: the next writer deletes what was sealed, seals the rest, loses nothing', async () => {
    const events = path.join(openTrackerStorage(scopeOptions(root)).scopeDir, 'events');
    // Run 1 died after writing its sealed segment and deleting its last open segment.
    const one = await deadRun(1, 3);
    expect(one.names).to.have.length(3);
    await fs.writeFile(path.join(events, `${one.names[0]!.slice(0, 26)}.jsonl`), one.texts.join(''));
    await fs.unlink(path.join(events, one.names[2]!));
    // Run 2 died before sealing anything.
    const two = await deadRun(10, 2);
    // A temp file of a write that never finished.
    await fs.writeFile(path.join(events, `.${two.names[0]}.123.abcd.tmp`), '{"half');

    const reader = openTrackerStorage(scopeOptions(root));
    expect((await reader.stores.listIssues()).map((i) => i.ref.id).sort()).to.deep.equal([
      '1',
      '10',
      '11',
      '2',
      '3',
    ]);

    const writer = openTrackerStorage(scopeOptions(root));
    await writer.log.endRun({recover: true});
    const files = await listFiles(events);
    expect(files).to.have.length(2);
    for (const file of files) expect(file).to.match(COMMITTED);
    const ids: string[] = [];
    for (const file of files) {
      for (const line of (await fs.readFile(path.join(events, file), 'utf8')).trim().split('\n'))
        ids.push((JSON.parse(line) as {event_id: string}).event_id);
    }
    expect(ids).to.have.length(5);
    expect(new Set(ids).size).to.equal(5);
    clearSegmentCache();
    const after = openTrackerStorage(scopeOptions(root));
    expect((await after.stores.listIssues()).map((i) => i.ref.id).sort()).to.deep.equal([
      '1',
      '10',
      '11',
      '2',
      '3',
    ]);
    expect(after.warnings).to.deep.equal([]);
  });

  it("doctor reports a dead run's open segments and --fix seals them", async () => {
    const dead = await deadRun(1, 2);
    const scopeDir = openTrackerStorage(scopeOptions(root)).scopeDir;
    const report = await doctorScope({root, scopeDir});
    const open = report.findings.filter((f) => f.code === 'open_segment');
    expect(open.map((f) => path.basename(f.path!))).to.deep.equal(dead.names);
    expect(report.ok).to.equal(true);
    const fixed = await doctorScope({root, scopeDir, fix: true});
    expect(fixed.findings.filter((f) => f.code === 'open_segment').every((f) => f.fixed)).to.equal(true);
    const files = await listFiles(path.join(scopeDir, 'events'));
    expect(files).to.deep.equal([`${dead.names[0]!.slice(0, 26)}.jsonl`]);
  });

  it('leaves the open segments of a live run alone, and that run seals only its own', async () => {
    const live = openTrackerStorage(scopeOptions(root));
    await live.stores.recordRemote([{issue: remote('1')}]);
    const other = openTrackerStorage(scopeOptions(root));
    await other.stores.recordLocalEdit(ref('1'), {title: 'Edited'});
    await other.log.endRun({recover: true});
    const events = path.join(live.scopeDir, 'events');
    const afterOther = await listFiles(events);
    expect(afterOther.filter((f) => COMMITTED.test(f))).to.have.length(1);
    expect(afterOther.filter((f) => f.includes('.open-'))).to.have.length(1); // the live run's
    await live.log.endRun();
    const files = await listFiles(events);
    expect(files).to.have.length(2);
    for (const file of files) expect(file).to.match(COMMITTED);
    expect((await openTrackerStorage(scopeOptions(root)).stores.getIssue(ref('1')))!.title).to.equal(
      'Edited',
    );
  });

  it('a command that ends its run leaves the read cache current: the next command folds nothing', async () => {
    const withCache = () => openTrackerStorage({...scopeOptions(root), readCache: {minLogBytes: 0}});
    const pull = withCache();
    await pull.stores.recordRemote(Array.from({length: 50}, (_, i) => ({issue: remote(String(i))})));
    await pull.log.endRun();
    await pull.log.refreshReadCache();
    const edit = withCache();
    await edit.stores.recordLocalEdit(ref('7'), {title: 'Edited'});
    await edit.log.endRun();
    clearSegmentCache();
    const next = withCache();
    expect((await next.stores.getIssue(ref('7')))!.title).to.equal('Edited');
    expect(next.log.stats).to.deep.include({segmentsParsed: 0, cacheHits: 1});
  });

  it('a long run seals every 1,000 events instead of growing one open set without end', async () => {
    const storage = openTrackerStorage(scopeOptions(root));
    for (let batch = 0; batch < 5; batch++) {
      const updates = Array.from({length: 300}, (_, k) => ({issue: remote(String(batch * 300 + k))}));
      await storage.stores.recordRemote(updates);
    }
    const events = path.join(storage.scopeDir, 'events');
    const files = await listFiles(events);
    expect(files.filter((f) => COMMITTED.test(f))).to.have.length(1); // 1,200 events sealed at the 4th
    expect(files.filter((f) => f.includes('.open-'))).to.have.length(1);
    await storage.log.endRun();
    expect((await listFiles(events)).every((f) => COMMITTED.test(f))).to.equal(true);
  });
});

describe('batch: many transactions written as one', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({root, cleanup} = await tempRoot());
    clearSegmentCache();
  });
  afterEach(async () => cleanup());

  it('writes the transactions of a batch as one segment; reads inside see them at once', async () => {
    const storage = openTrackerStorage(scopeOptions(root));
    const events = path.join(storage.scopeDir, 'events');
    await storage.stores.batch(async () => {
      for (let i = 1; i <= 50; i++) await storage.stores.recordRemote([{issue: remote(String(i))}]);
      expect(await storage.stores.listIssues()).to.have.length(50);
      expect(await listFiles(events).catch(() => [])).to.deep.equal([]);
    });
    const files = await listFiles(events);
    expect(files).to.have.length(1);
    const lines = (await fs.readFile(path.join(events, files[0]!), 'utf8')).trim().split('\n');
    expect(lines).to.have.length(50);
    clearSegmentCache();
    const reader = openTrackerStorage(scopeOptions(root));
    expect(await reader.stores.listIssues()).to.have.length(50);
  });

  it('writes nothing of a batch that throws, and its writes are not seen afterwards', async () => {
    const storage = openTrackerStorage(scopeOptions(root));
    await storage.stores.recordRemote([{issue: remote('1')}]);
    const failed = await storage.stores
      .batch(async () => {
        await storage.stores.recordRemote([{issue: remote('2')}]);
        throw new Error('refused');
      })
      .then(
        () => null,
        (error: Error) => error.message,
      );
    expect(failed).to.equal('refused');
    expect((await storage.stores.listIssues()).map((i) => i.ref.id)).to.deep.equal(['1']);
    expect(await listFiles(path.join(storage.scopeDir, 'events'))).to.have.length(1);
  });
});

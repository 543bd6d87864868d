import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {expect} from 'chai';

import {canonicalJsonLine, ManualClock} from '../../../src/core/index.js';
import {StorageError} from '../../../src/host/fs/errors.js';
import {IGNORE_RULES} from '../../../src/host/storage/ignore-rules.js';
import {clearSegmentCache} from '../../../src/host/storage/jsonl-event-log.js';
import {scopeDir, scopeName, trackerDir} from '../../../src/host/storage/scope.js';
import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {listFiles, ref, remote, scopeOptions, tempRoot, treeHash} from './helpers.js';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('durable tracker log (JSONL segments)', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({root, cleanup} = await tempRoot());
    clearSegmentCache();
  });
  afterEach(async () => cleanup());

  it('writes one open segment per transaction, sealed into one canonical segment per run, and the ignore rules', async () => {
    const storage = openTrackerStorage({...scopeOptions(root), clock: new ManualClock()});
    await storage.stores.recordRemote([{issue: remote('1')}, {issue: remote('2')}]);
    await storage.stores.recordLocalEdit(ref('1'), {title: 'Local'});
    const events = path.join(storage.scopeDir, 'events');
    const open = await listFiles(events);
    expect(open).to.have.length(2);
    for (const file of open)
      expect(file).to.match(/^[0-9A-HJKMNP-TV-Z]{26}\.open-[0-9a-f]{8}-[0-9]+\.jsonl$/);
    const openText = (await Promise.all(open.map((f) => fs.readFile(path.join(events, f), 'utf8')))).join('');
    // Readers see an open run's records at once.
    expect((await openTrackerStorage(scopeOptions(root)).stores.getIssue(ref('1')))!.title).to.equal('Local');
    await storage.log.endRun();
    const files = await listFiles(events);
    expect(files).to.deep.equal([`${open[0]!.slice(0, 26)}.jsonl`]);
    expect(await fs.readFile(path.join(events, files[0]!), 'utf8')).to.equal(openText);
    expect((await storage.stores.getIssue(ref('1')))!.title).to.equal('Local');
    const first = await fs.readFile(path.join(events, files[0]!), 'utf8');
    const lines = first.split('\n');
    expect(lines.pop()).to.equal('');
    for (const line of lines) expect(line + '\n').to.equal(canonicalJsonLine(JSON.parse(line)));
    expect(await fs.readFile(path.join(trackerDir(root), '.gitignore'), 'utf8')).to.equal(IGNORE_RULES);
    // Stamps never go backwards even though the manual clock did not move.
    const all = (await Promise.all(files.map((f) => fs.readFile(path.join(events, f), 'utf8')))).join('');
    const ats = all
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as {at: string}).at);
    expect(new Set(ats).size).to.equal(2);
  });

  it('a no-op write changes no byte under .kittify/', async () => {
    const storage = openTrackerStorage(scopeOptions(root));
    await storage.stores.recordRemote([{issue: remote('1')}]);
    await storage.stores.addMapping('WP01', ref('1'));
    await storage.checkpoints.setCheckpoint('pull', {
      cursor: null,
      updated_since: null,
      high_water: '2026-01-02T00:00:00.000Z',
    });
    const before = await treeHash(path.join(root, '.kittify'));
    const again = openTrackerStorage(scopeOptions(root));
    expect(await again.stores.recordRemote([{issue: remote('1')}])).to.equal(0);
    await again.stores.addMapping('WP01', ref('1'));
    expect(await again.stores.recordLocalEdit(ref('1'), {title: 'Issue 1'})).to.equal(false);
    await again.checkpoints.setCheckpoint('pull', {
      cursor: null,
      updated_since: null,
      high_water: '2026-01-02T00:00:00.000Z',
    });
    expect(await treeHash(path.join(root, '.kittify'))).to.equal(before);
  });

  it('reads a missing scope as empty and creates nothing', async () => {
    const storage = openTrackerStorage(scopeOptions(root));
    expect(await storage.stores.listIssues()).to.deep.equal([]);
    expect(await listFiles(root)).to.deep.equal([]);
  });

  it('picks up segments written by another process (or a merge) on the next read', async () => {
    const a = openTrackerStorage(scopeOptions(root));
    const b = openTrackerStorage(scopeOptions(root));
    await a.stores.recordRemote([{issue: remote('1')}]);
    expect((await b.stores.listIssues()).length).to.equal(1);
    await b.stores.recordRemote([{issue: remote('2')}]);
    expect((await a.stores.listIssues()).map((i) => i.ref.id)).to.deep.equal(['1', '2']);
  });

  // INV-8: nothing is read or written through a symbolic link.
  it('refuses to read or write through a symbolic link, naming it', async () => {
    const storage = openTrackerStorage(scopeOptions(root));
    await storage.stores.recordRemote([{issue: remote('1')}]);
    const elsewhere = path.join(root, 'elsewhere');
    await fs.rename(path.join(storage.scopeDir, 'events'), elsewhere);
    await fs.symlink(elsewhere, path.join(storage.scopeDir, 'events'));
    const fresh = openTrackerStorage(scopeOptions(root));
    const readError = await rejection(fresh.stores.listIssues());
    expect(readError).to.be.instanceOf(StorageError);
    expect(readError.message).to.contain('symbolic link').and.contain(path.join(storage.scopeDir, 'events'));
    const writeError = await rejection(fresh.stores.recordRemote([{issue: remote('2')}]));
    expect(writeError.message).to.contain('symbolic link');
    expect(await listFiles(elsewhere)).to.have.length(1);

    // A linked segment file is refused too.
    await fs.rm(path.join(storage.scopeDir, 'events'));
    await fs.mkdir(path.join(storage.scopeDir, 'events'));
    const [segment] = await listFiles(elsewhere);
    await fs.symlink(path.join(elsewhere, segment!), path.join(storage.scopeDir, 'events', segment!));
    const fileError = await rejection(openTrackerStorage(scopeOptions(root)).stores.listIssues());
    expect(fileError.message).to.contain('symbolic link').and.contain(segment!);
  });

  it('keeps a traversal workspace inside .kittify/tracker/', () => {
    for (const workspace of ['../../etc', '..', '/etc/passwd', 'a/../../b', '..\\..\\windows', '', '...']) {
      const dir = scopeDir(root, {provider: 'github', serverUrl: '', workspace});
      expect(path.dirname(dir)).to.equal(trackerDir(root));
      expect(path.basename(dir)).to.match(/^[a-z0-9-]+$/);
    }
    expect(scopeName({provider: 'github', serverUrl: '', workspace: 'Acme/Widgets'})).to.match(
      /^github-acme-widgets-[0-9a-f]{8}$/,
    );
    const one = scopeName({provider: 'github', serverUrl: 'https://ghe.one.test', workspace: 'acme/widgets'});
    const two = scopeName({provider: 'github', serverUrl: 'https://ghe.two.test', workspace: 'acme/widgets'});
    expect(one).to.not.equal(two);
    expect(
      scopeName({provider: 'github', serverUrl: 'https://GHE.one.test/', workspace: 'acme/widgets'}),
    ).to.equal(one);
    expect(scopeName({provider: 'jira', serverUrl: '', workspace: 'x'.repeat(500)}).length).to.be.below(80);
  });

  // INV-4: a damaged line is never skipped silently.
  it('fails on invalid JSON on line 7 with file and line, and loses nothing', async () => {
    const storage = openTrackerStorage(scopeOptions(root));
    await storage.stores.recordRemote(Array.from({length: 9}, (_, i) => ({issue: remote(String(i + 1))})));
    const events = path.join(storage.scopeDir, 'events');
    const [segment] = await listFiles(events);
    const file = path.join(events, segment!);
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    lines[6] = lines[6]!.slice(0, 20);
    await fs.writeFile(file, lines.join('\n'));
    const damaged = await fs.readFile(file, 'utf8');
    const error = await rejection(openTrackerStorage(scopeOptions(root)).stores.listIssues());
    expect(error).to.be.instanceOf(StorageError);
    expect(error.message).to.match(new RegExp(`events/${segment!.replace('.', '\\.')}:7: invalid JSON`));
    expect((error as StorageError).hint)
      .to.contain('git checkout')
      .and.contain('[INV-4]');
    const writeError = await rejection(
      openTrackerStorage(scopeOptions(root)).stores.recordRemote([{issue: remote('99')}]),
    );
    expect(writeError.message).to.contain(':7:');
    expect(await fs.readFile(file, 'utf8')).to.equal(damaged);
    expect(await listFiles(events)).to.have.length(1);
  });

  it('rejects a structurally invalid event with file and line', async () => {
    const storage = openTrackerStorage(scopeOptions(root));
    await storage.stores.recordRemote([{issue: remote('1')}]);
    const events = path.join(storage.scopeDir, 'events');
    await fs.writeFile(
      path.join(events, '01ARZ3NDEKTSV4RRFFQ69G5FAV.jsonl'),
      '{"at": "2026-01-01T00:00:00Z", "event_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "kind": "teleported"}\n',
    );
    const error = await rejection(openTrackerStorage(scopeOptions(root)).stores.listIssues());
    expect(error.message)
      .to.contain('01ARZ3NDEKTSV4RRFFQ69G5FAV.jsonl:1: invalid event')
      .and.contain('teleported');
  });

  // INV-4: a torn last line is a warning naming file and line, never skipped silently.
  it('skips a torn tail with a warning, and repairTornTails removes only that line', async () => {
    const storage = openTrackerStorage(scopeOptions(root));
    await storage.stores.recordRemote([{issue: remote('1')}, {issue: remote('2')}]);
    const events = path.join(storage.scopeDir, 'events');
    const [segment] = await listFiles(events);
    const file = path.join(events, segment!);
    const intact = await fs.readFile(file, 'utf8');
    await fs.appendFile(file, '{"at": "2026-01-0');
    const reader = openTrackerStorage(scopeOptions(root));
    expect((await reader.stores.listIssues()).length).to.equal(2);
    expect(reader.warnings).to.have.length(1);
    expect(reader.warnings[0]).to.contain(`${segment}:3`).and.contain('doctor --fix');
    expect(await reader.log.repairTornTails()).to.deep.equal([
      `.kittify/tracker/${path.basename(storage.scopeDir)}/events/${segment}`,
    ]);
    expect(await fs.readFile(file, 'utf8')).to.equal(intact);
    const after = openTrackerStorage(scopeOptions(root));
    expect((await after.stores.listIssues()).length).to.equal(2);
    expect(after.warnings).to.deep.equal([]);
  });

  it('reads a valid last line without a trailing newline (an editor may strip it)', async () => {
    const storage = openTrackerStorage(scopeOptions(root));
    await storage.stores.recordRemote([{issue: remote('1')}]);
    const events = path.join(storage.scopeDir, 'events');
    const [segment] = await listFiles(events);
    const file = path.join(events, segment!);
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).trimEnd());
    const reader = openTrackerStorage(scopeOptions(root));
    expect((await reader.stores.listIssues()).length).to.equal(1);
    expect(reader.warnings).to.deep.equal([]);
  });

  it('ignores leftover temp files of interrupted writes', async () => {
    const storage = openTrackerStorage(scopeOptions(root));
    await storage.stores.recordRemote([{issue: remote('1')}]);
    const events = path.join(storage.scopeDir, 'events');
    await fs.writeFile(path.join(events, '.01ARZ3NDEKTSV4RRFFQ69G5FAV.jsonl.123.abcd.tmp'), '{"half');
    expect((await openTrackerStorage(scopeOptions(root)).stores.listIssues()).length).to.equal(1);
  });

  // INV-5: one writer per scope at a time.
  it('fails a second writer with a clear message naming the lock when the lock stays held', async () => {
    const storage = openTrackerStorage({...scopeOptions(root), lock: {waitMs: 300, staleMs: 60_000}});
    await storage.stores.recordRemote([{issue: remote('1')}]);
    const lockPath = path.join(storage.scopeDir, '.writer.lock');
    await fs.mkdir(lockPath);
    const error = await rejection(storage.stores.recordRemote([{issue: remote('2')}]));
    expect(error.message).to.contain(lockPath).and.contain('another spec-kitty tracker process');
    expect((error as StorageError).hint).to.contain('stale');
    // Reads never wait for the lock.
    expect((await storage.stores.listIssues()).length).to.equal(1);
    await fs.rmdir(lockPath);
    expect(await storage.stores.recordRemote([{issue: remote('2')}])).to.equal(1);
  });

  it('takes over a stale lock left by a dead writer', async () => {
    const storage = openTrackerStorage({...scopeOptions(root), lock: {waitMs: 3000, staleMs: 2000}});
    await storage.stores.recordRemote([{issue: remote('1')}]);
    const lockPath = path.join(storage.scopeDir, '.writer.lock');
    await fs.mkdir(lockPath);
    const old = new Date(Date.now() - 60_000);
    await fs.utimes(lockPath, old, old);
    expect(await storage.stores.recordRemote([{issue: remote('2')}])).to.equal(1);
  });
});

describe('checkpoint files', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({root, cleanup} = await tempRoot()));
  afterEach(async () => cleanup());

  it('keeps them under state/ (git-ignored), one readable file per key', async () => {
    const storage = openTrackerStorage(scopeOptions(root));
    await storage.checkpoints.setCheckpoint('pull:github:acme/widgets', {
      cursor: 'p=2',
      updated_since: null,
      high_water: null,
    });
    const file = storage.checkpoints.fileFor('pull:github:acme/widgets');
    expect(path.relative(storage.scopeDir, file)).to.match(
      /^state[/\\]checkpoints[/\\]pull-github-acme-widgets-[0-9a-f]{12}\.json$/,
    );
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).to.deep.equal({
      key: 'pull:github:acme/widgets',
      checkpoint: {cursor: 'p=2', updated_since: null, high_water: null},
    });
    expect(storage.checkpoints.fileFor('a/b')).to.not.equal(storage.checkpoints.fileFor('a-b'));
  });

  it('checks its folder once, and makes it again if it was removed in between', async () => {
    const storage = openTrackerStorage(scopeOptions(root));
    const at = (cursor: string) => ({cursor, updated_since: null, high_water: null});
    await storage.checkpoints.setCheckpoint('pull', at('c1'));
    await fs.rm(path.join(storage.scopeDir, 'state'), {recursive: true, force: true});
    await storage.checkpoints.setCheckpoint('pull', at('c2'));
    expect(await storage.checkpoints.getCheckpoint('pull')).to.deep.equal(at('c2'));
    // A link put in place of the folder is still refused by a fresh instance.
    await fs.rm(path.join(storage.scopeDir, 'state'), {recursive: true, force: true});
    await fs.mkdir(path.join(root, 'elsewhere'));
    await fs.symlink(path.join(root, 'elsewhere'), path.join(storage.scopeDir, 'state'));
    const error = await rejection(
      openTrackerStorage(scopeOptions(root)).checkpoints.setCheckpoint('pull', at('c3')),
    );
    expect(error.message).to.contain('link');
  });

  // INV-11: a lost or damaged checkpoint loses no data.
  it('reports a truncated checkpoint clearly, and --repair treats it as missing', async () => {
    const storage = openTrackerStorage(scopeOptions(root));
    await storage.checkpoints.setCheckpoint('pull', {
      cursor: 'c',
      updated_since: null,
      high_water: '2026-01-02T00:00:00.000Z',
    });
    const file = storage.checkpoints.fileFor('pull');
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.slice(0, 25));
    const error = await rejection(openTrackerStorage(scopeOptions(root)).checkpoints.getCheckpoint('pull'));
    expect(error).to.be.instanceOf(StorageError);
    expect(error.message).to.contain('damaged checkpoint file').and.contain('state/checkpoints/pull-');
    expect((error as StorageError).hint)
      .to.contain('safe to delete')
      .and.contain('high-water');
    const repair = openTrackerStorage({...scopeOptions(root), repair: true});
    expect(await repair.checkpoints.getCheckpoint('pull')).to.equal(null);
    expect(repair.warnings.join('\n')).to.contain('damaged checkpoint ignored');
    // Writing a new checkpoint replaces the damaged file.
    await storage.checkpoints.setCheckpoint('pull', {cursor: null, updated_since: null, high_water: null});
    expect(await openTrackerStorage(scopeOptions(root)).checkpoints.getCheckpoint('pull')).to.deep.equal({
      cursor: null,
      updated_since: null,
      high_water: null,
    });
  });
});

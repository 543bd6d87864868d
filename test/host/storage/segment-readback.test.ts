import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {expect} from 'chai';

import {canonicalJsonLine} from '../../../src/core/index.js';
import {clearSegmentCache} from '../../../src/host/storage/jsonl-event-log.js';
import {readbackMismatch} from '../../../src/host/storage/segment-readback.js';
import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {remote, scopeOptions, tempRoot} from './helpers.js';

describe('segment readback (the bytes written, compared piece by piece)', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({root, cleanup} = await tempRoot('tracker-readback-')));
  afterEach(async () => cleanup());

  // Pieces of several sizes, one larger than the megabyte read at a time.
  const pieces = [
    Buffer.from('{"a": 1}\n'),
    Buffer.alloc(2_500_000, 'x'),
    Buffer.from('tail\n'),
    Buffer.alloc(0),
  ];
  const whole = Buffer.concat(pieces);

  it('matches a file that holds the pieces one after another', async () => {
    const file = path.join(root, 'segment.jsonl');
    await fs.writeFile(file, whole);
    expect(readbackMismatch(file, pieces)).to.equal(null);
    await fs.writeFile(file, '');
    expect(readbackMismatch(file, [])).to.equal(null);
  });

  it('finds one changed byte anywhere, a shorter or a longer file, and gives the size found', async () => {
    const file = path.join(root, 'segment.jsonl');
    for (const at of [0, 8, 9, 1_048_576 + 9, whole.length - 1]) {
      const changed = Buffer.from(whole);
      changed[at] = changed[at]! ^ 1;
      await fs.writeFile(file, changed);
      expect(readbackMismatch(file, pieces), `byte ${at}`).to.equal(whole.length);
    }
    await fs.writeFile(file, whole.subarray(0, whole.length - 1));
    expect(readbackMismatch(file, pieces)).to.equal(whole.length - 1);
    await fs.writeFile(file, Buffer.concat([whole, Buffer.from('\n')]));
    expect(readbackMismatch(file, pieces)).to.equal(whole.length + 1);
  });

  it('throws what the file system throws for a missing file', () => {
    expect(() => readbackMismatch(path.join(root, 'gone.jsonl'), pieces)).to.throw(/ENOENT/);
  });

  it('a transaction of megabytes of lines is written in pieces: the same lines, read back whole', async () => {
    const writer = openTrackerStorage({...scopeOptions(root), readCache: false});
    const body = (id: number) => `Zeile ü ${id} `.repeat(400) + 'end';
    const ids = Array.from({length: 600}, (_, i) => String(i + 1));
    await writer.stores.recordRemote(ids.map((id) => ({issue: remote(id, {body: body(Number(id))})})));
    const events = path.join(writer.scopeDir, 'events');
    const [name, ...others] = await fs.readdir(events);
    expect(others).to.deep.equal([]);
    const bytes = await fs.readFile(path.join(events, name!));
    expect(bytes.length).to.be.greaterThan(3 << 20);
    const lines = bytes.toString('latin1').split('\n').slice(0, -1);
    expect(lines).to.have.length(600);
    for (const line of lines) expect(line + '\n').to.equal(canonicalJsonLine(JSON.parse(line)));
    clearSegmentCache();
    const reader = openTrackerStorage({...scopeOptions(root), readCache: false});
    const issues = await reader.stores.listIssues();
    const bodies = new Map(issues.map((i) => [i.ref.id, i.body]));
    expect(ids.map((id) => bodies.get(id))).to.deep.equal(ids.map((id) => body(Number(id))));
  });
});

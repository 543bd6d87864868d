import {promises as fs} from 'node:fs';
import * as path from 'node:path';
import {expect} from 'chai';

import {StorageError} from '../../../src/host/fs/errors.js';
import {WriteIntentFileStore} from '../../../src/host/storage/write-intent-file-store.js';
import {tempRoot} from './helpers.js';

describe('WriteIntentFileStore (per-clone journal of writes about to be sent)', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let scopeDir: string;
  beforeEach(async () => {
    ({root, cleanup} = await tempRoot('write-intents-'));
    scopeDir = path.join(root, '.kittify', 'tracker', 'github-acme-widgets-0000abcd');
  });
  afterEach(() => cleanup());

  const intent = {
    key: 'draft-01KINTENT',
    kind: 'create' as const,
    identity: 'github:a/b:draft-01KINTENT',
    at: '2026-03-01T10:00:00.000Z',
  };

  it('keeps an intent in a git-ignored state file that a new instance (the next run) reads back, until cleared', async () => {
    await new WriteIntentFileStore({root, scopeDir}).record(intent);
    const next = new WriteIntentFileStore({root, scopeDir});
    expect(await next.get(intent.key)).to.deep.equal(intent);
    expect(path.relative(scopeDir, next.fileFor(intent.key)).split(path.sep)[0]).to.equal('state');
    const ignore = await fs.readFile(path.join(root, '.kittify', 'tracker', '.gitignore'), 'utf8');
    expect(ignore).to.include('*/state/');
    await next.clear(intent.key);
    expect(await new WriteIntentFileStore({root, scopeDir}).get(intent.key)).to.equal(null);
    await next.clear(intent.key); // clearing twice is harmless
  });

  it('a damaged intent file is an error naming the file and what to do, not a silent "never sent"', async () => {
    const store = new WriteIntentFileStore({root, scopeDir});
    await store.record(intent);
    await fs.writeFile(store.fileFor(intent.key), '{"key": "draft-01KINTENT", "kind"');
    const error = await store.get(intent.key).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(StorageError);
    expect((error as StorageError).message).to.match(/state\/intents\/.*\.json: damaged write intent/);
    expect((error as StorageError).hint).to.match(/Check the tracker/);
  });

  it('records a batch of intents as one file; clearing part of it leaves the rest as files of their own', async () => {
    const store = new WriteIntentFileStore({root, scopeDir});
    const batch = [1, 2, 3].map((n) => ({...intent, key: `draft-0${n}`, identity: `github:a/b:draft-0${n}`}));
    await store.recordAll(batch);
    expect((await fs.readdir(store.dir)).filter((name) => name.endsWith('.json'))).to.have.length(1);
    const next = new WriteIntentFileStore({root, scopeDir});
    expect([...(await next.getAll(['draft-01', 'draft-03', 'draft-09'])).keys()]).to.deep.equal([
      'draft-01',
      'draft-03',
    ]);
    expect(await next.get('draft-02')).to.deep.equal(batch[1]);
    await next.record(intent);
    expect((await next.all()).map((i) => i.key).sort()).to.deep.equal([
      'draft-01',
      'draft-01KINTENT',
      'draft-02',
      'draft-03',
    ]);
    await next.clear(intent.key);
    // Two were recorded in the log; the third may have been sent: it stays, under its own name.
    await next.clearAll(['draft-01', 'draft-03']);
    const left = (await fs.readdir(store.dir)).filter((name) => name.endsWith('.json'));
    expect(left).to.deep.equal([path.basename(store.fileFor('draft-02'))]);
    expect(await next.get('draft-02')).to.deep.equal(batch[1]);
    expect(await next.get('draft-01')).to.equal(null);
    await next.clearAll(['draft-02']);
    expect((await fs.readdir(store.dir)).filter((name) => name.endsWith('.json'))).to.deep.equal([]);
  });

  it('a damaged batch file is an error naming the file', async () => {
    const store = new WriteIntentFileStore({root, scopeDir});
    await store.recordAll([intent, {...intent, key: 'draft-02', identity: 'github:a/b:draft-02'}]);
    const [name] = (await fs.readdir(store.dir)).filter((n) => n.endsWith('.json'));
    await fs.writeFile(path.join(store.dir, name!), '{"intents": [{"key": 3}]}');
    const error = await store.get(intent.key).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(StorageError);
    expect((error as StorageError).message).to.include(`state/intents/${name}: damaged write intent`);
  });

  it('exclusive: a second holder of the same key waits for the first one to finish', async () => {
    const a = new WriteIntentFileStore({root, scopeDir});
    const b = new WriteIntentFileStore({root, scopeDir});
    const order: string[] = [];
    let release!: () => void;
    const first = a.exclusive(intent.key, async () => {
      order.push('a start');
      await new Promise<void>((resolve) => (release = resolve));
      order.push('a end');
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = b.exclusive(intent.key, async () => {
      order.push('b');
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(order).to.deep.equal(['a start']);
    release();
    await Promise.all([first, second]);
    expect(order).to.deep.equal(['a start', 'a end', 'b']);
  });
});

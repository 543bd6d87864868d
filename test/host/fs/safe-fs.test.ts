import {expect} from 'chai';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {StorageError} from '../../../src/host/fs/errors.js';
import {assertNoSymlinks, writeFileAtomic, writeFileAtomicSync} from '../../../src/host/fs/safe-fs.js';

/** The async and sync atomic writes, behind one signature, so each guarantee is checked on both. */
const writers: Record<string, (target: string, data: string, options?: {mode?: number}) => Promise<void>> = {
  writeFileAtomic: (target, data, options) => writeFileAtomic(target, data, options),
  writeFileAtomicSync: async (target, data, options) => writeFileAtomicSync(target, data, options),
};

describe('atomic write (src/host/fs/safe-fs.ts)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tracker-safe-fs-'));
  });

  afterEach(() => rmSync(dir, {recursive: true, force: true}));

  for (const [name, write] of Object.entries(writers)) {
    describe(name, () => {
      it('replaces the file whole and leaves no temp file behind', async () => {
        const file = join(dir, 'config.yaml');
        writeFileSync(file, 'old\n');
        await write(file, 'new\n');
        expect(readFileSync(file, 'utf8')).to.equal('new\n');
        expect(readdirSync(dir)).to.deep.equal(['config.yaml']);
      });

      it('creates the file with the mode asked for (a secret is never readable by others)', async function () {
        if (process.platform === 'win32') this.skip();
        const file = join(dir, 'credentials.toml');
        await write(file, 'token = "x"\n', {mode: 0o600});
        expect(statSync(file).mode & 0o777).to.equal(0o600);
      });

      it('refuses a symbolic link at the target, keeping the link and the file it points to', async () => {
        const real = join(dir, 'real.yaml');
        const link = join(dir, 'link.yaml');
        writeFileSync(real, 'a: 1\n');
        symlinkSync(real, link);
        let error: unknown;
        try {
          await write(link, 'b: 2\n');
        } catch (caught) {
          error = caught;
        }
        expect(error).to.be.instanceOf(StorageError);
        expect((error as StorageError).message)
          .to.contain('symbolic link')
          .and.contain(link);
        expect(lstatSync(link).isSymbolicLink()).to.equal(true);
        expect(readFileSync(real, 'utf8')).to.equal('a: 1\n');
        expect(readdirSync(dir).sort()).to.deep.equal(['link.yaml', 'real.yaml']);
      });
    });
  }

  it('writeFileAtomic: an abort before the rename keeps the old file and removes the temp file', async () => {
    const file = join(dir, 'segment.jsonl');
    writeFileSync(file, 'old\n');
    let error: unknown;
    try {
      await writeFileAtomic(file, 'new\n', {
        beforeRename: () => {
          throw new Error('lock lost');
        },
      });
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).message).to.equal('lock lost');
    expect(readFileSync(file, 'utf8')).to.equal('old\n');
    expect(readdirSync(dir)).to.deep.equal(['segment.jsonl']);
  });
});

describe('assertNoSymlinks (src/host/fs/safe-fs.ts)', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tracker-no-links-'));
  });

  afterEach(() => rmSync(root, {recursive: true, force: true}));

  it('accepts real folders and components that do not exist yet', () => {
    mkdirSync(join(root, 'a', 'b'), {recursive: true});
    expect(() => assertNoSymlinks(root, join(root, 'a', 'b', 'missing', 'file'))).not.to.throw();
  });

  it('names the first component that is a symbolic link', () => {
    mkdirSync(join(root, 'elsewhere', 'b'), {recursive: true});
    symlinkSync(join(root, 'elsewhere'), join(root, 'a'));
    expect(() => assertNoSymlinks(root, join(root, 'a', 'b', 'file')))
      .to.throw(StorageError, 'symbolic link')
      .with.property('path', join(root, 'a'));
  });

  it('refuses a target outside the base folder', () => {
    expect(() => assertNoSymlinks(join(root, 'a'), join(root, 'b'))).to.throw(StorageError, /outside/);
  });
});

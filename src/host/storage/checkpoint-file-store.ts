import {createHash} from 'node:crypto';
import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {canonicalJson, type CheckpointStore, type SyncCheckpoint} from '../../core/index.js';
import {StorageError} from '../fs/errors.js';
import {ensureIgnoreRules} from './ignore-rules.js';
import {
  assertNoSymlinks,
  ensureRealDir,
  fsyncDir,
  isNotFound,
  readFileNoFollow,
  writeFileAtomic,
} from '../fs/safe-fs.js';
import {slugify} from './scope.js';
import {withLock, type LockOptions} from '../fs/file-lock.js';

export interface CheckpointFileStoreOptions {
  readonly root: string;
  readonly scopeDir: string;
  /** Treat a damaged checkpoint file as missing (the `--repair` flag) instead of failing. */
  readonly repair?: boolean;
  readonly lock?: LockOptions;
}

/**
 * Pull checkpoints, one JSON file per key under `<scope>/state/checkpoints/` (git-ignored: they
 * are per-clone). Each file is replaced atomically under its own lock. Losing one is harmless:
 * a pull without a checkpoint resumes from the log's high-water mark.
 */
export class CheckpointFileStore implements CheckpointStore {
  readonly dir: string;
  /** Damaged files treated as missing under `repair` (the caller prints them). */
  readonly warnings: string[] = [];
  private readonly root: string;
  /**
   * The ignore rules and the folder (real, no links on the way) were checked by this instance:
   * once, as the log does for events/. A long pull writes a checkpoint per batch, and these
   * checks were half of each write's file-system calls.
   */
  private dirReady = false;

  constructor(private readonly options: CheckpointFileStoreOptions) {
    this.root = path.resolve(options.root);
    this.dir = path.join(path.resolve(options.scopeDir), 'state', 'checkpoints');
  }

  /** `<slug>-<hash>.json`: readable, safe on every file system, unique per key. */
  fileFor(key: string): string {
    const hash = createHash('sha256').update(key).digest('hex').slice(0, 12);
    return path.join(this.dir, `${slugify(key, 40) || 'checkpoint'}-${hash}.json`);
  }

  async getCheckpoint(key: string): Promise<SyncCheckpoint | null> {
    return this.readFile(key, this.fileFor(key));
  }

  async setCheckpoint(key: string, checkpoint: SyncCheckpoint): Promise<void> {
    const value: SyncCheckpoint = {
      cursor: checkpoint.cursor ?? null,
      updated_since: checkpoint.updated_since ?? null,
      high_water: checkpoint.high_water ?? null,
    };
    await this.locked(key, async (file) => {
      const current = await this.readFile(key, file, true);
      if (current && canonicalJson(current) === canonicalJson(value)) return; // unchanged: write nothing
      await writeFileAtomic(file, canonicalJson({checkpoint: value, key}, {indent: 2}) + '\n');
    });
  }

  async deleteCheckpoint(key: string): Promise<void> {
    await this.locked(key, async (file) => {
      try {
        await fs.unlink(file);
        await fsyncDir(this.dir);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    });
  }

  private async locked(key: string, body: (file: string) => Promise<void>): Promise<void> {
    const checked = this.dirReady;
    if (!checked) {
      await ensureIgnoreRules(this.root);
      await ensureRealDir(this.root, this.dir);
      this.dirReady = true;
    }
    const file = this.fileFor(key);
    try {
      await withLock(file, `${file}.lock`, () => body(file), this.options.lock);
    } catch (error) {
      // The folder went away since it was checked (removed by hand): check and create it again.
      const missing = isNotFound(error) || (error instanceof Error && isNotFound(error.cause));
      if (!checked || !missing) throw error;
      this.dirReady = false;
      await this.locked(key, body);
    }
  }

  private async readFile(key: string, file: string, forWrite = false): Promise<SyncCheckpoint | null> {
    assertNoSymlinks(this.root, file);
    const bytes = await readFileNoFollow(file);
    if (bytes === null) return null;
    const display = path.relative(this.root, file).split(path.sep).join('/');
    try {
      return parseCheckpoint(bytes.toString('utf8'), key);
    } catch (error) {
      // A write replaces the file anyway; `repair` reads past the damage.
      if (forWrite || this.options.repair) {
        const warning = `${display}: damaged checkpoint ignored (${(error as Error).message}); the pull resumes from the log's high-water mark`;
        if (!this.warnings.includes(warning)) this.warnings.push(warning);
        return null;
      }
      throw new StorageError(`${display}: damaged checkpoint file (${(error as Error).message})`, {
        path: file,
        hint: `It is safe to delete it (rm ${display}) or to run with --repair: the next pull resumes from the high-water mark stored in the tracker log, minus an overlap window.`,
      });
    }
  }
}

function parseCheckpoint(text: string, key: string): SyncCheckpoint {
  const json = JSON.parse(text) as unknown;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not a JSON object');
  const record = json as {key?: unknown; checkpoint?: unknown};
  if (record.key !== key)
    throw new Error(`it belongs to key ${JSON.stringify(record.key)}, not ${JSON.stringify(key)}`);
  const checkpoint = record.checkpoint as Record<string, unknown> | null;
  if (typeof checkpoint !== 'object' || checkpoint === null) throw new Error('missing "checkpoint" object');
  const field = (name: string): string | null => {
    const value = checkpoint[name];
    if (value === null || value === undefined) return null;
    if (typeof value !== 'string') throw new Error(`"${name}" must be a string or null`);
    return value;
  };
  return {cursor: field('cursor'), updated_since: field('updated_since'), high_water: field('high_water')};
}

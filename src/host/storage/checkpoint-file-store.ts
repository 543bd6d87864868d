import {canonicalJson, type CheckpointStore, type SyncCheckpoint} from '../../core/index.js';
import {StorageError} from '../fs/errors.js';
import {isNotFound, writeFileAtomic} from '../fs/safe-fs.js';
import {withLock, type LockOptions} from '../fs/file-lock.js';
import {KeyedStateFolder, parseKeyedRecord} from './keyed-state-folder.js';

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
  private readonly folder: KeyedStateFolder;

  constructor(private readonly options: CheckpointFileStoreOptions) {
    this.folder = new KeyedStateFolder(options.root, options.scopeDir, 'checkpoints', 'checkpoint');
    this.dir = this.folder.dir;
  }

  fileFor(key: string): string {
    return this.folder.fileFor(key);
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
    await this.locked(key, (file) => this.folder.remove(file));
  }

  private async locked(key: string, body: (file: string) => Promise<void>): Promise<void> {
    const checked = this.folder.isReady;
    await this.folder.ready();
    const file = this.fileFor(key);
    try {
      await withLock(file, `${file}.lock`, () => body(file), this.options.lock);
    } catch (error) {
      // The folder went away since it was checked (removed by hand): check and create it again.
      const missing = isNotFound(error) || (error instanceof Error && isNotFound(error.cause));
      if (!checked || !missing) throw error;
      this.folder.forgetReady();
      await this.locked(key, body);
    }
  }

  private async readFile(key: string, file: string, forWrite = false): Promise<SyncCheckpoint | null> {
    const bytes = await this.folder.read(file);
    if (bytes === null) return null;
    const display = this.folder.display(file);
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
  const checkpoint = parseKeyedRecord(text, key).checkpoint as Record<string, unknown> | null;
  if (typeof checkpoint !== 'object' || checkpoint === null) throw new Error('missing "checkpoint" object');
  const field = (name: string): string | null => {
    const value = checkpoint[name];
    if (value === null || value === undefined) return null;
    if (typeof value !== 'string') throw new Error(`"${name}" must be a string or null`);
    return value;
  };
  return {cursor: field('cursor'), updated_since: field('updated_since'), high_water: field('high_water')};
}

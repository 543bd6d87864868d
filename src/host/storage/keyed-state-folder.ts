import {createHash} from 'node:crypto';
import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {ensureIgnoreRules} from './ignore-rules.js';
import {assertNoSymlinks, ensureRealDir, fsyncDir, isNotFound, readFileNoFollow} from '../fs/safe-fs.js';
import {slugify} from './scope.js';

/**
 * A folder of per-clone state under `<scope>/state/<name>/` (git-ignored): one JSON file per key
 * (pull checkpoints, write intents). What its stores share: the file name of a key, checking the
 * ignore rules and the folder (real, no links on the way) once per instance, reading without
 * following links, and removing a file durably.
 */
export class KeyedStateFolder {
  readonly dir: string;
  private readonly root: string;
  private checked = false;

  /** `unnamed`: the file name's readable part when a key has nothing a slug can keep. */
  constructor(
    root: string,
    scopeDir: string,
    name: string,
    private readonly unnamed: string,
  ) {
    this.root = path.resolve(root);
    this.dir = path.join(path.resolve(scopeDir), 'state', name);
  }

  /** `<slug>-<hash>.json`: readable, safe on every file system, unique per key. */
  fileFor(key: string): string {
    const hash = createHash('sha256').update(key).digest('hex').slice(0, 12);
    return path.join(this.dir, `${slugify(key, 40) || this.unnamed}-${hash}.json`);
  }

  /** The file as messages name it: relative to the repository root, with `/`. */
  display(file: string): string {
    return path.relative(this.root, file).split(path.sep).join('/');
  }

  /** Whether `ready` has checked the folder (and it was not found gone since). */
  get isReady(): boolean {
    return this.checked;
  }

  /** The ignore rules and the folder, checked once per instance (a long pull writes often). */
  async ready(): Promise<void> {
    if (this.checked) return;
    await ensureIgnoreRules(this.root);
    await ensureRealDir(this.root, this.dir);
    this.checked = true;
  }

  /** The folder went away since it was checked (removed by hand): the next `ready` checks again. */
  forgetReady(): void {
    this.checked = false;
  }

  /** The file's bytes, or null when it does not exist; refuses a link on the way. */
  async read(file: string): Promise<Buffer | null> {
    assertNoSymlinks(this.root, file);
    return readFileNoFollow(file);
  }

  /** Removes the file and makes the removal durable; a missing file is not an error. */
  async remove(file: string): Promise<void> {
    try {
      await fs.unlink(file);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    await fsyncDir(this.dir);
  }
}

/** The JSON object of a keyed state file, checked to be one and to belong to `key`. */
export function parseKeyedRecord(text: string, key: string): Record<string, unknown> {
  const json = JSON.parse(text) as unknown;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not a JSON object');
  const record = json as Record<string, unknown>;
  if (record.key !== key)
    throw new Error(`it belongs to key ${JSON.stringify(record.key)}, not ${JSON.stringify(key)}`);
  return record;
}

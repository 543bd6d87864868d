import {createHash} from 'node:crypto';
import {promises as fs, readdirSync} from 'node:fs';
import * as path from 'node:path';

import {canonicalJson, type WriteIntent, type WriteIntentStore} from '../../core/index.js';
import {StorageError} from '../fs/errors.js';
import {ensureIgnoreRules} from './ignore-rules.js';
import {
  assertNoSymlinks,
  ensureRealDir,
  fsyncDir,
  isNotFound,
  isTempName,
  readFileNoFollow,
  writeFileAtomic,
} from '../fs/safe-fs.js';
import {slugify} from './scope.js';
import {withLock, type LockOptions} from '../fs/file-lock.js';

export interface WriteIntentFileStoreOptions {
  readonly root: string;
  readonly scopeDir: string;
  readonly lock?: LockOptions;
}

/**
 * How long a run waits for another run of this clone that is sending the same write: longer
 * than one request may take (30 s), so the second run sees the first one's outcome.
 */
const INTENT_LOCK_WAIT_MS = 45_000;

/** A batch of intents recorded with one flush: `batch-<slug of its first key>-<hash>.json`. */
const BATCH_PREFIX = 'batch-';
/** Read a single intent's file for whatever key it holds. */
const OWN_KEY = Symbol('own key');
/** The one lock of the journal: two runs of this clone never send the same write at once. */
const SEND_LOCK = 'send.lock';

/**
 * The per-clone journal of creates and comments about to be sent, under `<scope>/state/intents/`
 * (git-ignored: it says what this clone was about to send). One intent is a JSON file of its
 * own; a batch of intents recorded together (`recordAll`) is ONE file holding all of them, so a
 * batch of creates costs one fsync, not one per create. Recording returns once the file and its
 * folder entry are fsynced, so the requests that follow can never be forgotten by a crash.
 * Clearing part of a batch first writes the rest as files of their own, then deletes the batch
 * file: a batch file only lives while its batch is being sent, and what is left pending after
 * it is one file per key, as the hint for a write of unknown outcome says.
 * `exclusive` holds one lock for the journal across the lookup, the request and the record.
 */
export class WriteIntentFileStore implements WriteIntentStore {
  readonly dir: string;
  private readonly root: string;
  private dirReady = false;

  constructor(private readonly options: WriteIntentFileStoreOptions) {
    this.root = path.resolve(options.root);
    this.dir = path.join(path.resolve(options.scopeDir), 'state', 'intents');
  }

  /** `<slug>-<hash>.json`: readable, safe on every file system, unique per key. */
  fileFor(key: string): string {
    return path.join(this.dir, `${slugify(key, 40) || 'intent'}-${shortHash(key)}.json`);
  }

  async get(key: string): Promise<WriteIntent | null> {
    return (await this.getAll([key])).get(key) ?? null;
  }

  async getAll(keys: readonly string[]): Promise<Map<string, WriteIntent>> {
    const out = new Map<string, WriteIntent>();
    const names = this.listNames();
    if (names.size === 0) return out;
    for (const key of keys) {
      const file = this.fileFor(key);
      if (!names.has(path.basename(file))) continue;
      const intent = await this.readIntents(file, key);
      if (intent[0]) out.set(key, intent[0]);
    }
    const wanted = new Set(keys);
    for (const name of names) {
      if (!name.startsWith(BATCH_PREFIX)) continue;
      for (const intent of await this.readIntents(path.join(this.dir, name), null)) {
        if (wanted.has(intent.key) && !out.has(intent.key)) out.set(intent.key, intent);
      }
    }
    return out;
  }

  async all(): Promise<WriteIntent[]> {
    const out = new Map<string, WriteIntent>();
    for (const name of this.listNames()) {
      const file = path.join(this.dir, name);
      // A single intent's file is read for the key it holds (`get` checks it against the name).
      const key = name.startsWith(BATCH_PREFIX) ? null : OWN_KEY;
      for (const intent of await this.readIntents(file, key))
        if (!out.has(intent.key)) out.set(intent.key, intent);
    }
    return [...out.values()];
  }

  async record(intent: WriteIntent): Promise<void> {
    await this.ready();
    // writeFileAtomic fsyncs the file before the rename and the folder after it.
    await writeFileAtomic(this.fileFor(intent.key), canonicalJson(intent, {indent: 2}) + '\n');
  }

  async recordAll(intents: readonly WriteIntent[]): Promise<void> {
    if (intents.length === 0) return;
    if (intents.length === 1) return this.record(intents[0]!);
    await this.ready();
    const keys = intents.map((intent) => intent.key);
    const name = `${BATCH_PREFIX}${slugify(keys[0]!, 40) || 'intent'}-${shortHash(keys.join('\n'))}.json`;
    await writeFileAtomic(path.join(this.dir, name), canonicalJson({intents}, {indent: 2}) + '\n');
  }

  async clear(key: string): Promise<void> {
    await this.clearAll([key]);
  }

  async clearAll(keys: readonly string[]): Promise<void> {
    const names = this.listNames();
    if (names.size === 0 || keys.length === 0) return;
    const cleared = new Set(keys);
    for (const name of names) {
      if (!name.startsWith(BATCH_PREFIX)) continue;
      const file = path.join(this.dir, name);
      const intents = await this.readIntents(file, null);
      if (!intents.some((intent) => cleared.has(intent.key))) continue;
      // The rest of the batch stays pending, one file each, before the batch file goes.
      for (const intent of intents) {
        if (!cleared.has(intent.key) && !names.has(path.basename(this.fileFor(intent.key))))
          await this.record(intent);
      }
      await unlinkIfPresent(file);
    }
    for (const key of cleared) {
      if (names.has(path.basename(this.fileFor(key)))) await unlinkIfPresent(this.fileFor(key));
    }
    await fsyncDir(this.dir);
  }

  async exclusive<T>(key: string, body: () => Promise<T>): Promise<T> {
    return this.exclusiveAll([key], body);
  }

  async exclusiveAll<T>(_keys: readonly string[], body: () => Promise<T>): Promise<T> {
    await this.ready();
    return withLock(this.dir, path.join(this.dir, SEND_LOCK), body, {
      waitMs: INTENT_LOCK_WAIT_MS,
      ...this.options.lock,
    });
  }

  /** Names in the journal folder (none when it does not exist); temp files and locks left out. */
  private listNames(): Set<string> {
    assertNoSymlinks(this.root, this.dir);
    try {
      return new Set(readdirSync(this.dir).filter((name) => name.endsWith('.json') && !isTempName(name)));
    } catch (error) {
      if (isNotFound(error)) return new Set();
      throw error;
    }
  }

  /**
   * The intents of one file: `key`'s own file (one intent; `OWN_KEY`: whatever key it holds) or
   * a batch file (key null).
   */
  private async readIntents(file: string, key: string | typeof OWN_KEY | null): Promise<WriteIntent[]> {
    const bytes = await readFileNoFollow(file);
    if (bytes === null) return [];
    try {
      const json = JSON.parse(bytes.toString('utf8')) as unknown;
      if (key === OWN_KEY) return [parseIntent(json, (json as {key?: unknown} | null)?.key)];
      if (key !== null) return [parseIntent(json, key)];
      const list = (json as {intents?: unknown}).intents;
      if (!Array.isArray(list)) throw new Error('"intents" must be a list');
      return list.map((item) => parseIntent(item, (item as {key?: unknown})?.key));
    } catch (error) {
      const display = path.relative(this.root, file).split(path.sep).join('/');
      const what = typeof key === 'string' ? key : 'the creates and comments it lists';
      throw new StorageError(`${display}: damaged write intent (${(error as Error).message})`, {
        path: file,
        hint: `It records that ${what} may have been sent to the tracker. Check the tracker for it, then delete the file (rm ${display}).`,
      });
    }
  }

  private async ready(): Promise<void> {
    if (this.dirReady) return;
    await ensureIgnoreRules(this.root);
    await ensureRealDir(this.root, this.dir);
    this.dirReady = true;
  }
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

async function unlinkIfPresent(file: string): Promise<void> {
  try {
    await fs.unlink(file);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

function parseIntent(value: unknown, key: unknown): WriteIntent {
  const json = value as Record<string, unknown>;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not a JSON object');
  if (typeof key !== 'string') throw new Error('"key" must be a string');
  if (json.key !== key)
    throw new Error(`it belongs to key ${JSON.stringify(json.key)}, not ${JSON.stringify(key)}`);
  if (json.kind !== 'create' && json.kind !== 'comment') throw new Error('"kind" must be create or comment');
  if (typeof json.identity !== 'string') throw new Error('"identity" must be a string');
  if (typeof json.at !== 'string' || Number.isNaN(Date.parse(json.at)))
    throw new Error('"at" must be an ISO instant');
  return {key, kind: json.kind, identity: json.identity, at: json.at};
}

import {canonicalJson, type WriteIntent, type WriteIntentStore} from '../../core/index.js';
import {StorageError} from '../fs/errors.js';
import {writeFileAtomic} from '../fs/safe-fs.js';
import {withLock, type LockOptions} from '../fs/file-lock.js';
import {KeyedStateFolder, parseKeyedRecord} from './keyed-state-folder.js';

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

/**
 * The per-clone journal of creates and comments about to be sent: one JSON file per intent
 * under `<scope>/state/intents/` (git-ignored: it says what this clone was about to send).
 * `record` returns once the file and its folder entry are fsynced, so the request that follows
 * can never be forgotten by a crash; `exclusive` holds a lock file per key across the lookup,
 * the request and the record, so two runs of this clone never send the same write.
 */
export class WriteIntentFileStore implements WriteIntentStore {
  readonly dir: string;
  private readonly folder: KeyedStateFolder;

  constructor(private readonly options: WriteIntentFileStoreOptions) {
    this.folder = new KeyedStateFolder(options.root, options.scopeDir, 'intents', 'intent');
    this.dir = this.folder.dir;
  }

  fileFor(key: string): string {
    return this.folder.fileFor(key);
  }

  async get(key: string): Promise<WriteIntent | null> {
    const file = this.fileFor(key);
    const bytes = await this.folder.read(file);
    if (bytes === null) return null;
    try {
      return parseIntent(bytes.toString('utf8'), key);
    } catch (error) {
      const display = this.folder.display(file);
      throw new StorageError(`${display}: damaged write intent (${(error as Error).message})`, {
        path: file,
        hint: `It records that ${key} may have been sent to the tracker. Check the tracker for it, then delete the file (rm ${display}).`,
      });
    }
  }

  async record(intent: WriteIntent): Promise<void> {
    await this.folder.ready();
    // writeFileAtomic fsyncs the file before the rename and the folder after it.
    await writeFileAtomic(this.fileFor(intent.key), canonicalJson(intent, {indent: 2}) + '\n');
  }

  async clear(key: string): Promise<void> {
    await this.folder.remove(this.fileFor(key));
  }

  async exclusive<T>(key: string, body: () => Promise<T>): Promise<T> {
    await this.folder.ready();
    const file = this.fileFor(key);
    return withLock(file, `${file}.lock`, body, {waitMs: INTENT_LOCK_WAIT_MS, ...this.options.lock});
  }
}

function parseIntent(text: string, key: string): WriteIntent {
  const json = parseKeyedRecord(text, key);
  if (json.kind !== 'create' && json.kind !== 'comment') throw new Error('"kind" must be create or comment');
  if (typeof json.identity !== 'string') throw new Error('"identity" must be a string');
  if (typeof json.at !== 'string' || Number.isNaN(Date.parse(json.at)))
    throw new Error('"at" must be an ISO instant');
  return {key, kind: json.kind, identity: json.identity, at: json.at};
}

import type {WriteIntent, WriteIntentStore} from '../protocols/write-intent-store.js';

/**
 * Write intents kept in memory: enough within one process (tests, a host that cannot persist
 * them), where a crash loses the journal together with the run that wrote it.
 */
export class InMemoryWriteIntents implements WriteIntentStore {
  private readonly intents = new Map<string, WriteIntent>();
  private readonly held = new Map<string, Promise<unknown>>();

  async get(key: string): Promise<WriteIntent | null> {
    return this.intents.get(key) ?? null;
  }

  async record(intent: WriteIntent): Promise<void> {
    this.intents.set(intent.key, intent);
  }

  async clear(key: string): Promise<void> {
    this.intents.delete(key);
  }

  async getAll(keys: readonly string[]): Promise<Map<string, WriteIntent>> {
    const out = new Map<string, WriteIntent>();
    for (const key of keys) {
      const intent = this.intents.get(key);
      if (intent) out.set(key, intent);
    }
    return out;
  }

  async recordAll(intents: readonly WriteIntent[]): Promise<void> {
    for (const intent of intents) this.intents.set(intent.key, intent);
  }

  async clearAll(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.intents.delete(key);
  }

  /** Holds the keys one after another, in sorted order, so two holders never wait on each other. */
  async exclusiveAll<T>(keys: readonly string[], body: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const hold = (index: number): Promise<T> =>
      index === sorted.length ? body() : this.exclusive(sorted[index]!, () => hold(index + 1));
    return hold(0);
  }

  async all(): Promise<WriteIntent[]> {
    return this.list();
  }

  /** Every intent still recorded (tests). */
  list(): WriteIntent[] {
    return [...this.intents.values()];
  }

  async exclusive<T>(key: string, body: () => Promise<T>): Promise<T> {
    const before = this.held.get(key) ?? Promise.resolve();
    const run = before.then(body, body);
    const settled = run.catch(() => undefined);
    this.held.set(key, settled);
    try {
      return await run;
    } finally {
      if (this.held.get(key) === settled) this.held.delete(key);
    }
  }
}

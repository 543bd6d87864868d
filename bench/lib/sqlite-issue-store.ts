/**
 * The benchmark baseline: the core's `IssueStore` protocol implemented on SQLite (better-sqlite3),
 * the way a conventional tool would cache issues: one row per issue holding its base, its local
 * view and its pending edits as JSON, indexed by identity. Reads materialise `CanonicalIssue`
 * objects exactly as the JSONL store does, so the comparison is store against store.
 *
 * Benchmark-only code (better-sqlite3 is a dev dependency); never shipped.
 */
import Database from 'better-sqlite3';

import {
  applyPatch,
  fieldValuesEqual,
  IssueNotFoundError,
  isDraftRef,
  issueFromJson,
  issueToJson,
  refIdentity,
  type CanonicalIssue,
  type ConflictRecord,
  type ExternalRef,
  type IssueField,
  type IssueKey,
  type IssuePatch,
  type IssueQuery,
  type IssueStore,
  type MergeInputs,
  type PendingChange,
  type PendingComment,
  type RemoteUpdate,
  type StoredConflict,
} from '../../src/core/index.js';

interface Row {
  identity: string;
  system: string;
  base: string | null;
  edits: string;
  edited_at: string | null;
  draft: number;
  deleted: number;
  created_as: string | null;
  updated_at: string | null;
}

const identityOf = (key: IssueKey): string => (typeof key === 'string' ? key : refIdentity(key));

export class SqliteIssueStore implements IssueStore {
  readonly db: Database.Database;
  private seq = 0;

  constructor(
    file: string,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS issues (
        identity TEXT PRIMARY KEY, system TEXT NOT NULL, base TEXT, draft_issue TEXT,
        edits TEXT NOT NULL DEFAULT '{}', edited_at TEXT, draft INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0, created_as TEXT, updated_at TEXT
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS conflicts (
        conflict_id TEXT PRIMARY KEY, identity TEXT NOT NULL, at TEXT NOT NULL, record TEXT NOT NULL,
        open INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS comments (
        comment_id TEXT PRIMARY KEY, identity TEXT NOT NULL, body TEXT NOT NULL, at TEXT NOT NULL
      );
    `);
  }

  close(): void {
    this.db.close();
  }

  private row(identity: string): (Row & {draft_issue: string | null}) | undefined {
    return this.db.prepare('SELECT * FROM issues WHERE identity = ?').get(identity) as
      (Row & {draft_issue: string | null}) | undefined;
  }

  private view(row: Row & {draft_issue: string | null}): CanonicalIssue | null {
    if (row.deleted || row.created_as !== null) return null;
    const source = row.base ?? row.draft_issue;
    if (source === null) return null;
    const issue = issueFromJson(JSON.parse(source));
    const edits = JSON.parse(row.edits) as IssuePatch;
    return Object.keys(edits).length === 0 ? issue : applyPatch(issue, edits);
  }

  async listIssues(query: IssueQuery = {}): Promise<CanonicalIssue[]> {
    const rows = (
      query.system === undefined
        ? this.db.prepare('SELECT * FROM issues WHERE deleted = 0 ORDER BY identity').all()
        : this.db
            .prepare('SELECT * FROM issues WHERE deleted = 0 AND system = ? ORDER BY identity')
            .all(query.system)
    ) as (Row & {draft_issue: string | null})[];
    const out: CanonicalIssue[] = [];
    for (const row of rows) {
      const issue = this.view(row);
      if (issue) out.push(issue);
    }
    return out;
  }

  async getIssue(key: IssueKey): Promise<CanonicalIssue | null> {
    const row = this.row(identityOf(key));
    return row ? this.view(row) : null;
  }

  async getMergeInputs(keys: readonly IssueKey[]): Promise<Map<string, MergeInputs>> {
    const out = new Map<string, MergeInputs>();
    for (const key of keys) {
      const row = this.row(identityOf(key));
      out.set(identityOf(key), {
        base: row?.base ? issueFromJson(JSON.parse(row.base)) : null,
        local: row ? this.view(row) : null,
      });
    }
    return out;
  }

  async getBase(key: IssueKey): Promise<CanonicalIssue | null> {
    const row = this.row(identityOf(key));
    return row?.base ? issueFromJson(JSON.parse(row.base)) : null;
  }

  async getLocalEdits(key: IssueKey): Promise<IssuePatch> {
    const row = this.row(identityOf(key));
    return row ? (JSON.parse(row.edits) as IssuePatch) : {};
  }

  async listPending(): Promise<PendingChange[]> {
    const rows = this.db
      .prepare(
        "SELECT * FROM issues WHERE deleted = 0 AND created_as IS NULL AND (draft = 1 OR edits <> '{}') ORDER BY identity",
      )
      .all() as (Row & {draft_issue: string | null})[];
    return rows.map((row) => {
      const issue = this.view(row)!;
      return {
        identity: row.identity,
        ref: issue.ref,
        draft: row.draft === 1,
        fields: Object.keys(JSON.parse(row.edits)) as IssueField[],
        edited_at: row.edited_at,
      };
    });
  }

  async recordRemote(updates: readonly RemoteUpdate[]): Promise<number> {
    const upsert = this.db.prepare(
      `INSERT INTO issues (identity, system, base, updated_at) VALUES (@identity, @system, @base, @updated_at)
       ON CONFLICT(identity) DO UPDATE SET base = excluded.base, updated_at = excluded.updated_at, deleted = 0`,
    );
    const setEdits = this.db.prepare('UPDATE issues SET edits = ? WHERE identity = ?');
    let changed = 0;
    this.db.transaction(() => {
      for (const update of updates) {
        const identity = refIdentity(update.issue.ref);
        const base = JSON.stringify(issueToJson(update.issue));
        const row = this.row(identity);
        const settle = update.settle ?? [];
        if (
          row &&
          row.base === base &&
          row.deleted === 0 &&
          settle.length === 0 &&
          (update.conflicts ?? []).length === 0
        )
          continue;
        upsert.run({identity, system: update.issue.ref.system, base, updated_at: update.issue.updated_at});
        if (row && settle.length > 0) {
          const edits = JSON.parse(row.edits) as Record<string, unknown>;
          for (const field of settle) delete edits[field];
          setEdits.run(JSON.stringify(edits), identity);
        }
        if (update.conflicts && update.conflicts.length > 0) this.insertConflicts(identity, update.conflicts);
        changed += 1;
      }
    })();
    return changed;
  }

  async upsertIssue(issue: CanonicalIssue): Promise<boolean> {
    return (await this.recordRemote([{issue}])) > 0;
  }

  async recordLocalEdit(key: IssueKey, patch: IssuePatch): Promise<boolean> {
    const identity = identityOf(key);
    const row = this.row(identity);
    const current = row ? this.view(row) : null;
    if (!row || !current) throw new IssueNotFoundError(identity);
    const base = row.base ? issueFromJson(JSON.parse(row.base)) : null;
    const edits = JSON.parse(row.edits) as Record<string, unknown>;
    const next = applyPatch(current, patch);
    let changed = false;
    for (const field of Object.keys(patch) as IssueField[]) {
      const value = next[field];
      if (fieldValuesEqual(current[field], value)) continue;
      changed = true;
      if (base && fieldValuesEqual(base[field], value)) delete edits[field];
      else edits[field] = value;
    }
    if (!changed) return false;
    this.db
      .prepare('UPDATE issues SET edits = ?, edited_at = ? WHERE identity = ?')
      .run(JSON.stringify(edits), this.now(), identity);
    return true;
  }

  async settleLocalEdits(key: IssueKey, fields: readonly IssueField[]): Promise<boolean> {
    const identity = identityOf(key);
    const row = this.row(identity);
    if (!row) return false;
    const edits = JSON.parse(row.edits) as Record<string, unknown>;
    const before = Object.keys(edits).length;
    for (const field of fields) delete edits[field];
    if (Object.keys(edits).length === before) return false;
    this.db.prepare('UPDATE issues SET edits = ? WHERE identity = ?').run(JSON.stringify(edits), identity);
    return true;
  }

  async deleteIssue(key: IssueKey): Promise<boolean> {
    const result = this.db
      .prepare('UPDATE issues SET deleted = 1 WHERE identity = ? AND deleted = 0')
      .run(identityOf(key));
    return result.changes > 0;
  }

  async createDraft(issue: CanonicalIssue): Promise<CanonicalIssue> {
    if (!isDraftRef(issue.ref)) throw new Error(`draft ids start with draft-: ${issue.ref.id}`);
    const identity = refIdentity(issue.ref);
    this.db
      .prepare(
        'INSERT OR IGNORE INTO issues (identity, system, draft_issue, draft, edited_at) VALUES (?, ?, ?, 1, ?)',
      )
      .run(identity, issue.ref.system, JSON.stringify(issueToJson(issue)), this.now());
    return issue;
  }

  async recordRemoteCreated(draft: IssueKey, remote: CanonicalIssue): Promise<void> {
    const identity = identityOf(draft);
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE issues SET created_as = ? WHERE identity = ?')
        .run(JSON.stringify(issueToJson(remote)), identity);
      void this.recordRemote([{issue: remote}]);
    })();
  }

  async resolveDraft(draft: IssueKey): Promise<ExternalRef | null> {
    const row = this.row(identityOf(draft));
    return row?.created_as ? issueFromJson(JSON.parse(row.created_as)).ref : null;
  }

  private insertConflicts(identity: string, conflicts: readonly ConflictRecord[]): StoredConflict[] {
    const at = this.now();
    const insert = this.db.prepare(
      'INSERT INTO conflicts (conflict_id, identity, at, record, open) VALUES (?, ?, ?, ?, ?)',
    );
    return conflicts.map((record) => {
      const conflict_id = `c${String(++this.seq).padStart(12, '0')}`;
      const open = record.manual_review_required;
      insert.run(conflict_id, identity, at, JSON.stringify(record), open ? 1 : 0);
      return {...record, conflict_id, identity, at, open};
    });
  }

  async recordConflicts(key: IssueKey, conflicts: readonly ConflictRecord[]): Promise<StoredConflict[]> {
    return this.db.transaction(() => this.insertConflicts(identityOf(key), conflicts))();
  }

  async listConflicts(query: {openOnly?: boolean; identity?: string} = {}): Promise<StoredConflict[]> {
    const rows = this.db.prepare('SELECT * FROM conflicts ORDER BY at, conflict_id').all() as {
      conflict_id: string;
      identity: string;
      at: string;
      record: string;
      open: number;
    }[];
    return rows
      .filter(
        (row) =>
          (!query.openOnly || row.open === 1) &&
          (query.identity === undefined || row.identity === query.identity),
      )
      .map((row) => ({
        ...(JSON.parse(row.record) as ConflictRecord),
        conflict_id: row.conflict_id,
        identity: row.identity,
        at: row.at,
        open: row.open === 1,
      }));
  }

  async closeConflicts(key: IssueKey, fields?: readonly IssueField[]): Promise<number> {
    const open = await this.listConflicts({openOnly: true, identity: identityOf(key)});
    const close = this.db.prepare('UPDATE conflicts SET open = 0 WHERE conflict_id = ?');
    let closed = 0;
    for (const conflict of open) {
      if (fields && !fields.includes(conflict.field_name)) continue;
      close.run(conflict.conflict_id);
      closed += 1;
    }
    return closed;
  }

  async addPendingComment(key: IssueKey, body: string): Promise<PendingComment> {
    const comment = {
      comment_id: `m${String(++this.seq).padStart(12, '0')}`,
      identity: identityOf(key),
      body,
      at: this.now(),
    };
    this.db
      .prepare('INSERT INTO comments (comment_id, identity, body, at) VALUES (?, ?, ?, ?)')
      .run(comment.comment_id, comment.identity, body, comment.at);
    return comment;
  }

  async listPendingComments(): Promise<PendingComment[]> {
    return this.db.prepare('SELECT * FROM comments ORDER BY at, comment_id').all() as PendingComment[];
  }

  async settleComment(commentId: string): Promise<void> {
    this.db.prepare('DELETE FROM comments WHERE comment_id = ?').run(commentId);
  }

  async highWaterMark(query: IssueQuery = {}): Promise<string | null> {
    const row = (
      query.system === undefined
        ? this.db.prepare('SELECT MAX(updated_at) AS hw FROM issues WHERE base IS NOT NULL').get()
        : this.db
            .prepare('SELECT MAX(updated_at) AS hw FROM issues WHERE base IS NOT NULL AND system = ?')
            .get(query.system)
    ) as {hw: string | null};
    return row.hw ?? null;
  }
}

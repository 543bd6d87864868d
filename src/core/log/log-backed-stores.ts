import {MappingConflictError, ValidationError, IssueNotFoundError} from '../errors.js';
import {
  CORE_ISSUE_FIELDS,
  isIssueField,
  NEUTRAL_FIELD_VALUES,
  pickFields,
  type CanonicalIssue,
  type IssueField,
  type IssuePatch,
} from '../model/canonical-issue.js';
import {isDraftRef, refIdentity, type ExternalRef} from '../model/external-ref.js';
import {issueToFrozenJson, issueToJson, refToJson} from '../model/issue-json.js';
import type {JsonObject, JsonValue} from '../model/json.js';
import type {ConflictRecord} from '../policy/conflicts.js';
import type {
  IssueKey,
  IssueQuery,
  IssueStore,
  ListEdit,
  LocalEdit,
  MergeInputs,
  PendingChange,
  PendingComment,
  RemoteUpdate,
  StoredConflict,
} from '../protocols/issue-store.js';
import type {MappingStore, WorkPackageMapping} from '../protocols/mapping-store.js';
import {jsonValuesEqual} from '../serialization/canonical-json.js';
import {LIST_OP_FIELDS, type TrackerEventPayload} from './events.js';
import type {TrackerEventLog} from './event-log.js';
import {
  applyListOp,
  isLiveEntry,
  localViewOf,
  mappingKey,
  type IssueEntry,
  type IssueEntrySummary,
  type TrackerState,
} from './tracker-state.js';

const identityOf = (key: IssueKey): string => (typeof key === 'string' ? key : refIdentity(key));

/**
 * The issue and mapping stores, written once over any `TrackerEventLog`. Every write first
 * computes, from the freshly read state, whether it would change anything: a no-op appends no
 * event, so a sync that changed nothing leaves storage byte-for-byte unchanged.
 */
export class LogBackedStores implements IssueStore, MappingStore {
  constructor(private readonly log: TrackerEventLog) {}

  // ---- reads ---------------------------------------------------------------------------

  async listIssues(query: IssueQuery = {}): Promise<CanonicalIssue[]> {
    const entries = this.log.readLiveEntries
      ? await this.log.readLiveEntries()
      : (await this.log.read()).liveEntries();
    const out: CanonicalIssue[] = [];
    for (const entry of entries) {
      const issue = localViewOf(entry);
      if (issue && (query.system === undefined || issue.ref.system === query.system)) out.push(issue);
    }
    return out;
  }

  async getIssue(key: IssueKey): Promise<CanonicalIssue | null> {
    const entry = await this.liveEntry(identityOf(key));
    return entry ? localViewOf(entry) : null;
  }

  async getMergeInputs(keys: readonly IssueKey[]): Promise<Map<string, MergeInputs>> {
    const identities = keys.map(identityOf);
    const entries: Map<string, IssueEntrySummary | null | undefined> = this.log.readEntries
      ? await this.log.readEntries(identities)
      : (await this.log.read()).issues;
    const out = new Map<string, MergeInputs>();
    for (const identity of identities) {
      const found = entries.get(identity);
      const entry = found && isLiveEntry(found) ? found : undefined;
      out.set(identity, {
        base: entry?.base ?? null,
        local: entry ? localViewOf(entry) : null,
        edited_at: entry && entry.overrides.size > 0 ? entry.editedAt : null,
      });
    }
    return out;
  }

  async getBase(key: IssueKey): Promise<CanonicalIssue | null> {
    return (await this.liveEntry(identityOf(key)))?.base ?? null;
  }

  async getLocalEdits(key: IssueKey): Promise<IssuePatch> {
    const entry = await this.liveEntry(identityOf(key));
    if (!entry) return {};
    const view = localViewOf(entry);
    return view ? pickFields(view, [...entry.overrides.keys()].sort()) : {};
  }

  /** One live entry, through the log's fast path when it has one. */
  private async liveEntry(identity: string): Promise<IssueEntrySummary | undefined> {
    if (!this.log.readEntry) return live(await this.log.read(), identity);
    const entry = await this.log.readEntry(identity);
    return entry && isLiveEntry(entry) ? entry : undefined;
  }

  async listPending(): Promise<PendingChange[]> {
    const state = await this.log.read();
    const out: PendingChange[] = [];
    for (const entry of state.liveEntries()) {
      const draft = entry.base === null && entry.draft !== null;
      const fields = draft ? [...CORE_ISSUE_FIELDS] : state.pendingFields(entry);
      if (!draft && fields.length === 0) continue;
      const view = state.localView(entry)!;
      out.push({identity: entry.identity, ref: view.ref, draft, fields, edited_at: entry.editedAt});
    }
    return out;
  }

  async highWaterMark(query: IssueQuery = {}): Promise<string | null> {
    const state = await this.log.read();
    let best: string | null = null;
    for (const entry of state.issues.values()) {
      const at = entry.base?.updated_at ?? null;
      if (at === null || (query.system !== undefined && entry.base!.ref.system !== query.system)) continue;
      if (best === null || Date.parse(at) > Date.parse(best)) best = at;
    }
    return best;
  }

  async listConflicts(query: {openOnly?: boolean; identity?: string} = {}): Promise<StoredConflict[]> {
    const state = await this.log.read();
    return [...state.conflicts.values()]
      .filter(
        (c) => (!query.openOnly || c.open) && (query.identity === undefined || c.identity === query.identity),
      )
      .sort((a, b) => (a.at === b.at ? cmp(a.conflict_id, b.conflict_id) : cmp(a.at, b.at)));
  }

  async listPendingComments(): Promise<PendingComment[]> {
    const state = await this.log.read();
    return [...state.comments.values()]
      .filter((c) => !c.sent)
      .map(({sent: _sent, ...comment}) => ({
        ...comment,
        identity: state.createdDrafts.get(comment.identity) ?? comment.identity,
      }))
      .sort((a, b) => (a.at === b.at ? cmp(a.comment_id, b.comment_id) : cmp(a.at, b.at)));
  }

  async resolveDraft(draft: IssueKey): Promise<ExternalRef | null> {
    const state = await this.log.read();
    const remote = state.createdDrafts.get(identityOf(draft));
    if (remote === undefined) return null;
    return state.issues.get(remote)?.base?.ref ?? null;
  }

  // ---- writes --------------------------------------------------------------------------

  /** See `IssueStore.batch`: one write of the log when it can batch, else each write on its own. */
  async batch<T>(body: () => Promise<T>): Promise<T> {
    return this.log.batch ? this.log.batch(body) : body();
  }

  async recordRemote(updates: readonly RemoteUpdate[]): Promise<number> {
    const {result} = await this.log.transact((state) => {
      const events: TrackerEventPayload[] = [];
      let changed = 0;
      // Within one batch the last version of an identity wins (pages can repeat an issue).
      const byIdentity = new Map<string, RemoteUpdate>();
      for (const update of updates) byIdentity.set(refIdentity(update.issue.ref), update);
      for (const [identity, update] of byIdentity) {
        const entry = state.issues.get(identity);
        const issueJson = issueToFrozenJson(update.issue);
        const settle: JsonObject = {};
        for (const field of update.settle ?? []) {
          const value = entry?.overrides.get(field);
          if (value !== undefined) settle[field] = value;
        }
        const sameBase =
          entry?.base != null && !entry.deleted && jsonValuesEqual(issueToJson(entry.base), issueJson);
        const hasSettle = Object.keys(settle).length > 0;
        const wouldConverge =
          entry !== undefined && sameBase && convergedOverrides(entry, issueJson).length > 0;
        if (!sameBase || hasSettle || wouldConverge) {
          events.push(
            hasSettle
              ? {issue: issueJson, kind: 'issue_pulled', settle}
              : {issue: issueJson, kind: 'issue_pulled'},
          );
          changed += 1;
        }
        for (const conflict of update.conflicts ?? []) events.push(conflictEvent(identity, conflict));
      }
      return {events, result: changed};
    });
    return result;
  }

  async upsertIssue(issue: CanonicalIssue): Promise<boolean> {
    return (await this.recordRemote([{issue}])) > 0;
  }

  async recordLocalEdit(key: IssueKey, patch: IssuePatch): Promise<boolean> {
    const identity = identityOf(key);
    const {result} = await this.log.transact((state) => {
      const entry = liveOrThrow(state, identity);
      const view = state.localView(entry)!;
      const merged = {...issueToJson(view)};
      const fields: JsonObject = {};
      for (const [field, value] of Object.entries(patch)) {
        if (!isIssueField(field)) throw new ValidationError(field, 'is not an issue field');
        const json = fieldToJson(field, value);
        if (!jsonValuesEqual(merged[field], json)) fields[field] = json;
      }
      if (Object.keys(fields).length === 0) return {events: [], result: false};
      return {events: [{kind: 'issue_edited', identity, fields}], result: true};
    });
    return result;
  }

  async applyLocalEdit(key: IssueKey, edit: LocalEdit): Promise<IssueField[]> {
    const identity = identityOf(key);
    const {result} = await this.log.transact((state) => {
      const entry = liveOrThrow(state, identity);
      const current = issueToJson(state.localView(entry)!);
      const fields: JsonObject = {};
      for (const [field, value] of Object.entries(edit.set ?? {})) {
        if (!isIssueField(field)) throw new ValidationError(field, 'is not an issue field');
        const json = fieldToJson(field, value);
        if (!jsonValuesEqual(current[field], json)) fields[field] = json;
      }
      const ops: JsonObject = {};
      for (const field of LIST_OP_FIELDS) {
        const op = listOpJson(edit[field]);
        if (op === null) continue;
        if (fields[field] !== undefined)
          throw new ValidationError(field, 'cannot be set and edited item by item at once');
        const next = applyListOp(current[field] as string[], op);
        if (jsonValuesEqual(current[field], next)) continue;
        fields[field] = next;
        ops[field] = op;
      }
      const changed = Object.keys(fields).sort() as IssueField[];
      if (changed.length === 0) return {events: [], result: changed};
      // Keys in canonical order, so the event serialises without a sort.
      const event: TrackerEventPayload =
        Object.keys(ops).length === 0
          ? {fields, identity, kind: 'issue_edited'}
          : {fields, identity, kind: 'issue_edited', ops};
      return {events: [event], result: changed};
    });
    return result;
  }

  async settleLocalEdits(key: IssueKey, fields: readonly IssueField[]): Promise<boolean> {
    const identity = identityOf(key);
    const {result} = await this.log.transact((state) => {
      const entry = state.issues.get(identity);
      const settled: JsonObject = {};
      for (const field of fields) {
        const value = entry?.overrides.get(field);
        if (value !== undefined) settled[field] = value;
      }
      if (Object.keys(settled).length === 0) return {events: [], result: false};
      return {events: [{kind: 'edits_settled', identity, fields: settled}], result: true};
    });
    return result;
  }

  async deleteIssue(key: IssueKey): Promise<boolean> {
    const identity = identityOf(key);
    const {result} = await this.log.transact((state) => {
      if (!live(state, identity)) return {events: [], result: false};
      return {events: [{kind: 'issue_deleted', identity}], result: true};
    });
    return result;
  }

  async createDraft(issue: CanonicalIssue): Promise<CanonicalIssue> {
    if (!isDraftRef(issue.ref)) {
      throw new ValidationError('ref.id', `a draft's id must start with 'draft-', got '${issue.ref.id}'`);
    }
    const identity = refIdentity(issue.ref);
    await this.log.transact((state) => {
      const existing = state.issues.get(identity);
      if (existing?.draft && jsonValuesEqual(issueToJson(existing.draft), issueToJson(issue))) {
        return {events: [], result: undefined};
      }
      if (existing && (existing.base !== null || existing.createdAs !== null)) {
        throw new ValidationError('ref.id', `draft ${identity} already exists`);
      }
      return {events: [{kind: 'draft_created', issue: issueToJson(issue)}], result: undefined};
    });
    return issue;
  }

  async recordRemoteCreated(draft: IssueKey, remote: CanonicalIssue): Promise<void> {
    const draftIdentity = identityOf(draft);
    await this.log.transact((state) => {
      const known = state.createdDrafts.get(draftIdentity);
      if (known === refIdentity(remote.ref)) return {events: [], result: undefined};
      if (known !== undefined) {
        throw new ValidationError('draft', `${draftIdentity} was already created as ${known}`);
      }
      return {
        events: [{kind: 'remote_created', draft_identity: draftIdentity, issue: issueToJson(remote)}],
        result: undefined,
      };
    });
  }

  async recordConflicts(key: IssueKey, conflicts: readonly ConflictRecord[]): Promise<StoredConflict[]> {
    if (conflicts.length === 0) return [];
    const identity = identityOf(key);
    const {appended} = await this.log.transact(() => ({
      events: conflicts.map((conflict) => conflictEvent(identity, conflict)),
      result: undefined,
    }));
    const state = await this.log.read();
    return appended.map((event) => state.conflicts.get(event.event_id)!).filter(Boolean);
  }

  async closeConflicts(key: IssueKey, fields?: readonly IssueField[]): Promise<number> {
    const identity = identityOf(key);
    const {result} = await this.log.transact((state) => {
      const ids = [...state.conflicts.values()]
        .filter(
          (c) => c.open && c.identity === identity && (fields === undefined || fields.includes(c.field_name)),
        )
        .map((c) => c.conflict_id)
        .sort();
      if (ids.length === 0) return {events: [], result: 0};
      return {events: [{kind: 'conflict_closed', identity, conflict_ids: ids}], result: ids.length};
    });
    return result;
  }

  async addPendingComment(key: IssueKey, body: string): Promise<PendingComment> {
    const identity = identityOf(key);
    if (body.trim() === '') throw new ValidationError('body', 'must not be blank');
    const {appended} = await this.log.transact((state) => {
      if (!live(state, identity)) throw new IssueNotFoundError(identity);
      return {events: [{kind: 'comment_added', identity, body}], result: undefined};
    });
    const event = appended[0]!;
    return {comment_id: event.event_id, identity, body, at: event.at};
  }

  async settleComment(commentId: string): Promise<void> {
    await this.log.transact((state) => {
      const comment = state.comments.get(commentId);
      if (!comment || comment.sent) return {events: [], result: undefined};
      return {events: [{kind: 'comment_sent', comment_id: commentId}], result: undefined};
    });
  }

  // ---- mappings ------------------------------------------------------------------------

  async listMappings(): Promise<WorkPackageMapping[]> {
    const state = await this.log.read();
    return sortMappings([...state.mappings.values()]);
  }

  async getByWorkPackage(wpId: string, system: string): Promise<WorkPackageMapping | null> {
    const state = await this.log.read();
    return state.mappingFor(wpId, system) ?? null;
  }

  async getByIssue(ref: ExternalRef): Promise<WorkPackageMapping | null> {
    const state = await this.log.read();
    return state.mappingsOf(refIdentity(ref))[0] ?? null;
  }

  async addMapping(wpId: string, ref: ExternalRef): Promise<WorkPackageMapping> {
    const wp = wpId.trim();
    if (wp === '') throw new ValidationError('wp_id', 'must not be blank');
    const identity = refIdentity(ref);
    await this.log.transact((state) => {
      const holder = state.mappingsOf(identity)[0];
      if (holder && holder.wp_id !== wp) {
        throw new MappingConflictError(`${ref.key ?? ref.id} is already mapped to ${holder.wp_id}`, {
          hint: `Remove that mapping first: spec-kitty tracker map remove --wp-id ${holder.wp_id}`,
        });
      }
      const current = state.mappingFor(wp, ref.system);
      if (current && jsonValuesEqual(refToJson(current.ref), refToJson(ref))) {
        return {events: [], result: undefined};
      }
      return {events: [{kind: 'mapping_added', wp_id: wp, ref: refToJson(ref)}], result: undefined};
    });
    const state = await this.log.read();
    return state.mappings.get(mappingKey(wp, ref.system))!;
  }

  async removeMapping(wpId: string, system?: string): Promise<WorkPackageMapping[]> {
    const {result} = await this.log.transact((state) => {
      const removed = [...state.mappings.values()].filter(
        (m) => m.wp_id === wpId && (system === undefined || m.ref.system === system),
      );
      return {
        events: removed.map((m) => ({
          kind: 'mapping_removed' as const,
          wp_id: m.wp_id,
          system: m.ref.system,
        })),
        result: sortMappings(removed),
      };
    });
    return result;
  }
}

/** A list edit as an event's operation (trimmed, blanks dropped), or null when it does nothing. */
function listOpJson(edit: ListEdit | undefined): JsonObject | null {
  const clean = (items: readonly string[] | undefined) =>
    [...new Set((items ?? []).map((item) => item.trim()).filter(Boolean))].sort();
  const add = clean(edit?.add);
  const remove = clean(edit?.remove);
  if (add.length === 0 && remove.length === 0) return null;
  return {...(add.length ? {add} : {}), ...(remove.length ? {remove} : {})};
}

/** The live entry of `identity`, for an edit: an unknown key is an error saying what to do. */
function liveOrThrow(state: TrackerState, identity: string): IssueEntry {
  const entry = live(state, identity);
  if (!entry)
    throw new IssueNotFoundError(identity, {hint: 'Run `spec-kitty tracker sync pull` or check the key.'});
  return entry;
}

function live(state: TrackerState, identity: string): IssueEntry | undefined {
  const entry = state.issues.get(identity);
  if (!entry || entry.deleted || entry.createdAs !== null) return undefined;
  if (entry.base === null && entry.draft === null) return undefined;
  return entry;
}

function convergedOverrides(entry: IssueEntry, issueJson: JsonObject): IssueField[] {
  return [...entry.overrides.entries()]
    .filter(([field, value]) => jsonValuesEqual(issueJson[field], value))
    .map(([field]) => field);
}

function fieldToJson(field: IssueField, value: unknown): JsonValue {
  // Serialise through a probe issue so refs and links take their persisted form.
  const probe = issueToJson({
    ref: {system: 'x', workspace: 'x', id: 'x', key: null, url: null},
    ...NEUTRAL_FIELD_VALUES,
    created_at: null,
    updated_at: null,
    raw: null,
    [field]: value,
  } as CanonicalIssue);
  return probe[field] as JsonValue;
}

function conflictEvent(identity: string, conflict: ConflictRecord): TrackerEventPayload {
  const json = (value: unknown): JsonValue =>
    value === undefined ? null : fieldToJson(conflict.field_name, value);
  return {
    kind: 'conflict_recorded',
    identity,
    field_name: conflict.field_name,
    base_value: json(conflict.base_value),
    local_value: json(conflict.local_value),
    external_value: json(conflict.external_value),
    resolved_value: json(conflict.resolved_value),
    winner: conflict.winner,
    strategy: conflict.strategy,
    manual_review_required: conflict.manual_review_required,
  };
}

function sortMappings(mappings: WorkPackageMapping[]): WorkPackageMapping[] {
  return mappings.sort((a, b) =>
    a.wp_id === b.wp_id ? cmp(a.ref.system, b.ref.system) : cmp(a.wp_id, b.wp_id),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

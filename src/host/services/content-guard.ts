import {TrackerError} from '../../core/errors.js';
import {createIssue, CORE_ISSUE_FIELDS, type CanonicalIssue} from '../../core/model/canonical-issue.js';
import type {ExternalRef} from '../../core/model/external-ref.js';
import type {TrackerConnector} from '../../core/protocols/connector.js';
import type {IssueKey, IssueStore, RemoteUpdate} from '../../core/protocols/issue-store.js';
import type {MappingStore} from '../../core/protocols/mapping-store.js';
import type {ConflictRecord} from '../../core/policy/conflicts.js';
import {registeredSecrets} from '../shared/secret-mask.js';
import {knownCredentials} from '../config/credentials.js';
import {
  assertNoSecretsInContent,
  hasTokenShape,
  maskSecretsInText,
  maskTokenShapes,
  type ContentField,
  type NamedSecret,
} from '../config/secret-guard.js';
import type {TrackerStorageHandle} from './storage-gateway.js';

/**
 * Keeps credentials out of the tracker log, which is committed with the repository:
 * - local content (edits, comments, drafts, mappings) that carries a credential value of this
 *   machine (any provider's, from the environment or the credentials file) or a provider
 *   token-shaped string is refused before anything is recorded, naming the field;
 * - content pulled from a tracker is stored with this machine's credential values masked
 *   (`***`): an issue that quotes the user's own token must not put it in the repository; and
 *   with any provider token shape masked (`ghp_***`): someone else's token quoted in an issue
 *   would otherwise sit in an immutable committed segment for good.
 * Both work on the stores' and the connector's interfaces, so the engine, the work-package
 * intents and the commands all go through them.
 */

/** Shortest credential value worth masking (as the output redaction: shorter would mangle words). */
const MIN_MASKED_LENGTH = 6;

/** This machine's credential values, named, plus every secret registered in this process. */
export function namedSecrets(env: NodeJS.ProcessEnv): NamedSecret[] {
  const named = knownCredentials(env);
  const seen = new Set(named.map((c) => c.value));
  for (const value of registeredSecrets()) {
    if (!seen.has(value)) named.push({value, label: 'a stored credential value'});
  }
  return named;
}

/** The values to mask in pulled content, longest first (so one containing another goes whole). */
export function maskableSecrets(env: NodeJS.ProcessEnv): string[] {
  return [...new Set(namedSecrets(env).map((s) => s.value))]
    .filter((value) => value.length >= MIN_MASKED_LENGTH)
    .sort((a, b) => b.length - a.length);
}

/** Refuses local content carrying a credential (see `assertNoSecretsInContent`); exit code 1. */
export function assertLocalContentClean(
  env: NodeJS.ProcessEnv,
  fields: readonly ContentField[],
  hint?: string,
): void {
  const present = fields.filter((field) => field.value !== undefined && field.value !== null);
  if (present.length === 0) return;
  assertNoSecretsInContent(present, {known: namedSecrets(env), hint});
}

// ---- masking pulled content ------------------------------------------------------------------

/** True when `text` carries one of `secrets` or a provider token shape. */
function textNeedsMask(text: string, secrets: readonly string[]): boolean {
  for (const secret of secrets) if (text.includes(secret)) return true;
  return hasTokenShape(text);
}

function containsAny(value: unknown, secrets: readonly string[]): boolean {
  if (typeof value === 'string') return textNeedsMask(value, secrets);
  if (Array.isArray(value)) return value.some((item) => containsAny(item, secrets));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(
      ([key, item]) => containsAny(key, secrets) || containsAny(item, secrets),
    );
  }
  return false;
}

/** Masks this machine's credential values, then any provider token shape. */
function maskText(text: string, secrets: readonly string[]): string {
  return maskTokenShapes(maskSecretsInText(text, secrets));
}

/**
 * A JSON-like value with the secrets and token shapes masked in every string (keys too); the
 * same value when clean.
 */
export function maskJson<T>(value: T, secrets: readonly string[]): T {
  if (!containsAny(value, secrets)) return value;
  if (typeof value === 'string') return maskText(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => maskJson(item, secrets)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [maskText(key, secrets), maskJson(item, secrets)]),
    ) as T;
  }
  return value;
}

/** Masks a ref's key and URL; system, workspace and id are its identity and stay as they are. */
function maskRef(ref: ExternalRef, secrets: readonly string[]): ExternalRef {
  if (!containsAny([ref.key, ref.url], secrets)) return ref;
  return {...ref, key: maskJson(ref.key, secrets), url: maskJson(ref.url, secrets)};
}

/**
 * Whether a secret appears in what the store keeps of an issue: its fields and its ref's key and
 * URL. The provider's raw payload is never stored (and walking it cost more than the rest of a
 * pull's per-issue work), so a secret only there needs no masking.
 */
function issueHasSecret(issue: CanonicalIssue, secrets: readonly string[]): boolean {
  for (const field of CORE_ISSUE_FIELDS) if (containsAny(issue[field], secrets)) return true;
  return containsAny(issue.ref.key, secrets) || containsAny(issue.ref.url, secrets);
}

/**
 * The issue with this machine's credential values and any provider token shape masked; the same
 * object when there is none.
 */
export function maskIssue(issue: CanonicalIssue, secrets: readonly string[]): CanonicalIssue {
  if (!issueHasSecret(issue, secrets)) return issue;
  const masked: Record<string, unknown> = {};
  for (const field of CORE_ISSUE_FIELDS) masked[field] = maskJson(issue[field], secrets);
  return createIssue({
    ...issue,
    ...masked,
    ref: maskRef(issue.ref, secrets),
    parent: issue.parent ? maskRef(issue.parent, secrets) : null,
    links: issue.links.map((link) => ({type: link.type, target: maskRef(link.target, secrets)})),
    raw: maskJson(issue.raw, secrets),
  } as Parameters<typeof createIssue>[0]);
}

function maskConflict(conflict: ConflictRecord, secrets: readonly string[]): ConflictRecord {
  return maskJson(conflict, secrets);
}

function maskUpdate(update: RemoteUpdate, secrets: readonly string[]): RemoteUpdate {
  const issue = maskIssue(update.issue, secrets);
  const conflicts = update.conflicts?.map((c) => maskConflict(c, secrets));
  if (issue === update.issue && conflicts === undefined) return update;
  return {...update, issue, ...(conflicts === undefined ? {} : {conflicts})};
}

/**
 * The connector, with this machine's credential values and token shapes masked in every issue it returns, so the
 * engine merges, stores and reports the masked form consistently (a value the tracker keeps
 * unchanged stays unchanged here too, and settles nothing by accident).
 */
export function maskingConnector(connector: TrackerConnector, secrets: readonly string[]): TrackerConnector {
  const mask = (issue: CanonicalIssue | null): CanonicalIssue | null =>
    issue === null ? null : maskIssue(issue, secrets);
  const wrapped: Partial<TrackerConnector> = {
    listIssues: async (request) => {
      const page = await connector.listIssues(request);
      return {...page, items: page.items.map((issue) => maskIssue(issue, secrets))};
    },
    getIssue: async (ref) => mask(await connector.getIssue(ref)),
    findByIdempotencyKey: async (key, options) => mask(await connector.findByIdempotencyKey(key, options)),
    createIssue: async (issue, options) => maskIssue(await connector.createIssue(issue, options), secrets),
    updateIssue: async (ref, patch, options) =>
      maskIssue(await connector.updateIssue(ref, patch, options), secrets),
    transitionIssue: async (ref, status) => maskIssue(await connector.transitionIssue(ref, status), secrets),
  };
  return forwarding(connector, wrapped);
}

// ---- guarding the stores ---------------------------------------------------------------------

/** The work package a draft was made for, from the marker in its body (see wp-issue-content.ts). */
function draftOrigin(issue: CanonicalIssue): string | null {
  const match = /spec-kitty work package `([^`]+)`/.exec(issue.body ?? '');
  return match ? match[1] : null;
}

function keyLabel(key: IssueKey): string {
  return typeof key === 'string' ? key : (key.key ?? key.id);
}

/**
 * The stores, guarded: local writes that carry a credential are refused before anything is
 * recorded, and remote versions are recorded with credential values and token shapes masked.
 * Every other method is the stores' own.
 */
export function guardStores<S extends IssueStore & MappingStore>(
  stores: S,
  env: NodeJS.ProcessEnv,
  secrets: readonly string[] = maskableSecrets(env),
): S {
  const wrapped: Partial<IssueStore & MappingStore> = {
    recordLocalEdit: async (key, patch) => {
      assertLocalContentClean(
        env,
        Object.entries(patch).map(([field, value]) => ({
          label: `the ${field} edit of ${keyLabel(key)}`,
          value,
        })),
      );
      return stores.recordLocalEdit(key, patch);
    },
    applyLocalEdit: async (key, edit) => {
      assertLocalContentClean(env, [
        ...Object.entries(edit.set ?? {}).map(([field, value]) => ({
          label: `the ${field} edit of ${keyLabel(key)}`,
          value,
        })),
        {label: `the labels edit of ${keyLabel(key)}`, value: edit.labels},
        {label: `the assignees edit of ${keyLabel(key)}`, value: edit.assignees},
      ]);
      if (!stores.applyLocalEdit) throw new TrackerError('This store cannot record an edit atomically.');
      return stores.applyLocalEdit(key, edit);
    },
    addPendingComment: async (key, body) => {
      assertLocalContentClean(env, [{label: `the comment on ${keyLabel(key)}`, value: body}]);
      return stores.addPendingComment(key, body);
    },
    createDraft: async (issue) => {
      const origin = draftOrigin(issue);
      const whose = origin ? `the new issue for work package ${origin}` : 'the new issue';
      assertLocalContentClean(
        env,
        [
          ...CORE_ISSUE_FIELDS.map((field) => ({label: `the ${field} of ${whose}`, value: issue[field]})),
          {label: `the key or URL of ${whose}`, value: [issue.ref.key, issue.ref.url]},
        ],
        origin
          ? `Remove the credential from work package ${origin} in kitty-specs/ and run the command again; nothing was recorded or sent.`
          : undefined,
      );
      return stores.createDraft(issue);
    },
    addMapping: async (wpId, ref) => {
      assertLocalContentClean(env, [
        {label: `the work package id of the mapping`, value: wpId},
        {label: `the external key or URL of the mapping for ${wpId}`, value: [ref.key, ref.url]},
      ]);
      return stores.addMapping(wpId, ref);
    },
    recordRemote: async (updates) => stores.recordRemote(updates.map((u) => maskUpdate(u, secrets))),
    upsertIssue: async (issue) => stores.upsertIssue(maskIssue(issue, secrets)),
    recordRemoteCreated: async (draft, remote) =>
      stores.recordRemoteCreated(draft, maskIssue(remote, secrets)),
    recordConflicts: async (key, conflicts) =>
      stores.recordConflicts(
        key,
        conflicts.map((c) => maskConflict(c, secrets)),
      ),
  };
  return forwarding(stores, wrapped as Partial<S>);
}

/** The storage handle with guarded stores (see `guardStores`); everything else is the handle's. */
export function guardStorage(
  storage: TrackerStorageHandle,
  env: NodeJS.ProcessEnv,
  secrets: readonly string[] = maskableSecrets(env),
): TrackerStorageHandle {
  const stores = guardStores(storage.stores, env, secrets);
  return forwarding(storage, {stores});
}

/**
 * `target` with some members replaced; every other member is the target's own (methods bound to
 * it, getters read live), so a method added to the protocol later still works unguarded rather
 * than failing.
 */
function forwarding<T extends object>(target: T, replaced: Partial<T>): T {
  return new Proxy(target, {
    get(object, property) {
      if (Object.prototype.hasOwnProperty.call(replaced, property)) return replaced[property as keyof T];
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}

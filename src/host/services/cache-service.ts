import {existsSync} from 'node:fs';
import {join} from 'node:path';

import {TrackerError} from '../../core/errors.js';
import {CANONICAL_ISSUE_TYPES, CANONICAL_STATUSES, isOneOf} from '../../core/model/enums.js';
import type {CanonicalIssue, IssueField} from '../../core/model/canonical-issue.js';
import {refIdentity} from '../../core/model/external-ref.js';
import type {WorkPackageMapping} from '../../core/protocols/mapping-store.js';
import type {SyncCheckpoint} from '../../core/protocols/checkpoint-store.js';
import {requireProvider} from '../../core/connectors/registry.js';
import {UsageError} from '../shared/usage-error.js';
import {resolveCredentials, type CredentialSource} from '../config/credentials.js';
import {loadBoundProject, type BoundContext, type ServiceEnvironment} from './service-context.js';
import {openBoundStorage, type TrackerStorageHandle} from './storage-gateway.js';
import {looksLikeKey, resolveIssueKey, UnknownIssueKeyError} from './issue-key.js';
import {ticketView, type TicketView} from './ticket-view.js';
import type {WorkPackageStatusRow} from '../workpackages/wp-status-rows.js';
import {workPackageOverview} from './work-package-status.js';
import {SORT_KEYS, type SortKey} from './ticket-sort.js';
import {compareBy} from './ticket-order.js';
import type {GraphListing, IssueRelations} from './graph-reads.js';
import type {ListQuery} from '../storage/read-index/index-queries.js';
import {
  indexConflicts,
  indexedTicket,
  indexMappings,
  indexPendingComments,
  indexQuery,
  localEditsOf,
  matchesText,
  openIndexFor,
  resolveIndexed,
} from './indexed-reads.js';

/**
 * Offline reads of the cache: list, show, search, status. They work in a fresh clone with no
 * credentials and no network (the cache is committed), and they never write.
 */

export {SORT_KEYS, type SortKey};

export interface TicketFilters {
  readonly status?: readonly string[];
  readonly label?: readonly string[];
  readonly assignee?: readonly string[];
  readonly type?: readonly string[];
  readonly text?: string;
  readonly limit?: number;
  readonly sort?: SortKey;
  readonly reverse?: boolean;
  /** Only issues ready to work on, or only blocked ones (see `WorkGraph.isReady`). */
  readonly graph?: GraphListing;
}

export interface TicketList {
  readonly provider: string;
  readonly workspace: string;
  /** Matching tickets before `limit`. */
  readonly total: number;
  readonly tickets: TicketView[];
  readonly warnings: readonly string[];
}

interface CacheSnapshot {
  readonly context: BoundContext;
  readonly storage: TrackerStorageHandle;
  readonly issues: CanonicalIssue[];
  readonly mappings: WorkPackageMapping[];
  readonly pending: Map<string, readonly IssueField[]>;
}

async function snapshot(environment: ServiceEnvironment, loaded?: BoundContext): Promise<CacheSnapshot> {
  const context = loaded ?? (await loadBoundProject(environment));
  const storage = await openBoundStorage(context);
  // Mappings first: they fold the whole state, which the log keeps and the issue list and the
  // pending changes then reuse. Asked together, the list read every cached issue a second time
  // from the read cache (two copies of every body held at once).
  const mappings = await storage.stores.listMappings();
  const issues = await storage.stores.listIssues();
  const pendingList = await storage.stores.listPending();
  const pending = new Map(pendingList.map((p) => [p.identity, p.fields] as const));
  return {context, storage, issues, mappings, pending};
}

function validateChoices(
  flag: string,
  values: readonly string[] | undefined,
  allowed: readonly string[],
): void {
  for (const value of values ?? []) {
    if (!allowed.includes(value)) {
      throw new UsageError(`Invalid --${flag} '${value}'.`, {
        hint: `Expected one of: ${allowed.join(', ')}.`,
      });
    }
  }
}

export async function listTickets(
  environment: ServiceEnvironment,
  filters: TicketFilters = {},
): Promise<TicketList> {
  validateChoices('status', filters.status, CANONICAL_STATUSES);
  validateChoices('type', filters.type, CANONICAL_ISSUE_TYPES);
  const context = await loadBoundProject(environment);
  const index = await openIndexFor(context);
  if (index) {
    try {
      const {listFirst} = await import('../storage/read-index/index-queries.js');
      const query = await withGraphFilter(index, await indexQuery(filters), filters.graph);
      const found = listFirst(index, query, filters.limit ?? Number.POSITIVE_INFINITY);
      const mappings = indexMappings(index);
      return {
        provider: context.binding.provider,
        workspace: context.binding.workspace,
        total: found.total,
        tickets: found.issues.map((issue) => indexedTicket(issue, mappings)),
        warnings: index.warnings,
      };
    } finally {
      index.close();
    }
  }
  const snap = await snapshot(environment, context);
  const inGraph = filters.graph ? await foldedGraphTest(snap.storage, filters.graph) : () => true;
  const selected = snap.issues.filter((issue) => {
    if (!inGraph(issue)) return false;
    if (filters.status?.length && !filters.status.includes(issue.status)) return false;
    if (filters.type?.length && !filters.type.includes(issue.issue_type)) return false;
    if (filters.label?.length && !filters.label.every((l) => issue.labels.includes(l))) return false;
    if (filters.assignee?.length && !filters.assignee.some((a) => issue.assignees.includes(a))) return false;
    if (filters.text && !matchesText(issue, filters.text)) return false;
    return true;
  });
  selected.sort(compareBy(filters.sort ?? 'key'));
  if (filters.reverse) selected.reverse();
  const limited = filters.limit === undefined ? selected : selected.slice(0, filters.limit);
  return {
    provider: snap.context.binding.provider,
    workspace: snap.context.binding.workspace,
    total: selected.length,
    tickets: limited.map((issue) => viewOf(snap, issue)),
    warnings: snap.storage.warnings,
  };
}

/** A listing to print as it is read: `tickets()` may be iterated (decoded) more than once. */
export interface TicketStream {
  readonly provider: string;
  readonly workspace: string;
  readonly warnings: readonly string[];
  tickets(): Iterable<TicketView>;
  close(): void;
}

/**
 * `list-tickets` without `--limit`: every matching ticket, decoded one by one as the caller
 * prints it, so 100k tickets never sit in memory at once.
 */
export async function streamTickets(
  environment: ServiceEnvironment,
  filters: Omit<TicketFilters, 'limit'> = {},
): Promise<TicketStream> {
  validateChoices('status', filters.status, CANONICAL_STATUSES);
  validateChoices('type', filters.type, CANONICAL_ISSUE_TYPES);
  const context = await loadBoundProject(environment);
  const index = await openIndexFor(context);
  const {provider, workspace} = context.binding;
  if (index) {
    const [{listAll}, query] = await Promise.all([
      import('../storage/read-index/index-queries.js'),
      indexQuery(filters).then((q) => withGraphFilter(index, q, filters.graph)),
    ]);
    const mappings = indexMappings(index);
    return {
      provider,
      workspace,
      warnings: index.warnings,
      *tickets() {
        for (const found of listAll(index, query)) yield indexedTicket(found, mappings);
      },
      close: () => index.close(),
    };
  }
  const list = await listTickets(environment, filters);
  return {provider, workspace, warnings: list.warnings, tickets: () => list.tickets, close: () => {}};
}

/** `query` narrowed to `--ready` / `--blocked` when asked, by the index's work graph. */
async function withGraphFilter(
  index: NonNullable<Awaited<ReturnType<typeof openIndexFor>>>,
  query: ListQuery,
  graph: GraphListing | undefined,
): Promise<ListQuery> {
  if (graph === undefined) return query;
  const [{graphFilter}, {indexGraph}] = await Promise.all([
    import('./graph-reads.js'),
    import('../storage/read-index/index-graph.js'),
  ]);
  return {...query, filters: [...query.filters, graphFilter(indexGraph(index, {blocking: true}), graph)]};
}

/** `--ready` / `--blocked` over the folded log (a cache too small for an index). */
async function foldedGraphTest(
  storage: TrackerStorageHandle,
  graph: GraphListing,
): Promise<(issue: CanonicalIssue) => boolean> {
  const [{graphFilter}, {foldGraph}, state] = await Promise.all([
    import('./graph-reads.js'),
    import('./fold-graph.js'),
    storage.log.read(),
  ]);
  return graphFilter(foldGraph(state), graph).issue;
}

function viewOf(snap: CacheSnapshot, issue: CanonicalIssue): TicketView {
  return ticketView(issue, {
    pendingFields: snap.pending.get(refIdentity(issue.ref)) ?? [],
    mappings: snap.mappings,
  });
}

export interface TicketSearch extends TicketList {
  readonly query: string;
  /** True when the query was read as a key (and matched exactly one issue). */
  readonly matched_key: boolean;
}

/** Key first (`#12`, `PROJ-7`, an id), then text in title and body. */
export async function searchTickets(
  environment: ServiceEnvironment,
  query: string,
  limit = 20,
): Promise<TicketSearch> {
  const trimmed = query.trim();
  if (trimmed === '')
    throw new UsageError('The search query is empty.', {
      hint: 'Pass --query with a key (#12, PROJ-7) or words.',
    });
  const context = await loadBoundProject(environment);
  const index = await openIndexFor(context);
  if (index) {
    try {
      return await searchIndexed(context, index, trimmed, limit);
    } finally {
      index.close();
    }
  }
  const snap = await snapshot(environment, context);
  const base = {
    provider: snap.context.binding.provider,
    workspace: snap.context.binding.workspace,
    query: trimmed,
    warnings: snap.storage.warnings,
  };
  if (looksLikeKey(trimmed)) {
    try {
      const issue = resolveIssueKey(snap.issues, trimmed);
      return {...base, matched_key: true, total: 1, tickets: [viewOf(snap, issue)]};
    } catch {
      // not a known key: fall back to text
    }
  }
  const words = trimmed.toLowerCase().split(/\s+/);
  const found = snap.issues
    .filter((issue) => {
      const hay =
        `${issue.title}\n${issue.body ?? ''}\n${issue.ref.key ?? ''}\n${issue.labels.join(' ')}`.toLowerCase();
      return words.every((word) => hay.includes(word));
    })
    .sort(compareBy('updated'));
  return {
    ...base,
    matched_key: false,
    total: found.length,
    tickets: found.slice(0, limit).map((issue) => viewOf(snap, issue)),
  };
}

async function searchIndexed(
  context: BoundContext,
  index: NonNullable<Awaited<ReturnType<typeof openIndexFor>>>,
  query: string,
  limit: number,
): Promise<TicketSearch> {
  const base = {
    provider: context.binding.provider,
    workspace: context.binding.workspace,
    query,
    warnings: index.warnings,
  };
  const mappings = indexMappings(index);
  if (looksLikeKey(query)) {
    try {
      const found = resolveIndexed(index, query);
      return {...base, matched_key: true, total: 1, tickets: [indexedTicket(found, mappings)]};
    } catch {
      // not a known key: fall back to text
    }
  }
  const {searchWords} = await import('../storage/read-index/index-queries.js');
  const found = searchWords(index, query, limit);
  return {
    ...base,
    matched_key: false,
    total: found.total,
    tickets: found.issues.map((issue) => indexedTicket(issue, mappings)),
  };
}

export interface TicketDetail extends IssueRelations {
  readonly ticket: TicketView;
  readonly body: string | null;
  readonly parent: string | null;
  readonly links: {type: string; target: string}[];
  readonly custom_fields: Record<string, unknown>;
  /** Local edits not pushed yet, by field. */
  readonly pending_edits: Record<string, unknown>;
  readonly pending_comments: {comment_id: string; at: string; body: string}[];
  readonly mappings: {wp_id: string; identity: string}[];
  readonly conflicts: {field_name: string; open: boolean; winner: string; strategy: string; at: string}[];
  readonly history: {event_id: string; at: string; kind: string}[];
  readonly warnings: readonly string[];
}

/**
 * Throws a clearer error when `key` names an issue the cache holds as deleted (a `--full` pull
 * found it gone from the tracker): saying "refresh with sync pull" would send the user in circles.
 */
async function explainDeleted(storage: TrackerStorageHandle, key: string): Promise<void> {
  const state = await storage.log.read();
  const deleted = [...state.issues.values()].filter((entry) => entry.deleted && entry.base !== null);
  let found: CanonicalIssue;
  try {
    found = resolveIssueKey(
      deleted.map((entry) => entry.base!),
      key,
    );
  } catch {
    return;
  }
  const entry = state.issues.get(refIdentity(found.ref))!;
  const when = [...entry.history].reverse().find((h) => h.kind === 'issue_deleted')?.at;
  throw new TrackerError(
    `Issue ${key} is no longer on the tracker: \`sync pull --full\` marked it deleted${when ? ` on ${when}` : ''}.`,
    {
      hint: `Its last pulled version stays in the log's history (${refIdentity(found.ref)}); a later pull that lists it again restores it.`,
    },
  );
}

export async function showTicket(environment: ServiceEnvironment, key: string): Promise<TicketDetail> {
  const context = await loadBoundProject(environment);
  const first = await import('./first-read.js');
  const targeted = await first.targetedShowFor(context, key, environment.env);
  if (targeted) {
    let detail: TicketDetail | null = null;
    try {
      detail = await showIndexed(targeted, key);
    } catch {
      // an unknown or ambiguous key: the full fold says why
    }
    if (detail) {
      first.buildIndexInBackground(context, environment.env);
      return detail;
    }
  }
  const index = await openIndexFor(context);
  if (index) {
    try {
      return await showIndexed(index, key);
    } finally {
      index.close();
    }
  }
  const snap = await snapshot(environment, context);
  let issue: CanonicalIssue;
  try {
    issue = resolveIssueKey(snap.issues, key);
  } catch (error) {
    if (error instanceof UnknownIssueKeyError) await explainDeleted(snap.storage, key);
    throw error;
  }
  const identity = refIdentity(issue.ref);
  const [edits, comments, conflicts, state] = await Promise.all([
    snap.storage.stores.getLocalEdits(identity),
    snap.storage.stores.listPendingComments(),
    snap.storage.stores.listConflicts({identity}),
    snap.storage.log.read(),
  ]);
  const [{issueRelations}, {foldGraph}] = await Promise.all([
    import('./graph-reads.js'),
    import('./fold-graph.js'),
  ]);
  const history = (state.issues.get(identity)?.history ?? []).map((h) => ({
    event_id: h.event_id,
    at: h.at,
    kind: h.kind,
  }));
  return {
    ticket: viewOf(snap, issue),
    body: issue.body,
    parent: issue.parent ? refIdentity(issue.parent) : null,
    links: issue.links.map((link) => ({type: link.type, target: refIdentity(link.target)})),
    ...issueRelations(foldGraph(state), identity),
    custom_fields: {...issue.custom_fields},
    pending_edits: {...edits},
    pending_comments: comments
      .filter((c) => c.identity === identity)
      .map((c) => ({comment_id: c.comment_id, at: c.at, body: c.body})),
    mappings: snap.mappings
      .filter((m) => refIdentity(m.ref) === identity)
      .map((m) => ({wp_id: m.wp_id, identity})),
    conflicts: conflicts.map((c) => ({
      field_name: c.field_name,
      open: c.open,
      winner: c.winner,
      strategy: c.strategy,
      at: c.at,
    })),
    history,
    warnings: snap.storage.warnings,
  };
}

export async function showIndexed(
  index: NonNullable<Awaited<ReturnType<typeof openIndexFor>>>,
  key: string,
): Promise<TicketDetail> {
  const found = resolveIndexed(index, key);
  const [{issueRelations}, {indexGraph}] = await Promise.all([
    import('./graph-reads.js'),
    import('../storage/read-index/index-graph.js'),
  ]);
  const {issue, entry} = found;
  const identity = entry.identity;
  const mappings = indexMappings(index);
  return {
    ticket: indexedTicket(found, mappings),
    body: issue.body,
    parent: issue.parent ? refIdentity(issue.parent) : null,
    links: issue.links.map((link) => ({type: link.type, target: refIdentity(link.target)})),
    ...issueRelations(indexGraph(index, {around: identity}), identity),
    custom_fields: {...issue.custom_fields},
    pending_edits: localEditsOf(found),
    pending_comments: indexPendingComments(index)
      .filter((c) => c.identity === identity)
      .map((c) => ({comment_id: c.comment_id, at: c.at, body: c.body})),
    mappings: mappings
      .filter((m) => refIdentity(m.ref) === identity)
      .map((m) => ({wp_id: m.wp_id, identity})),
    conflicts: indexConflicts(index, {identity}).map((c) => ({
      field_name: c.field_name,
      open: c.open,
      winner: c.winner,
      strategy: c.strategy,
      at: c.at,
    })),
    history: entry.history.map((h) => ({event_id: h.event_id, at: h.at, kind: h.kind})),
    warnings: index.warnings,
  };
}

export interface CredentialStatus {
  readonly present: boolean;
  /** Where each credential key comes from (env var name or file path), never its value. */
  readonly sources: Record<string, string>;
  readonly missing: string[];
  /** Why credentials could not be checked (e.g. an insecure credentials file). */
  readonly problem: string | null;
}

export interface TrackerStatus {
  readonly bound: true;
  readonly provider: string;
  readonly workspace: string;
  readonly server_url: string | null;
  readonly doctrine_mode: string;
  readonly field_owners: Record<string, string>;
  readonly egress: string;
  readonly project_root: string;
  readonly cache_dir: string;
  readonly issue_count: number;
  readonly mapping_count: number;
  readonly pending_edits: number;
  readonly pending_comments: number;
  readonly open_conflicts: number;
  readonly last_pull_at: string | null;
  readonly checkpoint: SyncCheckpoint | null;
  readonly credentials: CredentialStatus;
  /** Per work package in kitty-specs/: lane, mapped issue, the tracker's status, disagreement. */
  readonly work_packages: WorkPackageStatusRow[];
  readonly warnings: readonly string[];
}

/** The checkpoint key the sync engine uses by default for a scope's pull (`SyncEngine.checkpointKey`). */
export function pullCheckpointKey(provider: string, workspace: string): string {
  return `pull:${provider}:${workspace}`;
}

export function credentialStatus(provider: string, env: NodeJS.ProcessEnv): CredentialStatus {
  const descriptor = requireProvider(provider);
  try {
    const resolved = resolveCredentials(descriptor, env);
    const describe = (s: CredentialSource): string =>
      s.kind === 'env' ? `env:${s.variable}` : `file:${s.path}`;
    return {
      present: resolved.missing.length === 0,
      sources: Object.fromEntries(Object.entries(resolved.sources).map(([k, s]) => [k, describe(s)])),
      missing: resolved.missing.map((spec) => spec.env ?? spec.key),
      problem: null,
    };
  } catch (error) {
    return {
      present: false,
      sources: {},
      missing: [],
      problem: error instanceof Error ? error.message : String(error),
    };
  }
}

export function egressLabel(egress: BoundContext['binding']['egress']): string {
  return egress.state === 'fault' ? `invalid (${JSON.stringify(egress.raw)})` : egress.state;
}

export async function trackerStatus(environment: ServiceEnvironment): Promise<TrackerStatus> {
  const context = await loadBoundProject(environment);
  // Work package rows compare every mapped issue with its lanes: that path still folds.
  if (!existsSync(join(context.location.root, 'kitty-specs'))) {
    const index = await openIndexFor(context);
    if (index) {
      try {
        return await statusIndexed(context, index, environment);
      } finally {
        index.close();
      }
    }
  }
  const snap = await snapshot(environment, context);
  const {binding} = snap.context;
  const [state, conflicts, comments, checkpoint] = await Promise.all([
    snap.storage.log.read(),
    snap.storage.stores.listConflicts({openOnly: true}),
    snap.storage.stores.listPendingComments(),
    snap.storage.checkpoints.getCheckpoint(pullCheckpointKey(binding.provider, binding.workspace)),
  ]);
  const overview = await workPackageOverview({
    context: snap.context,
    log: snap.storage.log,
    issues: snap.issues,
    mappings: snap.mappings,
  });
  let lastPull: string | null = null;
  for (const entry of state.issues.values()) {
    for (const h of entry.history)
      if (h.kind === 'issue_pulled' && (lastPull === null || h.at > lastPull)) lastPull = h.at;
  }
  return {
    ...bindingStatus(snap.context),
    cache_dir: snap.storage.scopeDir,
    issue_count: snap.issues.length,
    mapping_count: snap.mappings.length,
    pending_edits: [...snap.pending.values()].length,
    pending_comments: comments.length,
    open_conflicts: conflicts.length,
    last_pull_at: lastPull,
    checkpoint,
    credentials: credentialStatus(binding.provider, environment.env),
    work_packages: overview.rows,
    warnings: [...snap.storage.warnings, ...overview.warnings],
  };
}

/** What `status` says of the binding itself, whichever way the cache is read. */
function bindingStatus(context: BoundContext) {
  const {binding, location} = context;
  return {
    bound: true as const,
    provider: binding.provider,
    workspace: binding.workspace,
    server_url: binding.serverUrl,
    doctrine_mode: binding.doctrine.mode,
    field_owners: {...binding.doctrine.fieldOwners},
    egress: egressLabel(binding.egress),
    project_root: location.root,
  };
}

async function statusIndexed(
  context: BoundContext,
  index: NonNullable<Awaited<ReturnType<typeof openIndexFor>>>,
  environment: ServiceEnvironment,
): Promise<TrackerStatus> {
  const {binding, location} = context;
  const [{CheckpointFileStore}, {scopeDir}] = await Promise.all([
    import('../storage/checkpoint-file-store.js'),
    import('../storage/scope.js'),
  ]);
  const dir = scopeDir(location.root, {
    provider: binding.provider,
    serverUrl: binding.serverUrl ?? '',
    workspace: binding.workspace,
  });
  const checkpoints = new CheckpointFileStore({root: location.root, scopeDir: dir});
  const checkpoint = await checkpoints.getCheckpoint(pullCheckpointKey(binding.provider, binding.workspace));
  return {
    ...bindingStatus(context),
    cache_dir: dir,
    issue_count: index.liveCount,
    mapping_count: index.global.mappings.length,
    pending_edits: index.pendingCount,
    pending_comments: indexPendingComments(index).length,
    open_conflicts: indexConflicts(index, {openOnly: true}).length,
    last_pull_at: index.global.lastPullAt,
    checkpoint,
    credentials: credentialStatus(binding.provider, environment.env),
    work_packages: [],
    warnings: [...index.warnings, ...checkpoints.warnings],
  };
}

export interface MissionWorkPackages {
  readonly provider: string;
  readonly workspace: string;
  readonly mission: string;
  readonly work_packages: WorkPackageStatusRow[];
  readonly warnings: readonly string[];
}

/** `list-tickets --mission M`: that mission's work packages next to their issues (offline). */
export async function listMissionWorkPackages(
  environment: ServiceEnvironment,
  mission: string,
): Promise<MissionWorkPackages> {
  const slug = mission
    .trim()
    .replace(/^kitty-specs\//, '')
    .replace(/\/+$/, '');
  if (slug === '')
    throw new UsageError('Invalid --mission: it must not be blank.', {
      hint: 'Pass a mission slug, the folder name under kitty-specs/ (e.g. 020-search).',
    });
  const snap = await snapshot(environment);
  const overview = await workPackageOverview({
    context: snap.context,
    log: snap.storage.log,
    issues: snap.issues,
    mappings: snap.mappings,
    mission: slug,
  });
  return {
    provider: snap.context.binding.provider,
    workspace: snap.context.binding.workspace,
    mission: slug,
    work_packages: overview.rows,
    warnings: [...snap.storage.warnings, ...overview.warnings],
  };
}

export function isSortKey(value: string): value is SortKey {
  return isOneOf(SORT_KEYS, value);
}

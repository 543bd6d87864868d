import type {CanonicalIssue, CanonicalLink, IssueField, IssuePatch} from '../model/canonical-issue.js';
import type {CanonicalStatus} from '../model/enums.js';
import type {ExternalRef} from '../model/external-ref.js';
import type {JsonValue} from '../model/json.js';
import type {Clock, ProcessRunner, RuntimeEventListener, Sleep} from './runtime.js';

/** What a connector can do, stated honestly: the engine reports what falls outside it. */
export interface ConnectorCapabilities {
  /** Listing honours `updated_since` (otherwise every pull lists everything). */
  readonly incremental: boolean;
  readonly create: boolean;
  readonly comments: boolean;
  readonly links: boolean;
  /** `removeLink` deletes a relation remotely (otherwise a removed dependency is reported). */
  readonly link_removal: boolean;
  readonly hierarchy: boolean;
  readonly multi_assignee: boolean;
  readonly custom_fields: boolean;
  readonly delete: boolean;
  readonly webhooks: boolean;
  /** Fields `updateIssue`/`transitionIssue`/`createIssue` can set; others are reported. */
  readonly writable_fields: readonly IssueField[];
  /** How a created issue carries its idempotency key, so a retry can find it. */
  readonly idempotency_marker: 'label' | 'body_footer' | 'custom_field' | 'description' | 'none';
  /**
   * How a posted comment carries its idempotency key, so that `findComment` can tell whether a
   * comment whose outcome is unknown reached the tracker: a hidden body footer, a property of
   * the comment, an id the client chose, a visible last line, or nothing (no lookup possible).
   */
  readonly comment_marker: 'body_footer' | 'comment_property' | 'client_id' | 'body_line' | 'none';
}

/** Narrows a lookup to what was written at or after `since` (when the write's intent was recorded). */
export interface LookupOptions {
  /** ISO instant; null or absent: no bound known (the lookup may have to search). */
  readonly since?: string | null;
}

export interface ListIssuesRequest {
  /** Only issues updated at or after this instant (providers differ; the engine overlaps and dedupes). */
  readonly updated_since: string | null;
  /** The cursor of the page to fetch, as returned in `next_cursor`; null for the first page. */
  readonly cursor: string | null;
  /** Page size wanted (connectors clamp it to what the provider allows). */
  readonly limit: number;
}

export interface Page<T> {
  readonly items: T[];
  readonly next_cursor: string | null;
}

/**
 * One issue tracker behind one interface. Implementations live one folder per provider under
 * `src/core/connectors/`. They throw `ConnectorRequestError` (with a failure class) for failed
 * requests and never put a credential in a message.
 */
export interface TrackerConnector {
  /** Provider name, also the `system` of every ref it returns. */
  readonly provider: string;
  readonly workspace: string;
  capabilities(): ConnectorCapabilities;

  listIssues(request: ListIssuesRequest): Promise<Page<CanonicalIssue>>;
  getIssue(ref: ExternalRef): Promise<CanonicalIssue | null>;
  /**
   * Creates the issue remotely (title, body, type, priority, labels, assignees, parent as
   * supported; status by transition when not the initial one) and marks it with
   * `idempotencyKey` so that `findByIdempotencyKey` finds it later.
   */
  createIssue(issue: CanonicalIssue, options: {idempotencyKey: string}): Promise<CanonicalIssue>;
  /**
   * The issue created with `idempotencyKey` = `key`, or null. With `since`, only issues created
   * at or after it are considered, which lets a connector list recent issues instead of
   * searching.
   */
  findByIdempotencyKey(key: string, options?: LookupOptions): Promise<CanonicalIssue | null>;
  /** Updates fields other than `status` (which goes through `transitionIssue`). */
  updateIssue(
    ref: ExternalRef,
    patch: IssuePatch,
    options: {idempotencyKey: string},
  ): Promise<CanonicalIssue>;
  /** Moves the issue to a canonical status through the provider's workflow. */
  transitionIssue(ref: ExternalRef, status: CanonicalStatus): Promise<CanonicalIssue>;
  upsertLink(ref: ExternalRef, link: CanonicalLink): Promise<void>;
  /** Deletes the relation `link` of `ref` remotely; absent already counts as done. */
  removeLink(ref: ExternalRef, link: CanonicalLink): Promise<void>;
  /** Posts a comment, marked with `idempotencyKey` (see `comment_marker`) when one is given. */
  addComment(ref: ExternalRef, body: string, options?: {idempotencyKey?: string}): Promise<void>;
  /** Whether a comment marked with `key` is on the issue (false when `comment_marker` is `none`). */
  findComment(ref: ExternalRef, key: string, options?: LookupOptions): Promise<boolean>;
}

/** Everything a connector factory needs; hosts build it from the binding and credentials. */
export interface ConnectorConfig {
  readonly workspace: string;
  /** Self-hosted / enterprise base URL; null for the provider's cloud default. */
  readonly serverUrl: string | null;
  /** Secrets and settings (tokens, `command`, `cwd`); never logged. */
  readonly credentials: Readonly<Record<string, string>>;
  /** Provider-specific non-secret options from the binding (e.g. status labels). */
  readonly options: Readonly<Record<string, JsonValue>>;
  readonly runtime: ConnectorRuntime;
}

export interface ConnectorRuntime {
  readonly fetch?: typeof fetch;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /** How long one HTTP request may take before it counts as unanswered (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Random in [0, 1) for backoff jitter; injectable for deterministic tests. */
  readonly random?: () => number;
  readonly onEvent?: RuntimeEventListener;
  /** For connectors that run a local executable. */
  readonly runner?: ProcessRunner;
  /**
   * Replaces the published budgets the HTTP client paces itself to (a server with other limits,
   * such as GitHub Enterprise Server, or a test server with limits scaled down); `off` paces nothing.
   */
  readonly pacing?: PacingOverrides;
}

/** Budgets per minute/hour that replace a provider's published ones; `off` disables pacing. */
export type PacingOverrides =
  | 'off'
  | {
      readonly writes_per_minute?: number;
      readonly writes_per_hour?: number;
      readonly searches_per_minute?: number;
      readonly requests_per_hour?: number;
      /**
       * The server's typical answer time in ms, which the dry run's `eta_seconds` assumes for each
       * request (a hosted tracker's default otherwise): a nearby server answers far faster.
       */
      readonly answer_ms?: number;
    };

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
  readonly hierarchy: boolean;
  readonly multi_assignee: boolean;
  readonly custom_fields: boolean;
  readonly delete: boolean;
  readonly webhooks: boolean;
  /** Fields `updateIssue`/`transitionIssue`/`createIssue` can set; others are reported. */
  readonly writable_fields: readonly IssueField[];
  /** How a created issue carries its idempotency key, so a retry can find it. */
  readonly idempotency_marker: 'label' | 'body_footer' | 'custom_field' | 'description' | 'none';
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
  findByIdempotencyKey(key: string): Promise<CanonicalIssue | null>;
  /** Updates fields other than `status` (which goes through `transitionIssue`). */
  updateIssue(
    ref: ExternalRef,
    patch: IssuePatch,
    options: {idempotencyKey: string},
  ): Promise<CanonicalIssue>;
  /** Moves the issue to a canonical status through the provider's workflow. */
  transitionIssue(ref: ExternalRef, status: CanonicalStatus): Promise<CanonicalIssue>;
  upsertLink(ref: ExternalRef, link: CanonicalLink): Promise<void>;
  addComment(ref: ExternalRef, body: string): Promise<void>;
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
    };

import type {CanonicalIssue, CanonicalLink, IssuePatch} from '../model/canonical-issue.js';
import type {CanonicalStatus} from '../model/enums.js';
import type {ExternalRef} from '../model/external-ref.js';
import type {
  ConnectorCapabilities,
  ListIssuesRequest,
  LookupOptions,
  Page,
  TrackerConnector,
} from '../protocols/connector.js';
import type {RequestCounts} from './sync-result.js';

/** Wraps a connector to count the calls the engine makes, per method, for the sync result. */
export class CountingConnector implements TrackerConnector {
  readonly counts: RequestCounts = {};

  constructor(private readonly inner: TrackerConnector) {}

  get provider(): string {
    return this.inner.provider;
  }

  get workspace(): string {
    return this.inner.workspace;
  }

  capabilities(): ConnectorCapabilities {
    return this.inner.capabilities();
  }

  /** A copy of the counts so far, and resets nothing. */
  snapshot(): RequestCounts {
    return {...this.counts};
  }

  listIssues(request: ListIssuesRequest): Promise<Page<CanonicalIssue>> {
    this.count('listIssues');
    return this.inner.listIssues(request);
  }

  getIssue(ref: ExternalRef): Promise<CanonicalIssue | null> {
    this.count('getIssue');
    return this.inner.getIssue(ref);
  }

  createIssue(issue: CanonicalIssue, options: {idempotencyKey: string}): Promise<CanonicalIssue> {
    this.count('createIssue');
    return this.inner.createIssue(issue, options);
  }

  findByIdempotencyKey(key: string, options?: LookupOptions): Promise<CanonicalIssue | null> {
    this.count('findByIdempotencyKey');
    return this.inner.findByIdempotencyKey(key, options);
  }

  updateIssue(
    ref: ExternalRef,
    patch: IssuePatch,
    options: {idempotencyKey: string},
  ): Promise<CanonicalIssue> {
    this.count('updateIssue');
    return this.inner.updateIssue(ref, patch, options);
  }

  transitionIssue(ref: ExternalRef, status: CanonicalStatus): Promise<CanonicalIssue> {
    this.count('transitionIssue');
    return this.inner.transitionIssue(ref, status);
  }

  upsertLink(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    this.count('upsertLink');
    return this.inner.upsertLink(ref, link);
  }

  removeLink(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    this.count('removeLink');
    return this.inner.removeLink(ref, link);
  }

  addComment(ref: ExternalRef, body: string, options?: {idempotencyKey?: string}): Promise<void> {
    this.count('addComment');
    return this.inner.addComment(ref, body, options);
  }

  findComment(ref: ExternalRef, key: string, options?: LookupOptions): Promise<boolean> {
    this.count('findComment');
    return this.inner.findComment(ref, key, options);
  }

  private count(method: string): void {
    this.counts[method] = (this.counts[method] ?? 0) + 1;
  }
}

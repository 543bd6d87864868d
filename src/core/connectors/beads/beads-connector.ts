import {
  CapabilityNotSupportedError,
  ConnectorConfigError,
  ConnectorRequestError,
  IssueNotFoundError,
} from '../../errors.js';
import {
  CORE_ISSUE_FIELDS,
  type CanonicalIssue,
  type CanonicalLink,
  type IssueField,
  type IssuePatch,
} from '../../model/canonical-issue.js';
import type {CanonicalStatus, LinkType} from '../../model/enums.js';
import {refIdentity, type ExternalRef} from '../../model/external-ref.js';
import {isJsonObject, type JsonValue} from '../../model/json.js';
import type {
  ConnectorCapabilities,
  ConnectorConfig,
  ListIssuesRequest,
  Page,
  TrackerConnector,
} from '../../protocols/connector.js';
import {createLocalCliInvoker, type LocalCliInvoker} from '../local-cli/cli-invoker.js';
import {parseJsonOutput, payloadError} from '../local-cli/output-parsing.js';
import {
  BEADS_PROVIDER,
  ROUND_TRIP_LINK_TYPES,
  beadsIssueFromJson,
  beadsMarker,
  dependencyForLink,
  isInitialBeadsStatus,
  markerOf,
  statusToBeads,
  typeToBeads,
} from './beads-mapping.js';
import {joinMarker, splitMarker} from '../shared/body-marker.js';

/**
 * `bd list` shows at most 50 issues (20 in agent mode) and leaves out closed and pinned ones
 * unless told otherwise: `--all` lifts the status filter and `--limit 0` the cap, so a pull
 * sees every issue. (Templates, gates and infrastructure beads such as agents stay out: they
 * are not work items.)
 */
const LIST_EVERYTHING: readonly string[] = ['--json', 'list', '--all', '--limit', '0'];

/** Priority beads gives an issue created without one; sent explicitly so the result does not depend on bd's default. */
const DEFAULT_BEADS_PRIORITY = 2;

export const BEADS_CAPABILITIES: ConnectorCapabilities = Object.freeze({
  // `--updated-after` takes an RFC 3339 instant (compared to the second, strictly after): the
  // engine's overlap window and de-duplication absorb the rounding.
  incremental: true,
  create: true,
  comments: true,
  links: true,
  // `bd dep remove` after `show` confirms the dependency's type; a parent goes with `--parent ''`.
  link_removal: true,
  hierarchy: true,
  multi_assignee: false,
  // `metadata` is read into custom_fields.metadata but bd has no flag to write it.
  custom_fields: false,
  delete: false,
  webhooks: false,
  writable_fields: CORE_ISSUE_FIELDS.filter((field) => field !== 'custom_fields') as readonly IssueField[],
  // The create writes `external_ref = spec-kitty:<key>`; `findByIdempotencyKey` lists and matches it.
  idempotency_marker: 'custom_field' as const,
  comment_marker: 'body_footer' as const,
});

/**
 * beads (`bd`), the local issue tracker, driven through its JSON CLI (`bd --json ...`). Every
 * call is one run of the executable named by `credentials.command` (default `bd`) in
 * `credentials.cwd`; one run per operation, with the argv spec-kitty's Python tracker uses, so a
 * bd version that works with one works with the other.
 */
export class BeadsConnector implements TrackerConnector {
  readonly provider = BEADS_PROVIDER;
  readonly workspace: string;
  private readonly cli: LocalCliInvoker;

  constructor(config: ConnectorConfig) {
    if (config.workspace.trim() === '') {
      throw new ConnectorConfigError('beads: the workspace is required', {
        hint: 'Bind with --workspace <name>.',
      });
    }
    this.workspace = config.workspace;
    this.cli = createLocalCliInvoker(BEADS_PROVIDER, 'bd', config);
  }

  capabilities(): ConnectorCapabilities {
    return BEADS_CAPABILITIES;
  }

  /**
   * One `bd --json list --all --limit 0` (plus `--updated-after <RFC 3339>` when incremental).
   * bd does not page, so every matching issue comes back in one page; `limit` is not applied,
   * since cutting the list with no next cursor would silently lose issues.
   */
  async listIssues(request: ListIssuesRequest): Promise<Page<CanonicalIssue>> {
    const args = [...LIST_EVERYTHING];
    if (request.updated_since !== null) args.push('--updated-after', rfc3339Seconds(request.updated_since));
    const items = await this.listRaw(args);
    const what = this.what('list');
    return {
      items: items.map((item, index) =>
        beadsIssueFromJson(item, {workspace: this.workspace, what, where: `item ${index + 1}`}),
      ),
      next_cursor: null,
    };
  }

  async getIssue(ref: ExternalRef): Promise<CanonicalIssue | null> {
    let stdout: string;
    try {
      stdout = await this.cli.run(['--json', 'show', ref.id], `show ${ref.id}`);
    } catch (error) {
      if (error instanceof ConnectorRequestError && error.failureClass === 'not_found') return null;
      throw error;
    }
    const what = this.what(`show ${ref.id}`);
    const payload = parseJsonOutput(BEADS_PROVIDER, what, stdout, 'an issue object or a one-item array');
    // `bd show --json` prints an array (current bd), a bare issue, or {issue, dependencies, comments}.
    const candidate = Array.isArray(payload) ? payload[0] : payload;
    if (candidate === undefined || candidate === null) return null;
    const context = {workspace: this.workspace, what, where: 'the issue'};
    if (isJsonObject(candidate) && isJsonObject(candidate.issue)) {
      return beadsIssueFromJson(candidate.issue, context, candidate);
    }
    return beadsIssueFromJson(candidate, context);
  }

  /**
   * `bd --json create <title> --type --priority [--description] [--parent] [--label]...
   * [--assignee] --external-ref spec-kitty:<key>`, then `update --status` when the status is not
   * the initial one, `dep add` per link, and one final `show`. A todo issue costs exactly create
   * and show.
   */
  async createIssue(issue: CanonicalIssue, options: {idempotencyKey: string}): Promise<CanonicalIssue> {
    requireSingleAssignee(issue.assignees);
    const args = ['--json', 'create'];
    // A title starting with '-' would be read as a flag; the --title form keeps it literal.
    if (issue.title.startsWith('-')) args.push(`--title=${issue.title}`);
    else args.push(issue.title);
    args.push(
      '--type',
      typeToBeads(issue.issue_type),
      '--priority',
      String(issue.priority ?? DEFAULT_BEADS_PRIORITY),
    );
    if (issue.body !== null) args.push('--description', issue.body);
    if (issue.parent !== null) args.push('--parent', issue.parent.id);
    for (const label of issue.labels) args.push('--label', sliceFlagValue(label));
    if (issue.assignees.length === 1) args.push('--assignee', issue.assignees[0]);
    args.push('--external-ref', beadsMarker(options.idempotencyKey));

    const stdout = await this.cli.run(args, 'create');
    const id = createdIssueId(stdout, this.what('create'));
    const ref: ExternalRef = {system: BEADS_PROVIDER, workspace: this.workspace, id, key: id, url: null};

    if (!isInitialBeadsStatus(issue.status)) await this.setStatus(ref, issue.status);
    for (const link of issue.links) await this.upsertLink(ref, link);
    return this.mustShow(ref);
  }

  async findByIdempotencyKey(key: string): Promise<CanonicalIssue | null> {
    const items = await this.listRaw([...LIST_EVERYTHING]);
    const index = items.findIndex((item) => markerOf(item) === key);
    if (index === -1) return null;
    return beadsIssueFromJson(items[index], {
      workspace: this.workspace,
      what: this.what('list'),
      where: `item ${index + 1}`,
    });
  }

  /**
   * One `bd --json update <id> ...` with a flag per patched field, `dep add`/`dep remove` for a
   * `links` patch, then `show`. What beads cannot hold is refused before anything runs.
   */
  async updateIssue(
    ref: ExternalRef,
    patch: IssuePatch,
    _options: {idempotencyKey: string},
  ): Promise<CanonicalIssue> {
    if (patch.custom_fields !== undefined) {
      throw new CapabilityNotSupportedError(
        BEADS_PROVIDER,
        'writing custom_fields (bd has no flag to set metadata)',
      );
    }
    if (patch.assignees !== undefined) requireSingleAssignee(patch.assignees);
    if (patch.priority === null)
      throw new CapabilityNotSupportedError(
        BEADS_PROVIDER,
        'clearing the priority (every beads issue has one)',
      );
    if (patch.links !== undefined) {
      const unsupported = patch.links.filter((link) => !ROUND_TRIP_LINK_TYPES.includes(link.type));
      if (unsupported.length > 0) {
        throw new CapabilityNotSupportedError(
          BEADS_PROVIDER,
          `setting ${[...new Set(unsupported.map((link) => link.type))].join(', ')} links through an update`,
          {hint: `Only ${ROUND_TRIP_LINK_TYPES.join(', ')} links are stored on the issue itself in beads.`},
        );
      }
    }

    const flags: string[] = [];
    if (patch.status !== undefined) flags.push('--status', statusToBeads(patch.status));
    if (patch.priority !== undefined && patch.priority !== null)
      flags.push('--priority', String(patch.priority));
    if (patch.title !== undefined) flags.push('--title', patch.title);
    if (patch.body !== undefined) flags.push('--description', patch.body ?? '');
    if (patch.issue_type !== undefined) flags.push('--type', typeToBeads(patch.issue_type));
    if (patch.labels !== undefined) {
      if (patch.labels.length === 0) flags.push('--set-labels', '');
      for (const label of patch.labels) flags.push('--set-labels', sliceFlagValue(label));
    }
    if (patch.parent !== undefined) flags.push('--parent', patch.parent?.id ?? '');
    if (patch.assignees !== undefined) flags.push('--assignee', patch.assignees[0] ?? '');

    if (flags.length > 0) await this.cli.run(['--json', 'update', ref.id, ...flags], `update ${ref.id}`);
    if (patch.links !== undefined) await this.replaceLinks(ref, patch.links);
    return this.mustShow(ref);
  }

  async transitionIssue(ref: ExternalRef, status: CanonicalStatus): Promise<CanonicalIssue> {
    await this.setStatus(ref, status);
    return this.mustShow(ref);
  }

  /**
   * A dependency with `bd dep add <issue> <depends-on> --type <t>` (bd takes a repeat of the same
   * type as done); the parent with `bd update <child> --parent <parent>`, which replaces the
   * child's parent-child dependency, when the child has another parent or none.
   */
  async upsertLink(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    if (link.type === 'child_of' || link.type === 'parent_of') {
      const [child, parent] = link.type === 'child_of' ? [ref, link.target] : [link.target, ref];
      if ((await this.mustShow(child)).parent?.id === parent.id) return;
      await this.cli.run(['--json', 'update', child.id, '--parent', parent.id], `update ${child.id}`);
      return;
    }
    const dependency = dependencyForLink(ref, link);
    await this.cli.run(
      ['--json', 'dep', 'add', dependency.issue, dependency.dependsOn, '--type', dependency.type],
      `dep add ${dependency.issue} ${dependency.dependsOn}`,
    );
  }

  /**
   * `bd dep remove <issue> <depends-on>` removes whatever dependency the pair has, so `show`
   * first confirms it is the one asked for; a parent is removed with `update --parent ''`.
   */
  async removeLink(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    if (link.type === 'child_of' || link.type === 'parent_of') {
      const [child, parent] = link.type === 'child_of' ? [ref, link.target] : [link.target, ref];
      if ((await this.getIssue(child))?.parent?.id !== parent.id) return;
      await this.cli.run(['--json', 'update', child.id, '--parent', ''], `update ${child.id}`);
      return;
    }
    const dependency = dependencyForLink(ref, link);
    const holder = await this.getIssue({...ref, id: dependency.issue});
    const heldAs = dependency.issue === ref.id ? link : {type: mirrorOf(link.type), target: ref};
    if (!holder?.links.some((l) => l.type === heldAs.type && l.target.id === heldAs.target.id)) return;
    await this.cli.run(
      ['--json', 'dep', 'remove', dependency.issue, dependency.dependsOn],
      `dep remove ${dependency.issue} ${dependency.dependsOn}`,
    );
  }

  async addComment(ref: ExternalRef, body: string, options: {idempotencyKey?: string} = {}): Promise<void> {
    const text = joinMarker(body, options.idempotencyKey ?? null);
    // A body starting with '-' (a Markdown list) would be read as a flag; after `--` it is text.
    const args = text.startsWith('-') ? ['--', text] : [text];
    await this.cli.run(['--json', 'comments', 'add', ref.id, ...args], `comments add ${ref.id}`);
  }

  /** `bd comments <id>` lists all of an issue's comments; the footer tells ours. */
  async findComment(ref: ExternalRef, key: string): Promise<boolean> {
    const what = this.what(`comments ${ref.id}`);
    const stdout = await this.cli.run(['--json', 'comments', ref.id], `comments ${ref.id}`);
    const payload = parseJsonOutput(BEADS_PROVIDER, what, stdout, 'a JSON array of comments');
    const comments = Array.isArray(payload) ? payload : [];
    return comments.some((c) => isJsonObject(c) && splitMarker(c.text as string | null).key === key);
  }

  // ---- internals -----------------------------------------------------------------------

  private what(label: string): string {
    return `\`${this.cli.settings.command} ${label}\``;
  }

  private async listRaw(args: string[]): Promise<JsonValue[]> {
    const what = this.what('list');
    const stdout = await this.cli.run(args, 'list');
    const payload = parseJsonOutput(BEADS_PROVIDER, what, stdout, 'a JSON array of issues');
    if (payload === null) return [];
    if (Array.isArray(payload)) return payload;
    if (isJsonObject(payload) && Array.isArray(payload.items)) return payload.items;
    throw payloadError(
      BEADS_PROVIDER,
      what,
      'the top level',
      'a JSON array of issues (or {"items": [...]})',
      payload,
    );
  }

  private async setStatus(ref: ExternalRef, status: CanonicalStatus): Promise<void> {
    await this.cli.run(['--json', 'update', ref.id, '--status', statusToBeads(status)], `update ${ref.id}`);
  }

  private async mustShow(ref: ExternalRef): Promise<CanonicalIssue> {
    const issue = await this.getIssue(ref);
    if (issue === null) {
      throw new IssueNotFoundError(refIdentity(ref), {
        hint: `\`${this.cli.settings.command} show ${ref.id}\` found no such issue.`,
      });
    }
    return issue;
  }

  /** Adds the links `wanted` has and the issue lacks, removes the ones it has and `wanted` lacks. */
  private async replaceLinks(ref: ExternalRef, wanted: readonly CanonicalLink[]): Promise<void> {
    const current = await this.mustShow(ref);
    const key = (link: CanonicalLink) => `${link.type}|${link.target.id}`;
    const wantedKeys = new Set(wanted.map(key));
    const currentKeys = new Set(current.links.map(key));
    for (const link of current.links) {
      if (wantedKeys.has(key(link))) continue;
      const dependency = dependencyForLink(ref, link);
      await this.cli.run(
        ['--json', 'dep', 'remove', dependency.issue, dependency.dependsOn],
        `dep remove ${dependency.issue} ${dependency.dependsOn}`,
      );
    }
    for (const link of wanted) {
      if (!currentKeys.has(key(link))) await this.upsertLink(ref, link);
    }
  }
}

/** How the other issue reads a link `ref` holds on it (only `blocks` is held by the other side). */
function mirrorOf(type: LinkType): LinkType {
  return type === 'blocks' ? 'blocked_by' : type;
}

function requireSingleAssignee(assignees: readonly string[]): void {
  if (assignees.length > 1) {
    throw new CapabilityNotSupportedError(
      BEADS_PROVIDER,
      `more than one assignee per issue (got ${assignees.length})`,
    );
  }
}

/** The id of a created issue: `id`, `issue.id`, or the first array item's `id`. */
function createdIssueId(stdout: string, what: string): string {
  const payload = parseJsonOutput(BEADS_PROVIDER, what, stdout, 'the created issue as JSON');
  const candidate = Array.isArray(payload) ? payload[0] : payload;
  if (isJsonObject(candidate)) {
    const direct = candidate.id;
    if (typeof direct === 'string' && direct.trim() !== '') return direct.trim();
    const nested = isJsonObject(candidate.issue) ? candidate.issue.id : undefined;
    if (typeof nested === 'string' && nested.trim() !== '') return nested.trim();
  }
  throw payloadError(
    BEADS_PROVIDER,
    what,
    'the top level',
    'the created issue with a string `id`',
    payload ?? '',
  );
}

/**
 * An instant as RFC 3339 to the second (`2026-03-01T10:00:00Z`), the form bd's time flags
 * parse; the fraction is dropped (rounding down widens the window, never narrows it).
 */
function rfc3339Seconds(instant: string): string {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) return instant;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * bd's label flags are string slices: each value is read as one CSV record, so `a,b` means two
 * labels. A label holding a comma, a quote or a line break is quoted to stay one label.
 */
function sliceFlagValue(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

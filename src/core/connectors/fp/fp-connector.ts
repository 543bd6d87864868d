import {
  CapabilityNotSupportedError,
  ConnectorConfigError,
  ConnectorRequestError,
  IssueNotFoundError,
} from '../../errors.js';
import {
  createIssue,
  type CanonicalIssue,
  type CanonicalLink,
  type IssueField,
  type IssuePatch,
} from '../../model/canonical-issue.js';
import {
  CANONICAL_ISSUE_TYPES,
  isOneOf,
  type CanonicalIssueType,
  type CanonicalStatus,
} from '../../model/enums.js';
import {refIdentity, type ExternalRef} from '../../model/external-ref.js';
import type {
  ConnectorCapabilities,
  ConnectorConfig,
  ListIssuesRequest,
  Page,
  TrackerConnector,
} from '../../protocols/connector.js';
import {createLocalCliInvoker, type LocalCliInvoker} from '../local-cli/cli-invoker.js';
import {payloadError} from '../local-cli/output-parsing.js';
import {
  FP_ISSUE_LINE_FORMAT,
  FP_PROVIDER,
  extractIssueId,
  findIssueLine,
  parseIssueList,
  priorityToFp,
  statusToFp,
  type FpIssueLine,
} from './fp-output.js';

/** The fields `fp issue update` can change: status and priority (and dependencies, via links). */
const FP_UPDATABLE_FIELDS: readonly IssueField[] = ['status', 'priority'];

export const FP_CAPABILITIES: ConnectorCapabilities = Object.freeze({
  // `fp issue list` has no updated-since filter: every pull lists everything.
  incremental: false,
  create: true,
  comments: true,
  // What is known of fp's CLI comes from the commands spec-kitty's Python connector runs (fp's
  // source is not public): `issue create --parent/--depends`. Dependencies are written only at
  // creation and never read back: `issue update --depends` replaces the whole list, and no output
  // format for the list is known.
  links: true,
  // No command to remove a dependency is known.
  link_removal: false,
  // A parent is given at create (`--parent`); changing it afterwards is not known to be possible.
  hierarchy: true,
  multi_assignee: false,
  custom_fields: false,
  delete: false,
  webhooks: false,
  writable_fields: FP_UPDATABLE_FIELDS,
  // fp has no labels, custom fields or external reference to carry a marker, and a body
  // footer would show in every issue's text: creates cannot be found again after a crash.
  idempotency_marker: 'none' as const,
  comment_marker: 'none' as const,
});

/**
 * fp (the fp.dev local issue CLI), driven through its text commands. fp prints no JSON, so
 * issues are read from `fp issue list` / `fp issue show` lines and `fp context` (the body).
 * What fp cannot update is refused with `CapabilityNotSupportedError`, never ignored.
 */
export class FPConnector implements TrackerConnector {
  readonly provider = FP_PROVIDER;
  readonly workspace: string;
  private readonly cli: LocalCliInvoker;
  private readonly defaultIssueType: CanonicalIssueType;

  constructor(config: ConnectorConfig) {
    if (config.workspace.trim() === '') {
      throw new ConnectorConfigError('fp: the workspace is required', {
        hint: 'Bind with --workspace <name>.',
      });
    }
    this.workspace = config.workspace;
    this.cli = createLocalCliInvoker(FP_PROVIDER, 'fp', config);
    const configuredType = config.options.default_issue_type ?? 'task';
    if (!isOneOf(CANONICAL_ISSUE_TYPES, configuredType)) {
      throw new ConnectorConfigError(
        `fp: default_issue_type must be one of ${CANONICAL_ISSUE_TYPES.join(', ')}, got ${JSON.stringify(configuredType)}`,
      );
    }
    this.defaultIssueType = configuredType;
  }

  capabilities(): ConnectorCapabilities {
    return FP_CAPABILITIES;
  }

  /** One `fp issue list`; fp neither filters by time nor pages, so all issues come in one page. */
  async listIssues(_request: ListIssuesRequest): Promise<Page<CanonicalIssue>> {
    const lines = await this.listLines();
    return {items: lines.map((line) => this.issueFromLine(line, null, {line: line.line})), next_cursor: null};
  }

  /** `fp issue show <id>` for the fields and `fp context <id>` for the body. */
  async getIssue(ref: ExternalRef): Promise<CanonicalIssue | null> {
    let show: string;
    try {
      show = await this.cli.run(['issue', 'show', ref.id], `issue show ${ref.id}`);
    } catch (error) {
      if (error instanceof ConnectorRequestError && error.failureClass === 'not_found') return null;
      throw error;
    }
    let line = findIssueLine(show, ref.id);
    if (line === null) {
      // Older fp versions print details without the summary line: find it in the list instead.
      line = (await this.listLines()).find((candidate) => candidate.id === ref.id) ?? null;
      if (line === null) {
        throw payloadError(
          FP_PROVIDER,
          this.what(`issue show ${ref.id}`),
          'no line',
          `an issue line ${FP_ISSUE_LINE_FORMAT} for ${ref.id}`,
        );
      }
    }
    const context = await this.cli.run(['context', ref.id], `context ${ref.id}`);
    const body = context.trim();
    return this.issueFromLine(line, body === '' ? null : body, {line: line.line, show, context});
  }

  /**
   * `fp issue create --title <t> [--description] [--parent] [--priority] [--depends a,b]`, then
   * `issue update --status` when not todo, and a final show. A `blocks` link of the new issue is
   * not written: it would be an update of the other issue's whole dependency list (see
   * `upsertLink`); the next push reports it. fp holds no labels, assignees, custom fields or issue type: those are not sent,
   * and the returned issue (read back from fp) shows what fp kept.
   */
  async createIssue(issue: CanonicalIssue, _options: {idempotencyKey: string}): Promise<CanonicalIssue> {
    const args = ['issue', 'create', '--title', issue.title];
    if (issue.body !== null) args.push('--description', issue.body);
    if (issue.parent !== null) args.push('--parent', issue.parent.id);
    if (issue.priority !== null) args.push('--priority', priorityToFp(issue.priority));
    const dependsOn = issue.links.filter((link) => link.type === 'blocked_by').map((link) => link.target.id);
    if (dependsOn.length > 0) args.push('--depends', dependsOn.join(','));

    const what = this.what('issue create');
    const output = await this.cli.run(args, 'issue create');
    const id = extractIssueId(output);
    if (id === null)
      throw payloadError(FP_PROVIDER, what, 'no line', 'the new issue id (like FP-12)', output.trim());
    const ref: ExternalRef = {system: FP_PROVIDER, workspace: this.workspace, id, key: id, url: null};

    if (issue.status !== 'todo') await this.runUpdate(ref, ['--status', statusToFp(issue.status)]);
    return this.mustGet(ref);
  }

  /** fp offers nowhere to keep an idempotency marker (see `idempotency_marker: 'none'`). */
  async findByIdempotencyKey(_key: string): Promise<CanonicalIssue | null> {
    return null;
  }

  async updateIssue(
    ref: ExternalRef,
    patch: IssuePatch,
    _options: {idempotencyKey: string},
  ): Promise<CanonicalIssue> {
    const unsupported = (Object.keys(patch) as IssueField[]).filter(
      (field) => patch[field] !== undefined && !FP_UPDATABLE_FIELDS.includes(field),
    );
    if (unsupported.length > 0) {
      throw new CapabilityNotSupportedError(FP_PROVIDER, `updating ${unsupported.join(', ')}`, {
        hint: `fp issue update can change only ${FP_UPDATABLE_FIELDS.join(' and ')}.`,
      });
    }
    if (patch.priority === null) throw new CapabilityNotSupportedError(FP_PROVIDER, 'clearing the priority');
    const flags: string[] = [];
    if (patch.status !== undefined) flags.push('--status', statusToFp(patch.status));
    if (patch.priority !== undefined && patch.priority !== null)
      flags.push('--priority', priorityToFp(patch.priority));
    if (flags.length > 0) await this.runUpdate(ref, flags);
    return this.mustGet(ref);
  }

  async transitionIssue(ref: ExternalRef, status: CanonicalStatus): Promise<CanonicalIssue> {
    await this.runUpdate(ref, ['--status', statusToFp(status)]);
    return this.mustGet(ref);
  }

  /**
   * Refused for an existing issue: `fp issue update --depends` replaces the issue's whole
   * dependency list, and fp prints no documented list to read first, so adding one dependency
   * could silently erase the others. Dependencies reach fp when an issue is created
   * (`issue create --depends a,b`, every blocker at once).
   */
  async upsertLink(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    if (link.type === 'blocks' || link.type === 'blocked_by') {
      const [blocked, blocker] = link.type === 'blocks' ? [link.target, ref] : [ref, link.target];
      throw new CapabilityNotSupportedError(FP_PROVIDER, 'adding a dependency to an existing issue', {
        hint: `fp issue update --depends replaces ${blocked.id}'s whole dependency list, and its current list cannot be read, so writing only ${blocker.id} could erase the others. Add it in fp with every blocker listed: fp issue update --depends "<all blockers>" ${blocked.id}.`,
      });
    } else if (link.type === 'child_of' || link.type === 'parent_of') {
      throw new CapabilityNotSupportedError(FP_PROVIDER, 'setting the parent of an existing issue', {
        hint: 'fp takes a parent only when an issue is created (fp issue create --parent); no command to change it later is known. Set it in fp by hand.',
      });
    } else {
      throw new CapabilityNotSupportedError(FP_PROVIDER, `${link.type} links`, {
        hint: 'fp records only dependencies (fp issue create --depends), that is blocks / blocked_by.',
      });
    }
  }

  /** No fp command is known to remove a dependency or a parent: refused, never guessed. */
  async removeLink(_ref: ExternalRef, link: CanonicalLink): Promise<void> {
    throw new CapabilityNotSupportedError(FP_PROVIDER, `removing a relation (${link.type})`, {
      hint: 'The fp commands known (issue create/update --depends, --parent) only add relations; remove it in fp by hand.',
    });
  }

  async addComment(ref: ExternalRef, body: string, _options: {idempotencyKey?: string} = {}): Promise<void> {
    await this.cli.run(['comment', ref.id, body], `comment ${ref.id}`);
  }

  /** No marker is written on comments yet, so a comment cannot be looked for. */
  async findComment(_ref: ExternalRef, _key: string): Promise<boolean> {
    return false;
  }

  // ---- internals -----------------------------------------------------------------------

  private what(label: string): string {
    return `\`${this.cli.settings.command} ${label}\``;
  }

  private async listLines(): Promise<FpIssueLine[]> {
    const stdout = await this.cli.run(['issue', 'list'], 'issue list');
    return parseIssueList(stdout, this.what('issue list'));
  }

  private async runUpdate(ref: ExternalRef, flags: string[]): Promise<void> {
    await this.cli.run(['issue', 'update', ...flags, ref.id], `issue update ${ref.id}`);
  }

  private async mustGet(ref: ExternalRef): Promise<CanonicalIssue> {
    const issue = await this.getIssue(ref);
    if (issue === null) {
      throw new IssueNotFoundError(refIdentity(ref), {
        hint: `\`${this.cli.settings.command} issue show ${ref.id}\` found no such issue.`,
      });
    }
    return issue;
  }

  private issueFromLine(line: FpIssueLine, body: string | null, raw: Record<string, string>): CanonicalIssue {
    return createIssue({
      ref: {system: FP_PROVIDER, workspace: this.workspace, id: line.id, key: line.id},
      title: line.title,
      body,
      status: line.status,
      issue_type: this.defaultIssueType,
      priority: line.priority,
      raw,
    });
  }
}

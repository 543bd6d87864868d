import {TrackerError} from '../../core/errors.js';
import type {IssueField, IssuePatch} from '../../core/model/canonical-issue.js';
import {CANONICAL_STATUSES, isOneOf} from '../../core/model/enums.js';
import {refIdentity} from '../../core/model/external-ref.js';
import {createOwnershipPolicy, localCanWrite} from '../../core/policy/ownership.js';
import {UsageError} from '../shared/usage-error.js';
import {assertLocalContentClean, guardStorage} from './content-guard.js';
import {loadBoundProject, type BoundContext, type ServiceEnvironment} from './service-context.js';
import {openBoundStorage} from './storage-gateway.js';
import {resolveIssueKey} from './issue-key.js';

export interface EditRequest {
  readonly status?: string;
  readonly title?: string;
  readonly addLabels?: readonly string[];
  readonly removeLabels?: readonly string[];
  /** Replaces the assignees. */
  readonly assignees?: readonly string[];
}

export interface EditResult {
  readonly identity: string;
  readonly key: string;
  /** False when every value already was what was asked (nothing recorded). */
  readonly changed: boolean;
  /** Fields this edit changed. */
  readonly fields: IssueField[];
  /** All fields now waiting for `sync push`. */
  readonly pending_fields: IssueField[];
  /** Fields the binding's doctrine will not let a push send, with why. */
  readonly warnings: string[];
}

/** Fields a push under this binding would skip, as messages for the user. */
function ownershipWarnings(context: BoundContext, fields: readonly IssueField[]): string[] {
  let policy;
  try {
    policy = createOwnershipPolicy(context.binding.doctrine.mode, context.binding.doctrine.fieldOwners);
  } catch {
    return [
      `The doctrine mode '${context.binding.doctrine.mode}' in .kittify/config.yaml is invalid; sync push will refuse.`,
    ];
  }
  const blocked = fields.filter((field) => !localCanWrite(policy, field));
  if (blocked.length === 0) return [];
  return [
    `Recorded locally, but ${blocked.join(', ')} ${blocked.length === 1 ? 'is' : 'are'} owned by the tracker under doctrine mode ${policy.mode}: sync push will not send ${blocked.length === 1 ? 'it' : 'them'}. ` +
      'Rebind with --doctrine-mode split_ownership (and --field-owner field=local) or spec_kitty_authoritative to push local edits.',
  ];
}

/** Records a local edit offline; `sync push` sends it. */
export async function editTicket(
  environment: ServiceEnvironment,
  key: string,
  request: EditRequest,
): Promise<EditResult> {
  if (request.status !== undefined && !isOneOf(CANONICAL_STATUSES, request.status)) {
    throw new UsageError(`Invalid --status '${request.status}'.`, {
      hint: `Expected one of: ${CANONICAL_STATUSES.join(', ')}.`,
    });
  }
  if (request.title !== undefined && request.title.trim() === '') {
    throw new UsageError('Invalid --title: it must not be blank.', {hint: 'Pass the new title in quotes.'});
  }
  const nothing =
    request.status === undefined &&
    request.title === undefined &&
    !request.addLabels?.length &&
    !request.removeLabels?.length &&
    request.assignees === undefined;
  if (nothing) {
    throw new UsageError('Nothing to edit.', {
      hint: 'Pass at least one of --status, --title, --add-label, --remove-label, --assignee.',
    });
  }
  // The cache under .kittify/ is committed: a credential in an edit is refused before anything.
  assertLocalContentClean(environment.env, [
    {label: '--title', value: request.title},
    {label: '--add-label', value: request.addLabels},
    {label: '--remove-label', value: request.removeLabels},
    {label: '--assignee', value: request.assignees},
  ]);
  const context = await loadBoundProject(environment);
  const storage = guardStorage(await openBoundStorage(context), environment.env);
  const issue = resolveIssueKey(await storage.stores.listIssues(), key);
  const identity = refIdentity(issue.ref);

  const set: IssuePatch = {};
  if (request.status !== undefined) set.status = request.status as IssuePatch['status'];
  if (request.title !== undefined) set.title = request.title.trim();
  if (request.assignees !== undefined)
    set.assignees = [...new Set(request.assignees.map((a) => a.trim()).filter(Boolean))].sort();
  // Decided under the writer lock from the state read there; labels go as add/remove operations,
  // so two edits of one issue running at once both keep their labels.
  if (!storage.stores.applyLocalEdit) throw new TrackerError('This cache cannot record an edit atomically.');
  const changedFields = await storage.stores.applyLocalEdit(identity, {
    set,
    labels: {add: request.addLabels, remove: request.removeLabels},
  });
  const changed = changedFields.length > 0;
  const after = await storage.stores.getLocalEdits(identity);
  const pending = (Object.keys(after) as IssueField[]).sort();
  return {
    identity,
    key: issue.ref.key ?? issue.ref.id,
    changed,
    fields: changedFields,
    pending_fields: pending,
    warnings: changed ? ownershipWarnings(context, changedFields) : [],
  };
}

export interface CommentResult {
  readonly identity: string;
  readonly key: string;
  readonly comment_id: string;
  readonly at: string;
  /** Why a push under this binding would not send it (empty when it will). */
  readonly warnings: string[];
}

/** Why a push would keep a comment back under this binding's doctrine (none when it sends it). */
function commentWarnings(context: BoundContext): string[] {
  if (context.binding.doctrine.mode !== 'external_authoritative') return [];
  return [
    'Recorded locally, but the tracker owns every field under doctrine mode external_authoritative: sync push will not send the comment. ' +
      'Rebind with --doctrine-mode split_ownership or spec_kitty_authoritative to push local changes.',
  ];
}

/** Records a comment offline; `sync push` sends it. */
export async function commentTicket(
  environment: ServiceEnvironment,
  key: string,
  body: string,
): Promise<CommentResult> {
  if (body.trim() === '')
    throw new UsageError('Invalid --body: the comment is empty.', {
      hint: 'Pass the comment text with --body.',
    });
  assertLocalContentClean(environment.env, [{label: '--body', value: body}]);
  const context = await loadBoundProject(environment);
  const storage = guardStorage(await openBoundStorage(context), environment.env);
  const issue = resolveIssueKey(await storage.stores.listIssues(), key);
  const comment = await storage.stores.addPendingComment(refIdentity(issue.ref), body);
  if (!comment.comment_id) throw new TrackerError('The comment was not recorded.');
  return {
    identity: comment.identity,
    key: issue.ref.key ?? issue.ref.id,
    comment_id: comment.comment_id,
    at: comment.at,
    warnings: commentWarnings(context),
  };
}

/**
 * The data behind the fake Linear (one team, its workflow states, labels, users, issues,
 * relations, comments) and the resolvers graphql-js runs against it. Views are plain objects
 * whose connection fields are functions of their arguments, so nested connections page
 * (`labels(first: 10)` returns ten labels and says whether there are more) as Linear's do.
 */
import {GraphQLError} from 'graphql';
import {connectionOf, type PageArgs} from './fake-linear-connection.js';

type Obj = Record<string, unknown>;

export interface FakeLinearIssue {
  id: string;
  number: number;
  title: string;
  description: string | null;
  priority: number;
  stateId: string;
  assigneeId: string | null;
  labelIds: string[];
  parentId: string | null;
  createdAt: number;
  updatedAt: number;
  comments: string[];
}

export interface FakeState {
  id: string;
  name: string;
  type: string;
  position: number;
}

export interface FakeLabel {
  id: string;
  name: string;
  teamId: string | null;
}

export interface FakeRelation {
  id: string;
  type: string;
  issueId: string;
  relatedIssueId: string;
}

/** An error Linear answers with HTTP 400 for the whole request (not a 200 with `errors`). */
export class LinearRequestRefusal extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** An error Linear reports in `errors` of a 200 answer. */
function fieldError(message: string, code: string): GraphQLError {
  return new GraphQLError(message, {extensions: {code, userPresentableMessage: message}});
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

const notFound = (what: string): GraphQLError =>
  fieldError(`Entity not found: ${what} - Could not find referenced ${what}.`, 'INPUT_ERROR');

const byId = <T extends {id: string}>(item: T): string[] => [item.id];

export class FakeLinearStore {
  readonly teamId = 'team-1';
  readonly issues = new Map<string, FakeLinearIssue>();
  readonly relations: FakeRelation[] = [];
  readonly labels: FakeLabel[] = [{id: 'label-ws-bug', name: 'bug', teamId: null}];
  readonly users = new Set(['user-1', 'user-2']);
  readonly states: FakeState[] = [
    {id: 'state-backlog', name: 'Backlog', type: 'backlog', position: 0},
    {id: 'state-todo', name: 'Todo', type: 'unstarted', position: 1},
    {id: 'state-progress', name: 'In Progress', type: 'started', position: 2},
    {id: 'state-review', name: 'In Review', type: 'started', position: 3},
    {id: 'state-done', name: 'Done', type: 'completed', position: 4},
    {id: 'state-canceled', name: 'Canceled', type: 'canceled', position: 5},
  ];
  private seq = 1;
  /** Comment id -> body, for `comment(id:)`. */
  private readonly commentIds = new Map<string, string>();

  constructor(
    readonly teamKey: string,
    private readonly tick: () => number,
  ) {}

  // ---- roots ---------------------------------------------------------------------------

  readonly query = {
    comment: (args: {id: string}) => {
      const body = this.commentIds.get(args.id);
      if (body === undefined) throw notFound('Comment');
      return {id: args.id, body};
    },
    issues: (args: PageArgs & {filter?: Obj | null; orderBy?: string | null}) => this.issueConnection(args),
    issue: (args: {id: string}) => {
      const issue = this.findIssue(args.id);
      if (!issue) throw notFound('Issue');
      return this.issueView(issue);
    },
    teams: (args: PageArgs & {filter?: Obj | null}) => {
      const key = ((args.filter?.key ?? {}) as Obj).eq;
      const teams = key === undefined || key === this.teamKey ? [{id: this.teamId}] : [];
      return connectionOf(teams, args, byId, () => this.teamView());
    },
    issueLabels: (args: PageArgs & {filter?: Obj | null}) => {
      const names = (((args.filter?.name ?? {}) as Obj).in ?? null) as string[] | null;
      const labels = this.labels.filter((l) => names === null || names.includes(l.name));
      return connectionOf(labels, args, byId, (l) => this.labelView(l));
    },
  };

  readonly mutation = {
    issueCreate: (args: {input: Obj}) => this.createIssue(args.input),
    issueUpdate: (args: {id: string; input: Obj}) => {
      const issue = this.findIssue(args.id);
      if (!issue) throw notFound('Issue');
      this.applyInput(issue, args.input);
      this.touch(issue);
      return {success: true, lastSyncId: this.seq, issue: this.issueView(issue)};
    },
    commentCreate: (args: {input: Obj}) => this.createComment(args.input),
    issueRelationCreate: (args: {input: Obj}) => this.createRelation(args.input),
    issueRelationDelete: (args: {id: string}) => {
      const index = this.relations.findIndex((r) => r.id === args.id);
      if (index < 0) throw notFound('IssueRelation');
      this.relations.splice(index, 1);
      return {success: true, lastSyncId: this.seq};
    },
    issueLabelCreate: (args: {input: Obj}) => this.createLabel(args.input),
  };

  // ---- writes --------------------------------------------------------------------------

  newIssue(title: string): FakeLinearIssue {
    const now = this.tick();
    const number = this.issues.size + 1;
    const issue: FakeLinearIssue = {
      id: `00000000-0000-4000-8000-${String(number).padStart(12, '0')}`,
      number,
      title,
      description: null,
      priority: 0,
      stateId: 'state-todo',
      assigneeId: null,
      labelIds: [],
      parentId: null,
      createdAt: now,
      updatedAt: now,
      comments: [],
    };
    this.issues.set(issue.id, issue);
    return issue;
  }

  labelByName(name: string): FakeLabel {
    let label = this.labels.find((l) => l.name === name);
    if (!label) {
      label = {id: `label-${this.seq++}`, name, teamId: this.teamId};
      this.labels.push(label);
    }
    return label;
  }

  findIssue(idOrIdentifier: string): FakeLinearIssue | undefined {
    return (
      this.issues.get(idOrIdentifier) ??
      [...this.issues.values()].find((i) => `${this.teamKey}-${i.number}` === idOrIdentifier)
    );
  }

  private createIssue(input: Obj): Obj {
    if (input.teamId !== this.teamId) throw new LinearRequestRefusal('Entity not found: Team', 'INPUT_ERROR');
    if (typeof input.title !== 'string' || input.title.trim() === '')
      throw new LinearRequestRefusal('title must not be empty', 'INPUT_ERROR');
    const issue = this.newIssue(input.title);
    this.applyInput(issue, input);
    return {success: true, lastSyncId: this.seq, issue: this.issueView(issue)};
  }

  /** Linear lets the client choose a comment's id (a UUID v4); it must be new. */
  private createComment(input: Obj): Obj {
    const issue = this.findIssue(String(input.issueId ?? ''));
    if (!issue) throw notFound('Issue');
    if (input.id !== undefined && input.id !== null) {
      if (!UUID_V4.test(String(input.id)))
        throw new LinearRequestRefusal('id must be a UUID v4', 'INPUT_ERROR');
      if (this.commentIds.has(String(input.id)))
        throw new LinearRequestRefusal('Comment with this id already exists', 'INPUT_ERROR');
    }
    const id = input.id ? String(input.id) : `comment-${this.seq++}`;
    this.commentIds.set(id, String(input.body ?? ''));
    issue.comments.push(String(input.body ?? ''));
    this.touch(issue);
    return {success: true, lastSyncId: this.seq, comment: {id, body: input.body}};
  }

  private createRelation(input: Obj): Obj {
    const a = this.findIssue(String(input.issueId ?? ''));
    const b = this.findIssue(String(input.relatedIssueId ?? ''));
    if (!a || !b) throw notFound('Issue');
    // Linear does not document what a repeated relation does; the fake takes the stricter of the
    // two readings and refuses it, so a client must look before it writes.
    if (a.id === b.id) throw new LinearRequestRefusal('An issue cannot be related to itself', 'INPUT_ERROR');
    const type = String(input.type);
    if (this.relations.some((r) => r.type === type && r.issueId === a.id && r.relatedIssueId === b.id))
      throw new LinearRequestRefusal('Issue relation already exists', 'INPUT_ERROR');
    const relation = {id: `rel-${this.seq++}`, type, issueId: a.id, relatedIssueId: b.id};
    this.relations.push(relation);
    this.touch(a);
    return {success: true, lastSyncId: this.seq, issueRelation: this.relationView(relation)};
  }

  private createLabel(input: Obj): Obj {
    const label = {
      id: `label-${this.seq++}`,
      name: String(input.name),
      teamId: typeof input.teamId === 'string' ? input.teamId : null,
    };
    if (this.labels.some((l) => l.name === label.name && l.teamId === label.teamId))
      throw new LinearRequestRefusal('Duplicate label name', 'INPUT_ERROR');
    this.labels.push(label);
    return {success: true, lastSyncId: this.seq, issueLabel: this.labelView(label)};
  }

  private applyInput(issue: FakeLinearIssue, input: Obj): void {
    const refuse = (message: string): never => {
      throw new LinearRequestRefusal(message, 'INPUT_ERROR');
    };
    if (typeof input.title === 'string') issue.title = input.title;
    if (input.description !== undefined)
      issue.description = input.description === null ? null : String(input.description);
    if (input.priority !== undefined) {
      if (typeof input.priority !== 'number' || input.priority < 0 || input.priority > 4)
        refuse('priority must be 0..4');
      issue.priority = input.priority as number;
    }
    if (input.stateId !== undefined) {
      if (!this.states.some((s) => s.id === input.stateId)) refuse('Entity not found: WorkflowState');
      issue.stateId = String(input.stateId);
    }
    if (input.assigneeId !== undefined) {
      if (input.assigneeId !== null && !this.users.has(String(input.assigneeId)))
        refuse('Entity not found: User');
      issue.assigneeId = input.assigneeId === null ? null : String(input.assigneeId);
    }
    if (input.labelIds !== undefined) {
      const ids = (input.labelIds ?? []) as string[];
      if (ids.some((id) => !this.labels.some((l) => l.id === id))) refuse('Entity not found: IssueLabel');
      issue.labelIds = [...ids];
    }
    if (input.parentId !== undefined) {
      const parent = input.parentId === null ? null : this.findIssue(String(input.parentId));
      if (input.parentId !== null && !parent) refuse('Entity not found: Issue (parent)');
      // A parent chain never loops back: an issue cannot be its own ancestor.
      for (let up = parent; up; up = up.parentId ? this.issues.get(up.parentId) : undefined)
        if (up.id === issue.id) refuse('An issue cannot be its own parent or ancestor');
      issue.parentId = parent ? parent.id : null;
    }
  }

  private touch(issue: FakeLinearIssue): void {
    issue.updatedAt = this.tick();
  }

  // ---- listing -------------------------------------------------------------------------

  private issueConnection(args: PageArgs & {filter?: Obj | null; orderBy?: string | null}): unknown {
    const byUpdated = args.orderBy === 'updatedAt';
    // Most recent first, as Linear lists with orderBy (ties broken by id for a total order).
    const keyOf = (i: FakeLinearIssue): (string | number)[] => [
      -(byUpdated ? i.updatedAt : i.createdAt),
      i.id,
    ];
    const all = [...this.issues.values()]
      .filter((issue) => this.matches(issue, args.filter ?? {}))
      .sort((a, b) => (keyOf(a)[0] as number) - (keyOf(b)[0] as number) || (a.id < b.id ? -1 : 1));
    return connectionOf(all, args, keyOf, (i) => this.issueView(i));
  }

  private matches(issue: FakeLinearIssue, filter: Obj): boolean {
    const team = (filter.team ?? null) as Obj | null;
    const teamKey = ((team?.key ?? {}) as Obj).eq;
    if (teamKey !== undefined && teamKey !== this.teamKey) return false;
    const updated = (filter.updatedAt ?? null) as Obj | null;
    if (updated) {
      if (typeof updated.gte === 'string' && issue.updatedAt < Date.parse(updated.gte)) return false;
      if (typeof updated.gt === 'string' && issue.updatedAt <= Date.parse(updated.gt)) return false;
    }
    const description = (filter.description ?? null) as Obj | null;
    if (
      typeof description?.contains === 'string' &&
      !(issue.description ?? '').includes(description.contains)
    )
      return false;
    const id = (filter.id ?? null) as Obj | null;
    if (typeof id?.eq === 'string' && issue.id !== id.eq) return false;
    if (Array.isArray(filter.and)) return filter.and.every((f) => this.matches(issue, f as Obj));
    return true;
  }

  // ---- views ---------------------------------------------------------------------------

  private issueView(issue: FakeLinearIssue): Obj {
    const state = this.states.find((s) => s.id === issue.stateId)!;
    const issueLabels = (): FakeLabel[] => issue.labelIds.map((id) => this.labels.find((l) => l.id === id)!);
    return {
      id: issue.id,
      identifier: `${this.teamKey}-${issue.number}`,
      title: issue.title,
      description: issue.description,
      priority: issue.priority,
      priorityLabel: ['No priority', 'Urgent', 'High', 'Medium', 'Low'][issue.priority],
      url: `https://linear.app/fake/issue/${this.teamKey}-${issue.number}`,
      createdAt: new Date(issue.createdAt).toISOString(),
      updatedAt: new Date(issue.updatedAt).toISOString(),
      archivedAt: null,
      team: this.teamView(),
      state: {...state},
      assignee: issue.assigneeId === null ? null : this.userView(issue.assigneeId),
      labels: (args: PageArgs) => connectionOf(issueLabels(), args, byId, (l) => this.labelView(l)),
      parent: () => (issue.parentId ? this.issueView(this.issues.get(issue.parentId)!) : null),
      relations: (args: PageArgs) =>
        connectionOf(
          this.relations.filter((r) => r.issueId === issue.id),
          args,
          byId,
          (r) => this.relationView(r),
        ),
      inverseRelations: (args: PageArgs) =>
        connectionOf(
          this.relations.filter((r) => r.relatedIssueId === issue.id),
          args,
          byId,
          (r) => this.relationView(r),
        ),
    };
  }

  private userView(id: string): Obj {
    return {id, name: id, displayName: id, email: `${id}@example.com`};
  }

  private relationView(r: FakeRelation): Obj {
    return {
      id: r.id,
      type: r.type,
      issue: () => this.issueView(this.issues.get(r.issueId)!),
      relatedIssue: () => this.issueView(this.issues.get(r.relatedIssueId)!),
    };
  }

  private teamView(): Obj {
    return {
      id: this.teamId,
      key: this.teamKey,
      name: 'Engineering',
      states: (args: PageArgs) => connectionOf(this.states, args, byId, (s) => ({...s})),
    };
  }

  private labelView(label: FakeLabel): Obj {
    return {id: label.id, name: label.name, team: label.teamId ? this.teamView() : null};
  }
}

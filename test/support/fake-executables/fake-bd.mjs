// A fake `bd` (beads) for tests: answers the `bd --json ...` subset the beads connector uses,
// in the shapes of contract §4.9, with state in a JSON file so create -> show works.
import {
  ToolError,
  applyFault,
  loadState,
  parseArgs,
  recordCall,
  runTool,
  saveState,
  toolTime,
} from './fake-tool-runtime.mjs';

export const INITIAL_BD_STATE = {
  prefix: 'bd',
  nextId: 1,
  tick: 0,
  issues: [],
  deps: [],
  comments: [],
  // 'array' (current bd), 'object' (a bare issue) or 'details' ({issue, dependencies, comments}).
  showFormat: 'array',
  faults: {},
};

const STRING_FLAGS = [
  'type',
  'priority',
  'description',
  'parent',
  'label',
  'assignee',
  'external-ref',
  'status',
  'title',
  'set-labels',
  'updated-after',
];
const STATUSES = ['open', 'in_progress', 'blocked', 'deferred', 'closed', 'pinned', 'tombstone'];
const TYPES = ['bug', 'feature', 'task', 'epic', 'chore', 'decision'];
const DEP_TYPES = ['blocks', 'related', 'parent-child', 'discovered-from'];

export function main(paths, argv) {
  recordCall(paths.log, argv);
  const state = loadState(paths.state, INITIAL_BD_STATE);
  runTool(() => {
    const {positionals, flags} = parseArgs(argv.slice(1), STRING_FLAGS, ['json']);
    const [command, ...rest] = positionals;
    if (applyFault(state, command, paths.state)) return;
    if (!flags.json) throw new ToolError('fake bd: this fake only speaks --json');
    const out = handle(state, command, rest, flags);
    saveState(paths.state, state);
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  });
}

function handle(state, command, args, flags) {
  switch (command) {
    case 'list':
      return list(state, flags);
    case 'show':
      return show(state, args[0]);
    case 'create':
      return create(state, args, flags);
    case 'update':
      return [update(state, args[0], flags)];
    case 'dep':
      return dep(state, args, flags);
    case 'comments':
      return comment(state, args);
    default:
      throw new ToolError(`Error: unknown command "${command}" for "bd"`);
  }
}

function find(state, id) {
  const issue = state.issues.find((candidate) => candidate.id === id);
  if (!issue) throw new ToolError(`Error: no issue found matching "${id}"`);
  return issue;
}

function one(flags, name) {
  const values = flags[name];
  return values === undefined ? undefined : values[values.length - 1];
}

function touch(state, issue) {
  state.tick += 1;
  issue.updated_at = toolTime(state.tick);
}

function withDependencies(state, issue) {
  return {...issue, dependencies: state.deps.filter((d) => d.issue_id === issue.id)};
}

function list(state, flags) {
  const after = one(flags, 'updated-after');
  const status = one(flags, 'status');
  return state.issues
    .filter((issue) => after === undefined || issue.updated_at.slice(0, 10) >= after)
    .filter((issue) => status === undefined || issue.status === status)
    .map((issue) => withDependencies(state, issue));
}

function show(state, id) {
  const issue = find(state, id);
  const dependencies = state.deps
    .filter((d) => d.issue_id === id)
    .map((d) => ({...find(state, d.depends_on_id), dependency_type: d.type}));
  const comments = state.comments.filter((c) => c.issue_id === id);
  if (state.showFormat === 'object')
    return {...issue, dependencies: state.deps.filter((d) => d.issue_id === id)};
  if (state.showFormat === 'details') return {issue, dependencies, comments};
  return [{...issue, dependencies, comments}];
}

function create(state, args, flags) {
  const title = one(flags, 'title') ?? args[0];
  if (!title) throw new ToolError('Error: title required');
  const type = one(flags, 'type') ?? 'task';
  if (!TYPES.includes(type)) throw new ToolError(`Error: invalid issue type "${type}"`);
  const priority = Number(one(flags, 'priority') ?? '2');
  if (!Number.isInteger(priority) || priority < 0 || priority > 4)
    throw new ToolError(`Error: invalid priority "${priority}"`);
  const parent = one(flags, 'parent');
  if (parent !== undefined) find(state, parent);
  state.tick += 1;
  const now = toolTime(state.tick);
  const issue = {
    id: `${state.prefix}-${state.nextId++}`,
    title,
    description: one(flags, 'description') ?? '',
    status: 'open',
    priority,
    issue_type: type,
    labels: [...(flags.label ?? [])].sort(),
    created_at: now,
    updated_at: now,
  };
  const assignee = one(flags, 'assignee');
  if (assignee) issue.assignee = assignee;
  const externalRef = one(flags, 'external-ref');
  if (externalRef) issue.external_ref = externalRef;
  if (parent) issue.parent = parent;
  state.issues.push(issue);
  return issue;
}

function update(state, id, flags) {
  const issue = find(state, id);
  const status = one(flags, 'status');
  if (status !== undefined) {
    if (!STATUSES.includes(status)) throw new ToolError(`Error: invalid status "${status}"`);
    issue.status = status;
  }
  const priority = one(flags, 'priority');
  if (priority !== undefined) issue.priority = Number(priority);
  const title = one(flags, 'title');
  if (title !== undefined) issue.title = title;
  const description = one(flags, 'description');
  if (description !== undefined) issue.description = description;
  const type = one(flags, 'type');
  if (type !== undefined) {
    if (!TYPES.includes(type)) throw new ToolError(`Error: invalid issue type "${type}"`);
    issue.issue_type = type;
  }
  if (flags['set-labels'] !== undefined) issue.labels = flags['set-labels'].filter((l) => l !== '').sort();
  const parent = one(flags, 'parent');
  if (parent !== undefined) {
    if (parent === '') delete issue.parent;
    else issue.parent = find(state, parent).id;
  }
  const assignee = one(flags, 'assignee');
  if (assignee !== undefined) {
    if (assignee === '') delete issue.assignee;
    else issue.assignee = assignee;
  }
  touch(state, issue);
  return issue;
}

function dep(state, args, flags) {
  const [action, issueId, dependsOnId] = args;
  find(state, issueId);
  find(state, dependsOnId);
  if (action === 'add') {
    const type = one(flags, 'type') ?? 'blocks';
    if (!DEP_TYPES.includes(type)) throw new ToolError(`Error: invalid dependency type "${type}"`);
    if (!state.deps.some((d) => d.issue_id === issueId && d.depends_on_id === dependsOnId)) {
      state.deps.push({issue_id: issueId, depends_on_id: dependsOnId, type});
    }
    return {status: 'added', issue_id: issueId, depends_on_id: dependsOnId, type};
  }
  if (action === 'remove') {
    state.deps = state.deps.filter((d) => !(d.issue_id === issueId && d.depends_on_id === dependsOnId));
    return {status: 'removed', issue_id: issueId, depends_on_id: dependsOnId};
  }
  throw new ToolError(`Error: unknown command "${action}" for "bd dep"`);
}

function comment(state, args) {
  const [action, issueId, text] = args;
  // `bd comments <id>` lists an issue's comments (one id only, as real bd checks).
  if (action !== 'add' && args.length === 1) {
    find(state, action);
    return state.comments.filter((c) => c.issue_id === action);
  }
  if (action !== 'add')
    throw new ToolError(`Error: "bd comments" takes a single issue id and lists its comments.`);
  find(state, issueId);
  state.tick += 1;
  const entry = {
    id: state.comments.length + 1,
    issue_id: issueId,
    author: 'tester',
    text,
    created_at: toolTime(state.tick),
  };
  state.comments.push(entry);
  return entry;
}

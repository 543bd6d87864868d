// A fake `fp` for tests: answers the text commands the fp connector uses (contract §4.9), with
// state in a JSON file so create -> show works. Issue lines: `<ID> [<status>] [<priority>] <title>`.
import {
  ToolError,
  applyFault,
  loadState,
  parseArgs,
  recordCall,
  runTool,
  saveState,
} from './fake-tool-runtime.mjs';

export const INITIAL_FP_STATE = {
  prefix: 'FP',
  nextId: 1,
  issues: [],
  comments: [],
  // Extra raw lines `issue list` prints first (to test unparseable output).
  listPreamble: [],
  faults: {},
};

const STRING_FLAGS = ['title', 'description', 'parent', 'priority', 'depends', 'status'];
const STATUSES = ['todo', 'in-progress', 'done'];
// fp's four levels, as the vendor's plugin lists them.
const PRIORITIES = ['critical', 'high', 'medium', 'low'];

export function main(paths, argv) {
  recordCall(paths.log, argv);
  const state = loadState(paths.state, INITIAL_FP_STATE);
  runTool(() => {
    const {positionals, flags} = parseArgs(argv.slice(1), STRING_FLAGS, []);
    const [group, ...rest] = positionals;
    const operation = group === 'issue' ? `issue ${rest[0]}` : group;
    if (applyFault(state, operation, paths.state)) return;
    const out = handle(state, group, rest, flags);
    saveState(paths.state, state);
    process.stdout.write(out.endsWith('\n') || out === '' ? out : out + '\n');
  });
}

function handle(state, group, args, flags) {
  if (group === 'issue') {
    const [action, ...rest] = args;
    if (action === 'list') return list(state, flags);
    if (action === 'show') return show(state, rest[0]);
    if (action === 'create') return create(state, flags);
    if (action === 'update') return update(state, rest[0], flags);
    throw new ToolError(`error: unrecognized subcommand '${action}'`);
  }
  if (group === 'context') return find(state, args[0]).description;
  if (group === 'comment') {
    const [id, body] = args;
    find(state, id);
    state.comments.push({issue: id, body});
    return `Added comment to ${id}`;
  }
  throw new ToolError(`error: unrecognized subcommand '${group}'`);
}

function find(state, id) {
  const issue = state.issues.find((candidate) => candidate.id === id);
  if (!issue) throw new ToolError(`Error: issue ${id} not found`);
  return issue;
}

function one(flags, name) {
  const values = flags[name];
  return values === undefined ? undefined : values[values.length - 1];
}

function line(issue) {
  const priority = issue.priority ? ` [${issue.priority}]` : '';
  return `${issue.id} [${issue.status}]${priority} ${issue.title}`;
}

/** Top-level issues, each followed by its children drawn as a tree. */
function list(state, flags) {
  const status = one(flags, 'status');
  const visible = state.issues.filter((issue) => status === undefined || issue.status === status);
  const lines = [...state.listPreamble];
  for (const issue of visible.filter((i) => !i.parent || !visible.some((p) => p.id === i.parent))) {
    lines.push(line(issue));
    const children = visible.filter((child) => child.parent === issue.id);
    children.forEach((child, index) =>
      lines.push(`${index === children.length - 1 ? '└─' : '├─'} ${line(child)}`),
    );
  }
  return lines.join('\n');
}

function show(state, id) {
  const issue = find(state, id);
  const details = [line(issue), ''];
  if (issue.parent) details.push(`Parent: ${issue.parent}`);
  if (issue.depends.length > 0) details.push(`Depends on: ${issue.depends.join(', ')}`);
  return details.join('\n');
}

function create(state, flags) {
  const title = one(flags, 'title');
  if (!title)
    throw new ToolError('error: the following required arguments were not provided: --title <TITLE>');
  const priority = one(flags, 'priority');
  if (priority !== undefined && !PRIORITIES.includes(priority))
    throw new ToolError(`error: invalid priority '${priority}'`);
  const parent = one(flags, 'parent');
  if (parent !== undefined) find(state, parent);
  const depends = (one(flags, 'depends') ?? '').split(',').filter((d) => d !== '');
  depends.forEach((d) => find(state, d));
  const issue = {
    id: `${state.prefix}-${state.nextId++}`,
    title,
    description: one(flags, 'description') ?? '',
    status: 'todo',
    priority: priority ?? null,
    parent: parent ?? null,
    depends,
  };
  state.issues.push(issue);
  return `Created issue ${issue.id}: ${title}`;
}

function update(state, id, flags) {
  const issue = find(state, id);
  const status = one(flags, 'status');
  if (status !== undefined) {
    if (!STATUSES.includes(status)) throw new ToolError(`error: invalid status '${status}'`);
    issue.status = status;
  }
  const priority = one(flags, 'priority');
  if (priority !== undefined) {
    if (!PRIORITIES.includes(priority)) throw new ToolError(`error: invalid priority '${priority}'`);
    issue.priority = priority;
  }
  for (const d of (one(flags, 'depends') ?? '').split(',').filter((x) => x !== '')) {
    find(state, d);
    if (!issue.depends.includes(d)) issue.depends.push(d);
  }
  return `Updated ${id}`;
}

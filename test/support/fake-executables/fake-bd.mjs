// A fake `bd` (beads) for tests: answers the `bd --json ...` subset the beads connector uses,
// with state in a JSON file so create -> show works. Flags are checked per subcommand, as
// cobra does (a flag the subcommand lacks fails), against bd's cmd/bd/*.go; `list` keeps real
// bd's defaults: at most 50 issues (20 in agent mode: BD_AGENT_MODE=1 or CLAUDE_CODE set),
// closed and pinned issues left out unless --all, --status or --pinned; --limit 0 lifts the
// cap; order priority, newest created, id; a hidden remainder is reported on stderr only.
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

/** The flags each subcommand has in real bd (the subset this fake models), plus --json. */
const COMMAND_FLAGS = {
  list: {
    strings: ['status', 'limit', 'updated-after', 'updated-before', 'type', 'assignee'],
    bools: ['all', 'pinned', 'no-pinned'],
  },
  show: {strings: [], bools: []},
  create: {
    strings: [
      'title',
      'type',
      'priority',
      'description',
      'parent',
      'label',
      'labels',
      'assignee',
      'external-ref',
    ],
    bools: [],
  },
  update: {
    strings: [
      'status',
      'priority',
      'title',
      'description',
      'type',
      'set-labels',
      'add-label',
      'remove-label',
      'parent',
      'assignee',
      'external-ref',
    ],
    bools: [],
  },
  dep: {strings: ['type'], bools: []},
  comments: {strings: ['author'], bools: []},
  close: {strings: ['reason'], bools: []},
};
/** String-slice flags: each value is one CSV record (`a,b` is two labels). */
const SLICE_FLAGS = ['label', 'labels', 'set-labels', 'add-label', 'remove-label'];
const STATUSES = ['open', 'in_progress', 'blocked', 'deferred', 'closed', 'pinned', 'hooked'];
/** Real bd's list: the default cap, the agent-mode cap, and what it hides without --all. */
const LIST_DEFAULT_LIMIT = 50;
const LIST_AGENT_LIMIT = 20;
const HIDDEN_BY_DEFAULT = ['closed', 'pinned'];
const TYPES = ['bug', 'feature', 'task', 'epic', 'chore', 'decision'];
/** bd takes any dependency type of 1 to 50 characters (DependencyType.IsValid). */
const DEP_TYPE_MAX = 50;

export function main(paths, argv) {
  recordCall(paths.log, argv);
  const state = loadState(paths.state, INITIAL_BD_STATE);
  runTool(() => {
    const command = argv.slice(1).find((arg) => !arg.startsWith('-'));
    const known = COMMAND_FLAGS[command] ?? {strings: [], bools: []};
    const args = argv.slice(1);
    const dash = args.indexOf('--');
    const beforeDash = dash === -1 ? args : args.slice(0, dash);
    const parsed = parseArgs(beforeDash, known.strings, ['json', ...known.bools]);
    // cobra reads `-x` as a shorthand flag (this fake models none); only `--` makes it an argument.
    const shorthand = parsed.positionals.find((arg) => /^-./.test(arg));
    if (shorthand) throw new ToolError(`Error: unknown shorthand flag: '${shorthand[1]}' in ${shorthand}`);
    const flags = splitSlices(parsed.flags);
    const rest = [...parsed.positionals, ...(dash === -1 ? [] : args.slice(dash + 1))].slice(1);
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
      return list(state, flags, process.env);
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
    case 'close':
      return args.map((id) => closeIssue(state, id, one(flags, 'reason')));
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

/**
 * As `bd list --json` prints an issue: its own dependency records and `parent`, computed from
 * its parent-child dependency (bd keeps no parent field; the dependency is the parent).
 */
function withDependencies(state, issue) {
  const dependencies = state.deps.filter((d) => d.issue_id === issue.id);
  const parent = parentOf(state, issue.id);
  return {...issue, dependencies, ...(parent ? {parent} : {})};
}

function parentOf(state, id) {
  return state.deps.find((d) => d.issue_id === id && d.type === 'parent-child')?.depends_on_id;
}

/** What `bd update --parent` does: drop the parent-child dependency, add the new one. */
function setParent(state, id, parent) {
  const old = state.deps.findIndex((d) => d.issue_id === id && d.type === 'parent-child');
  if (old !== -1) state.deps.splice(old, 1);
  if (parent) addDependency(state, id, parent, 'parent-child');
}

/** pflag's string slice: each value is a CSV record; an empty value is an empty list. */
function splitSlices(flags) {
  const out = {...flags};
  for (const name of SLICE_FLAGS) {
    if (out[name] !== undefined) out[name] = out[name].flatMap(readCsvRecord);
  }
  return out;
}

function readCsvRecord(value) {
  if (value === '') return [];
  const fields = [];
  let i = 0;
  while (i <= value.length) {
    if (value[i] === '"') {
      let field = '';
      i++;
      for (;;) {
        if (i >= value.length)
          throw new ToolError(`Error: invalid argument "${value}": extraneous or missing " in quoted-field`);
        if (value[i] === '"' && value[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (value[i] === '"') break;
        else field += value[i++];
      }
      i++;
      fields.push(field);
    } else {
      const end = value.indexOf(',', i);
      const field = value.slice(i, end === -1 ? value.length : end);
      if (field.includes('"'))
        throw new ToolError(`Error: invalid argument "${value}": bare " in non-quoted-field`);
      fields.push(field);
      i = end === -1 ? value.length : end;
    }
    if (i >= value.length) break;
    i++; // the comma
  }
  return fields;
}

/** bd's time flags: a date (start of that day) or RFC 3339; compared to the second. */
function parseTimeFlag(name, value) {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : null;
  const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)
    ? Date.parse(value)
    : null;
  const ms = date ?? rfc3339;
  if (ms === null || Number.isNaN(ms))
    throw new ToolError(`Error: parsing --${name}: cannot parse "${value}"`);
  return Math.floor(ms / 1000) * 1000;
}

function listLimit(flags, env) {
  const explicit = one(flags, 'limit');
  if (explicit !== undefined) {
    if (!/^-?\d+$/.test(explicit))
      throw new ToolError(`Error: invalid argument "${explicit}" for "-n, --limit" flag`);
    return Number(explicit);
  }
  if (flags.all) return 0;
  return env.BD_AGENT_MODE === '1' || (env.CLAUDE_CODE ?? '') !== '' ? LIST_AGENT_LIMIT : LIST_DEFAULT_LIMIT;
}

function statusFilter(flags) {
  const status = one(flags, 'status');
  if (status !== undefined && status !== '' && status !== 'all') {
    const wanted = status.split(',').map((s) => s.trim());
    for (const s of wanted) if (!STATUSES.includes(s)) throw new ToolError(`Error: invalid status "${s}"`);
    return (issue) => wanted.includes(issue.status);
  }
  if (status === undefined && !flags.all && !flags.pinned)
    return (issue) => !HIDDEN_BY_DEFAULT.includes(issue.status);
  return () => true;
}

function list(state, flags, env) {
  const after = one(flags, 'updated-after');
  const afterMs = after === undefined ? null : parseTimeFlag('updated-after', after);
  const wantStatus = statusFilter(flags);
  const limit = listLimit(flags, env);
  const matching = state.issues
    .filter((issue) => afterMs === null || Date.parse(issue.updated_at) > afterMs)
    .filter(wantStatus)
    .filter((issue) => !flags.pinned || issue.status === 'pinned')
    .sort(
      (a, b) =>
        a.priority - b.priority ||
        Date.parse(b.created_at) - Date.parse(a.created_at) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  const shown = limit > 0 ? matching.slice(0, limit) : matching;
  if (shown.length < matching.length)
    process.stderr.write(
      `\nShowing ${limit} issues; more results matched but were hidden by --limit. Use --limit 0 for all, or --limit N to raise the cap.\n`,
    );
  return shown.map((issue) => withDependencies(state, issue));
}

function show(state, id) {
  const issue = find(state, id);
  const dependencies = state.deps
    .filter((d) => d.issue_id === id)
    .map((d) => ({...find(state, d.depends_on_id), dependency_type: d.type}));
  const comments = state.comments.filter((c) => c.issue_id === id);
  const parent = parentOf(state, id);
  if (state.showFormat === 'object') return withDependencies(state, issue);
  if (state.showFormat === 'details') return {issue, dependencies, comments, ...(parent ? {parent} : {})};
  return [{...issue, dependencies, comments, ...(parent ? {parent} : {})}];
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
    labels: [...(flags.label ?? []), ...(flags.labels ?? [])].sort(),
    created_at: now,
    updated_at: now,
  };
  const assignee = one(flags, 'assignee');
  if (assignee) issue.assignee = assignee;
  const externalRef = one(flags, 'external-ref');
  if (externalRef) issue.external_ref = externalRef;
  state.issues.push(issue);
  // `bd create --parent` records the parent as a parent-child dependency.
  if (parent) addDependency(state, issue.id, parent, 'parent-child');
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
    if (parent !== '' && !state.issues.some((i) => i.id === parent))
      throw new ToolError(`Error: parent issue ${parent} not found`);
    setParent(state, id, parent);
  }
  const assignee = one(flags, 'assignee');
  if (assignee !== undefined) {
    if (assignee === '') delete issue.assignee;
    else issue.assignee = assignee;
  }
  touch(state, issue);
  return issue;
}

function closeIssue(state, id, reason) {
  const issue = find(state, id);
  issue.status = 'closed';
  if (reason !== undefined) issue.close_reason = reason;
  touch(state, issue);
  return issue;
}

/**
 * `bd dep add <issue> <depends-on> [--type T]` (default blocks) and `bd dep remove <issue>
 * <depends-on>` (whatever the type), with bd's checks (cmd/bd/dep.go, AddDependencyInTx).
 */
function dep(state, args, flags) {
  const [action, issueId, dependsOnId] = args;
  if (action !== 'add' && action !== 'remove' && action !== 'rm')
    throw new ToolError(`Error: unknown command "${action}" for "bd dep"`);
  if (args.length !== 3) throw new ToolError(`Error: requires 2 arg(s), only received ${args.length - 1}`);
  find(state, issueId);
  find(state, dependsOnId);
  if (action === 'add') {
    const type = one(flags, 'type') ?? 'blocks';
    if (isChildOf(issueId, dependsOnId))
      throw new ToolError(
        `Error: cannot add dependency: ${issueId} is already a child of ${dependsOnId}. Children inherit dependency on parent completion via hierarchy. Adding an explicit dependency would create a deadlock`,
      );
    if (type.length === 0 || type.length > DEP_TYPE_MAX)
      throw new ToolError(
        `Error: invalid dependency type "${type}": must be non-empty and at most 50 characters`,
      );
    addDependency(state, issueId, dependsOnId, type);
    return {status: 'added', issue_id: issueId, depends_on_id: dependsOnId, type};
  }
  state.deps = state.deps.filter((d) => !(d.issue_id === issueId && d.depends_on_id === dependsOnId));
  return {status: 'removed', issue_id: issueId, depends_on_id: dependsOnId};
}

/** AddDependencyInTx: epics block epics only, no cycle of blocks, one dependency per pair. */
function addDependency(state, issueId, dependsOnId, type) {
  if (type === 'blocks') {
    const sourceEpic = find(state, issueId).issue_type === 'epic';
    const targetEpic = find(state, dependsOnId).issue_type === 'epic';
    if (sourceEpic !== targetEpic)
      throw new ToolError(
        `Error: ${sourceEpic ? 'epics can only block other epics, not tasks' : 'tasks can only block other tasks, not epics'}`,
      );
    if (reachesByBlocks(state, dependsOnId, issueId))
      throw new ToolError('Error: adding dependency would create a cycle');
  }
  const existing = state.deps.find((d) => d.issue_id === issueId && d.depends_on_id === dependsOnId);
  if (existing) {
    if (existing.type === type) return;
    throw new ToolError(
      `Error: dependency ${issueId} -> ${dependsOnId} already exists with type "${existing.type}" (requested "${type}"); remove it first with 'bd dep remove' then re-add`,
    );
  }
  state.deps.push({issue_id: issueId, depends_on_id: dependsOnId, type});
}

function reachesByBlocks(state, from, to) {
  const seen = new Set();
  const queue = [from];
  while (queue.length > 0) {
    const node = queue.shift();
    if (node === to) return true;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const d of state.deps) if (d.type === 'blocks' && d.issue_id === node) queue.push(d.depends_on_id);
  }
  return false;
}

/** bd's hierarchical ids: `bd-a.1` is a child of `bd-a` (and `bd-a.1.2` of both). */
function isChildOf(childId, parentId) {
  return childId.startsWith(`${parentId}.`);
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
  if (text === undefined) throw new ToolError('Error: comment text required (use -f to read from file)');
  if (text.trim() === '') throw new ToolError('Error: comment text cannot be empty');
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

import {expect} from 'chai';
import {spawnSync} from 'node:child_process';

import {
  InMemoryCheckpointStore,
  InMemoryIssueStore,
  ManualClock,
  SyncEngine,
  createIssue,
  createOwnershipPolicy,
} from '../../../../src/core/index.js';
import {BeadsConnector} from '../../../../src/core/connectors/beads/index.js';
import {
  installFakeTool,
  localConnectorConfig,
  type FakeTool,
} from '../../../support/fake-executables/index.js';

/** 300 issues: every third closed (100), a few pinned, priorities and creation times mixed. */
function seedThreeHundred(bd: FakeTool): void {
  const issues = Array.from({length: 300}, (_, i) => {
    const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
    return {
      id: `bd-${i + 1}`,
      title: `Issue ${i + 1}`,
      description: '',
      status: i % 3 === 0 ? 'closed' : i % 50 === 1 ? 'pinned' : 'open',
      priority: i % 5,
      issue_type: 'task',
      labels: [],
      created_at: at,
      updated_at: at,
    };
  });
  bd.patchState({issues});
}

/** Runs the fake bd directly, with the environment given (agent mode is an env switch). */
function bdList(bd: FakeTool, args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== 'BD_AGENT_MODE' && k !== 'CLAUDE_CODE'),
  );
  const run = spawnSync(bd.command, ['--json', 'list', ...args], {encoding: 'utf8', env: {...clean, ...env}});
  const issues = run.status === 0 ? (JSON.parse(run.stdout) as {id: string; status: string}[]) : [];
  return {issues, stderr: run.stderr, status: run.status};
}

describe('fake bd: real bd list defaults and flags', () => {
  let bd: FakeTool;
  beforeEach(() => {
    bd = installFakeTool('bd');
    seedThreeHundred(bd);
  });
  afterEach(() => bd.remove());

  it('shows at most 50 issues, none closed or pinned, and says so on stderr only', () => {
    const plain = bdList(bd, []);
    expect(plain.issues).to.have.length(50);
    expect(plain.issues.filter((i) => i.status !== 'open')).to.deep.equal([]);
    expect(plain.stderr).to.include('Showing 50 issues; more results matched but were hidden by --limit');
  });

  it('shows 20 in agent mode (BD_AGENT_MODE=1 or CLAUDE_CODE set)', () => {
    expect(bdList(bd, [], {BD_AGENT_MODE: '1'}).issues).to.have.length(20);
    expect(bdList(bd, [], {CLAUDE_CODE: '1'}).issues).to.have.length(20);
  });

  it('--limit 0 lifts the cap but keeps closed and pinned out; --all shows everything', () => {
    const open = bdList(bd, ['--limit', '0']).issues;
    expect(open.every((i) => i.status === 'open')).to.equal(true);
    expect(open.length).to.be.within(190, 199);
    expect(bdList(bd, ['--all'], {BD_AGENT_MODE: '1'}).issues).to.have.length(300);
    expect(bdList(bd, ['--status', 'closed', '--limit', '0']).issues).to.have.length(100);
    expect(bdList(bd, ['--status', 'closed']).issues).to.have.length(50);
  });

  it('orders by priority, then newest created, and filters --updated-after strictly after the instant', () => {
    const all = bdList(bd, ['--all', '--limit', '0']).issues as unknown as {
      priority: number;
      created_at: string;
    }[];
    const keys = all.map((i) => [i.priority, -Date.parse(i.created_at)]);
    expect(keys).to.deep.equal([...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
    // Issue i was updated at minute i: strictly after minute 298 leaves issue 300 only.
    const after = bdList(bd, ['--all', '--updated-after', '2026-01-01T04:58:00Z']).issues;
    expect(after.map((i) => i.id)).to.deep.equal(['bd-300']);
    expect(bdList(bd, ['--updated-after', 'yesterday-ish']).status).to.equal(1);
  });

  it('rejects a flag the subcommand does not have, as cobra does', () => {
    const run = spawnSync(bd.command, ['--json', 'create', 'x', '--set-labels', 'a'], {encoding: 'utf8'});
    expect(run.status).to.equal(1);
    expect(run.stderr).to.include('unknown flag: --set-labels');
  });

  it('reads label flags as CSV records: a,b is two labels, a quoted "a,b" one', () => {
    const run = spawnSync(bd.command, ['--json', 'create', 'x', '--label', 'a,b', '--label', '"c,d"'], {
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).to.equal(0);
    expect((JSON.parse(run.stdout) as {labels: string[]}).labels).to.deep.equal(['a', 'b', 'c,d']);
  });
});

describe('beads: a pull sees every issue bd holds', () => {
  let bd: FakeTool;
  afterEach(() => bd.remove());

  it('a pull of 300 issues (100 closed) caches all 300 against bd with real defaults', async () => {
    bd = installFakeTool('bd');
    seedThreeHundred(bd);
    const clock = new ManualClock('2026-03-01T10:00:00.000Z');
    const store = new InMemoryIssueStore(clock);
    const engine = new SyncEngine({
      connector: new BeadsConnector(localConnectorConfig({command: bd.command})),
      issues: store,
      checkpoints: new InMemoryCheckpointStore(),
      policy: createOwnershipPolicy('spec_kitty_authoritative'),
      clock,
      sleep: clock.sleep,
    });
    const result = await engine.pull();
    expect(result.failures).to.deep.equal([]);
    const cached = await store.listIssues();
    expect(cached).to.have.length(300);
    expect(cached.filter((i) => i.status === 'done')).to.have.length(100);
  });

  it('keeps a label holding a comma as one label on create', async () => {
    bd = installFakeTool('bd');
    const connector = new BeadsConnector(localConnectorConfig({command: bd.command}));
    const created = await connector.createIssue(
      createIssue({
        ref: {system: 'beads', workspace: 'ws', id: 'draft-1'},
        title: 't',
        labels: ['a,b', 'say "hi"'],
      }),
      {idempotencyKey: 'k1'},
    );
    expect(created.labels).to.have.members(['a,b', 'say "hi"']);
  });
});

describe('beads: arguments bd reads as flags', () => {
  let bd: FakeTool;
  afterEach(() => bd.remove());

  it('a comment body starting with "-" is passed after "--", as cobra needs', async () => {
    bd = installFakeTool('bd');
    const connector = new BeadsConnector(localConnectorConfig({command: bd.command}));
    const created = await connector.createIssue(
      createIssue({ref: {system: 'beads', workspace: 'ws', id: 'draft-1'}, title: 't'}),
      {idempotencyKey: 'k1'},
    );
    await connector.addComment(created.ref, '- [ ] first item');
    expect(bd.argvs().at(-1)).to.deep.equal([
      '--json',
      'comments',
      'add',
      created.ref.id,
      '--',
      '- [ ] first item',
    ]);
    expect(bd.state<{comments: {text: string}[]}>().comments.map((c) => c.text)).to.deep.equal([
      '- [ ] first item',
    ]);
    const bare = spawnSync(bd.command, ['--json', 'comments', 'add', created.ref.id, '-x'], {
      encoding: 'utf8',
    });
    expect(bare.status).to.equal(1);
    expect(bare.stderr).to.include("unknown shorthand flag: 'x' in -x");
  });
});

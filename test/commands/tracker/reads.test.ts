import {expect} from 'chai';
import {cpSync, readFileSync, readdirSync, writeFileSync, statSync} from 'node:fs';
import {join} from 'node:path';

import {BOUND_GITHUB, exitCode, issue, makeProject, run, seedCache, type TestProject} from './helpers.js';

interface Ticket {
  identifier: string;
  identity: string;
  status: string;
  pending_fields: string[];
  work_packages: string[];
}

/** Every file under a folder with its bytes, to prove a command wrote nothing. */
function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir, {recursive: true, encoding: 'utf8'})) {
    const p = join(dir, f);
    if (statSync(p).isFile()) out[f] = readFileSync(p, 'base64');
  }
  return out;
}

async function seedStandard(root: string): Promise<void> {
  await seedCache(root, [
    issue(1, {
      title: 'Login page times out',
      labels: ['bug', 'frontend'],
      assignees: ['alice'],
      issue_type: 'bug',
      priority: 1,
    }),
    issue(2, {title: 'Add dark mode', status: 'in_progress', labels: ['frontend'], assignees: ['bob']}),
    issue(3, {
      title: 'Document the API',
      status: 'done',
      body: 'Swagger for the login endpoints',
      priority: 3,
    }),
  ]);
}

describe('offline reads: list-tickets, show, issue-search, status, map', () => {
  let project: TestProject;
  beforeEach(async () => {
    project = makeProject({config: BOUND_GITHUB});
    await seedStandard(project.root);
  });
  afterEach(() => project.cleanup());

  it('list-tickets prints a table, and stable JSON with --json', async () => {
    const text = await run(['tracker', 'list-tickets']);
    expect(text.error, text.stderr).to.equal(undefined);
    expect(text.stdout.split('\n')[0]).to.match(/^KEY\s+STATUS\s+TYPE\s+ASSIGNEES\s+TITLE$/);
    expect(text.stdout).to.match(/^#1\s+todo\s+bug\s+alice\s+Login page times out$/m);

    const json = await run(['tracker', 'list-tickets', '--json']);
    const parsed = JSON.parse(json.stdout) as {total: number; tickets: Ticket[]};
    expect(parsed.total).to.equal(3);
    expect(parsed.tickets.map((t) => t.identifier)).to.deep.equal(['#1', '#2', '#3']);
    expect(json.stdout).to.match(/^\{\n {2}"provider": "github",\n/);
  });

  it('list-tickets filters by status, label, assignee, type and text, sorts and limits', async () => {
    const ids = async (...flags: string[]): Promise<string[]> => {
      const r = await run(['tracker', 'list-tickets', '--json', ...flags]);
      expect(r.error, r.stderr).to.equal(undefined);
      return (JSON.parse(r.stdout) as {tickets: Ticket[]}).tickets.map((t) => t.identifier);
    };
    expect(await ids('--status', 'in_progress', '--status', 'done')).to.deep.equal(['#2', '#3']);
    expect(await ids('--label', 'frontend', '--label', 'bug')).to.deep.equal(['#1']);
    expect(await ids('--assignee', 'bob')).to.deep.equal(['#2']);
    expect(await ids('--type', 'bug')).to.deep.equal(['#1']);
    expect(await ids('--text', 'LOGIN')).to.deep.equal(['#1', '#3']);
    expect(await ids('--sort', 'priority')).to.deep.equal(['#1', '#3', '#2']);
    expect(await ids('--sort', 'updated', '--limit', '1')).to.deep.equal(['#3']);
  });

  it('list-tickets rejects a bad filter value with exit 2', async () => {
    const bad = await run(['tracker', 'list-tickets', '--status', 'doing']);
    expect(exitCode(bad)).to.equal(2);
    expect(bad.stderr).to.match(/Expected --status=doing to be one of: todo, in_progress/);
    const type = await run(['tracker', 'list-tickets', '--type', 'feature']);
    expect(exitCode(type)).to.equal(2);
    expect(type.stderr).to.match(/Expected --type=feature to be one of: epic, story/);
    const limit = await run(['tracker', 'list-tickets', '--limit', '0']);
    expect(exitCode(limit)).to.equal(2);
    const sort = await run(['tracker', 'list-tickets', '--sort', 'random', '--json']);
    expect(exitCode(sort)).to.equal(2);
  });

  it('show accepts #12, the bare id and the full identity, with history', async () => {
    for (const key of ['#2', '2', 'github:acme/app:2']) {
      const r = await run(['tracker', 'show', key, '--json']);
      expect(r.error, r.stderr).to.equal(undefined);
      const d = JSON.parse(r.stdout) as {ticket: Ticket; history: {kind: string}[]};
      expect(d.ticket.identity).to.equal('github:acme/app:2');
      expect(d.history.map((h) => h.kind)).to.deep.equal(['issue_pulled']);
    }
    const text = await run(['tracker', 'show', '#3']);
    expect(text.stdout).to.include('#3: Document the API');
    expect(text.stdout).to.include('Swagger for the login endpoints');
  });

  it('show of an unknown key fails with what to do (exit 1)', async () => {
    const r = await run(['tracker', 'show', '#99']);
    expect(exitCode(r)).to.equal(1);
    expect(r.stderr).to.match(/^No issue #99 in the local cache\.\n.*list-tickets.*sync pull/);
  });

  it('issue-search finds by key first, then by words', async () => {
    const byKey = JSON.parse((await run(['tracker', 'issue-search', '--query', '#2', '--json'])).stdout) as {
      matched_key: boolean;
      tickets: Ticket[];
    };
    expect(byKey.matched_key).to.equal(true);
    expect(byKey.tickets.map((t) => t.identifier)).to.deep.equal(['#2']);
    const byWords = JSON.parse((await run(['tracker', 'issue-search', '-q', 'login', '--json'])).stdout) as {
      tickets: Ticket[];
    };
    expect(byWords.tickets.map((t) => t.identifier).sort()).to.deep.equal(['#1', '#3']);
    const none = await run(['tracker', 'issue-search', '--query', 'nothing-like-this']);
    expect(none.stdout).to.equal('No tickets found\n');
  });

  it('status reports the cache, pending edits and credentials without values, and writes nothing', async () => {
    const before = snapshotTree(project.root);
    process.env.GITHUB_TOKEN = 'ghp_statusTokenValue0123456789abcdefABCD';
    const r = await run(['tracker', 'status', '--json']);
    expect(r.error, r.stderr).to.equal(undefined);
    const s = JSON.parse(r.stdout) as Record<string, unknown> & {
      credentials: {present: boolean; sources: Record<string, string>};
    };
    expect(s).to.include({
      provider: 'github',
      workspace: 'acme/app',
      issue_count: 3,
      mapping_count: 0,
      pending_edits: 0,
      open_conflicts: 0,
      egress: 'permitted',
    });
    expect(s.credentials.present).to.equal(true);
    expect(s.credentials.sources).to.deep.equal({token: 'env:GITHUB_TOKEN'});
    expect(r.stdout).not.to.include('statusTokenValue');
    const text = await run(['tracker', 'status']);
    expect(text.stdout).to.include('- issues: 3');
    expect(text.stdout).to.include('- credentials_present: yes (env:GITHUB_TOKEN)');
    expect(snapshotTree(project.root)).to.deep.equal(before);
  });

  it('edit and comment are recorded offline and show as pending in status, list-tickets and show', async () => {
    const e = await run([
      'tracker',
      'edit',
      '#1',
      '--status',
      'in_review',
      '--add-label',
      'urgent',
      '--remove-label',
      'frontend',
      '--json',
    ]);
    expect(e.error, e.stderr).to.equal(undefined);
    expect(JSON.parse(e.stdout)).to.include({changed: true, identity: 'github:acme/app:1'});
    expect((JSON.parse(e.stdout) as {fields: string[]}).fields).to.deep.equal(['labels', 'status']);
    const c = await run(['tracker', 'comment', '#1', '--body', 'Looking into it']);
    expect(c.error, c.stderr).to.equal(undefined);
    const s = JSON.parse((await run(['tracker', 'status', '--json'])).stdout) as Record<string, unknown>;
    expect(s).to.include({pending_edits: 1, pending_comments: 1});
    const list = await run(['tracker', 'list-tickets']);
    expect(list.stdout).to.match(/^#1\*\s+in_review/m);
    const shown = JSON.parse((await run(['tracker', 'show', '#1', '--json'])).stdout) as {
      pending_edits: Record<string, unknown>;
      pending_comments: unknown[];
    };
    expect(shown.pending_edits).to.deep.equal({labels: ['bug', 'urgent'], status: 'in_review'});
    expect(shown.pending_comments).to.have.length(1);
    const again = await run(['tracker', 'edit', '#1', '--status', 'in_review']);
    expect(again.stdout).to.include('No change');
  });

  it('edit validates its flags (exit 2) and warns when the doctrine will not push the field', async () => {
    expect(exitCode(await run(['tracker', 'edit', '#1', '--status', 'doing']))).to.equal(2);
    expect(exitCode(await run(['tracker', 'edit', '#1']))).to.equal(2);
    expect(exitCode(await run(['tracker', 'comment', '#1', '--body', '  ']))).to.equal(2);
    writeFileSync(project.configPath, BOUND_GITHUB.replace('split_ownership', 'external_authoritative'));
    const r = await run(['tracker', 'edit', '#1', '--title', 'New title']);
    expect(r.error, r.stderr).to.equal(undefined);
    expect(r.stderr).to.match(/owned by the tracker under doctrine mode external_authoritative/);
  });

  it('map add / list / remove, with a clear error when the issue is mapped elsewhere', async () => {
    const add = await run(['tracker', 'map', 'add', '--wp-id', 'WP01', '--external-id', '1', '--json']);
    expect(add.error, add.stderr).to.equal(undefined);
    expect(JSON.parse(add.stdout)).to.include({
      wp_id: 'WP01',
      external_key: '#1',
      title: 'Login page times out',
    });
    const clash = await run(['tracker', 'map', 'add', '--wp-id', 'WP02', '--external-id', '1']);
    expect(exitCode(clash)).to.equal(1);
    expect(clash.stderr).to.equal(
      '#1 is already mapped to WP01\nRemove that mapping first: spec-kitty tracker map remove --wp-id WP01\n',
    );
    const list = await run(['tracker', 'map', 'list']);
    expect(list.stdout).to.match(/^WP01\s+github:#1\s+Login page times out$/m);
    const listJson = JSON.parse((await run(['tracker', 'map', 'list', '--json'])).stdout) as {
      mappings: {wp_id: string}[];
    };
    expect(listJson.mappings.map((m) => m.wp_id)).to.deep.equal(['WP01']);
    const tickets = JSON.parse((await run(['tracker', 'list-tickets', '--json'])).stdout) as {
      tickets: Ticket[];
    };
    expect(tickets.tickets[0].work_packages).to.deep.equal(['WP01']);
    const removed = await run(['tracker', 'map', 'remove', '--wp-id', 'WP01']);
    expect(removed.stdout).to.equal('Mapping removed: WP01 -> #1\n');
    const again = await run(['tracker', 'map', 'remove', '--wp-id', 'WP01']);
    expect(exitCode(again)).to.equal(1);
    expect(again.stderr).to.match(/No mapping for work package WP01/);
    expect((await run(['tracker', 'map', 'list'])).stdout).to.equal('No mappings found\n');
  });

  it('a corrupted cache line fails with the file and line, not a stack trace', async () => {
    const trackerDir = join(project.root, '.kittify', 'tracker');
    const scope = readdirSync(trackerDir).find((f) => statSync(join(trackerDir, f)).isDirectory())!;
    const events = join(trackerDir, scope, 'events');
    const segment = readdirSync(events).find((f) => f.endsWith('.jsonl'))!;
    const file = join(events, segment);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.splice(1, 0, '{"not valid json');
    writeFileSync(file, lines.join('\n'));
    const r = await run(['tracker', 'list-tickets']);
    expect(exitCode(r)).to.equal(1);
    expect(r.stderr).to.include(`${segment}:2`);
    expect(r.stderr).not.to.match(/\n\s+at /);
  });

  it('every read command fails cleanly in an unbound project', async () => {
    writeFileSync(project.configPath, 'project:\n  name: x\n');
    for (const args of [
      ['status'],
      ['list-tickets'],
      ['show', '#1'],
      ['issue-search', '-q', 'x'],
      ['map', 'list'],
      ['edit', '#1', '--title', 'x'],
    ]) {
      const r = await run(['tracker', ...args, '--json']);
      expect(exitCode(r), args.join(' ')).to.equal(1);
      expect(r.stderr).to.match(/^No tracker bound to this project\.\nRun `spec-kitty tracker bind/);
      expect(r.stdout).to.equal('');
    }
  });

  it('an unknown provider in config.yaml names the setting, the choices and the fix', async () => {
    writeFileSync(
      project.configPath,
      'tracker:\n  provider: gitbub\n  workspace: acme/app\n  egress: permitted\n',
    );
    for (const args of [['status'], ['sync', 'pull']]) {
      const r = await run(['tracker', ...args]);
      expect(exitCode(r), args.join(' ')).to.equal(1);
      expect(r.stderr).to.equal(
        "tracker.provider in .kittify/config.yaml is 'gitbub', which is not a supported provider.\n" +
          'Supported providers: github, gitlab, jira, linear, beads, fp. Fix it there, or bind again: spec-kitty tracker bind --provider <provider> --workspace <workspace>.\n',
      );
    }
  });

  it('a malformed config.yaml names the file and line', async () => {
    writeFileSync(project.configPath, 'tracker:\n  provider: github\n  workspace: [unclosed\n');
    const r = await run(['tracker', 'status']);
    expect(exitCode(r)).to.equal(1);
    expect(r.stderr).to.match(/^Malformed YAML in \.kittify\/config\.yaml:\d+:\d+/);
  });

  it('works in a fresh clone with no credentials: the committed cache answers every read', async () => {
    await run(['tracker', 'map', 'add', '--wp-id', 'WP07', '--external-id', '2']);
    const clone = makeProject();
    try {
      cpSync(join(project.root, '.kittify'), join(clone.root, '.kittify'), {recursive: true});
      // per-clone, git-ignored state does not travel with a clone
      for (const f of readdirSync(join(clone.root, '.kittify'), {recursive: true, encoding: 'utf8'})) {
        if (/checkpoint|\.lock/.test(f)) cpSync(join(clone.root, '.kittify', f), '/dev/null');
      }
      expect(JSON.parse((await run(['tracker', 'list-tickets', '--json'])).stdout).total).to.equal(3);
      expect((await run(['tracker', 'show', '#2'])).stdout).to.include('#2: Add dark mode');
      expect((await run(['tracker', 'issue-search', '-q', 'dark'])).stdout).to.include('#2');
      const status = JSON.parse((await run(['tracker', 'status', '--json'])).stdout) as {
        issue_count: number;
        credentials: {present: boolean};
      };
      expect(status.issue_count).to.equal(3);
      expect(status.credentials.present).to.equal(false);
      expect((await run(['tracker', 'map', 'list'])).stdout).to.match(/^WP07\s+github:#2/m);
    } finally {
      clone.cleanup();
    }
  });
});

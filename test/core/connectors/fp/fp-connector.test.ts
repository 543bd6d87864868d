import {expect} from 'chai';

import {
  CapabilityNotSupportedError,
  ConnectorConfigError,
  ConnectorRequestError,
  IssuePayloadContractError,
  createIssue,
  findProvider,
  type CanonicalIssue,
  type ExternalRef,
} from '../../../../src/core/index.js';
import {FPConnector, statusToFp} from '../../../../src/core/connectors/fp/index.js';
import {
  installFakeTool,
  localConnectorConfig,
  type FakeTool,
} from '../../../support/fake-executables/index.js';

interface FpState {
  issues: Array<{
    id: string;
    title: string;
    description: string;
    status: string;
    priority: string | null;
    parent: string | null;
    depends: string[];
  }>;
  comments: Array<{issue: string; body: string}>;
}

const fpIssue = (id: string, fields: Partial<FpState['issues'][number]> = {}) => ({
  id,
  title: `Issue ${id}`,
  description: '',
  status: 'todo',
  priority: null,
  parent: null,
  depends: [],
  ...fields,
});

const ref = (id: string): ExternalRef => ({system: 'fp', workspace: 'ws', id, key: id, url: null});

const draft = (overrides: Partial<Parameters<typeof createIssue>[0]> = {}): CanonicalIssue =>
  createIssue({
    ref: {system: 'fp', workspace: 'ws', id: 'draft-1'},
    title: 'Write the docs',
    body: 'All of them',
    ...overrides,
  });

describe('FPConnector against a fake fp executable', () => {
  let fp: FakeTool;
  let connector: FPConnector;

  beforeEach(() => {
    fp = installFakeTool('fp');
    connector = new FPConnector(localConnectorConfig({command: fp.command}));
  });
  afterEach(() => fp.remove());

  it('a pull of an empty tracker makes exactly one issue list', async () => {
    const page = await connector.listIssues({
      updated_since: '2026-01-01T00:00:00.000Z',
      cursor: 'c',
      limit: 10,
    });
    expect(page).to.deep.equal({items: [], next_cursor: null});
    expect(fp.calls()).to.deep.equal([[fp.command, 'issue', 'list']]);
  });

  it('lists issue lines, nested ones behind tree glyphs, with the reference status and priority mapping', async () => {
    fp.patchState({
      issues: [
        fpIssue('FP-1', {status: 'in-progress', priority: 'high', title: 'Parent [with brackets]'}),
        fpIssue('FP-2', {parent: 'FP-1', status: 'done', priority: 'low'}),
        fpIssue('FP-3', {parent: 'FP-1', status: 'weird'}),
        fpIssue('FP-4', {priority: 'medium'}),
      ],
    });
    const {items} = await connector.listIssues({updated_since: null, cursor: null, limit: 10});
    expect(items.map((i) => [i.ref.id, i.status, i.priority, i.title])).to.deep.equal([
      ['FP-1', 'in_progress', 1, 'Parent [with brackets]'],
      ['FP-2', 'done', 3, 'Issue FP-2'],
      ['FP-3', 'todo', null, 'Issue FP-3'],
      ['FP-4', 'todo', 2, 'Issue FP-4'],
    ]);
    expect(items[0].ref).to.deep.equal({system: 'fp', workspace: 'ws', id: 'FP-1', key: 'FP-1', url: null});
    expect(items[0].issue_type).to.equal('task');
  });

  it('a line that is not an issue line is an error naming the line and the expected format', async () => {
    fp.patchState({issues: [fpIssue('FP-1')], listPreamble: ['', 'No issues found', 'ID   STATUS   TITLE']});
    const error = (await connector
      .listIssues({updated_since: null, cursor: null, limit: 10})
      .catch((e: unknown) => e)) as Error;
    expect(error).to.be.instanceOf(IssuePayloadContractError);
    expect(error.message).to.contain('line 3 of the output of');
    expect(error.message).to.contain(
      'expected an issue line `<ID> [<status>] [<priority>] <title>`, got "ID STATUS TITLE"',
    );
  });

  it('shows an issue from issue show and context (the body)', async () => {
    fp.patchState({issues: [fpIssue('FP-1', {description: '  The body\nspans lines  ', priority: 'high'})]});
    const issue = await connector.getIssue(ref('FP-1'));
    expect(fp.argvs()).to.deep.equal([
      ['issue', 'show', 'FP-1'],
      ['context', 'FP-1'],
    ]);
    expect(issue).to.include({
      title: 'Issue FP-1',
      body: 'The body\nspans lines',
      priority: 1,
      status: 'todo',
    });
    expect(await connector.getIssue(ref('FP-404'))).to.equal(null);
  });

  it("creates with title, description, parent, priority and depends, then shows (status after; a blocks link of the new issue is not written over the other issue's list)", async () => {
    fp.patchState({nextId: 4, issues: [fpIssue('FP-1'), fpIssue('FP-2'), fpIssue('FP-3')]});
    const created = await connector.createIssue(
      draft({
        priority: 0,
        status: 'in_review',
        parent: {system: 'fp', workspace: 'ws', id: 'FP-1'},
        links: [
          {type: 'blocked_by', target: {system: 'fp', workspace: 'ws', id: 'FP-2'}},
          {type: 'blocks', target: {system: 'fp', workspace: 'ws', id: 'FP-3'}},
        ],
      }),
      {idempotencyKey: 'k'},
    );
    expect(fp.argvs()).to.deep.equal([
      [
        'issue',
        'create',
        '--title',
        'Write the docs',
        '--description',
        'All of them',
        '--parent',
        'FP-1',
        '--priority',
        'critical',
        '--depends',
        'FP-2',
      ],
      ['issue', 'update', '--status', 'in-progress', 'FP-4'],
      ['issue', 'show', 'FP-4'],
      ['context', 'FP-4'],
    ]);
    expect(created).to.include({
      title: 'Write the docs',
      body: 'All of them',
      status: 'in_progress',
      priority: 0,
    });
    const state = fp.state<FpState>();
    // FP-3's own list is left as it was: writing FP-4 alone would have replaced it.
    expect(state.issues.find((i) => i.id === 'FP-3')?.depends ?? []).to.deep.equal([]);
    expect(state.issues.find((i) => i.id === 'FP-4')?.depends).to.deep.equal(['FP-2']);
  });

  it('a todo issue costs create, show and context', async () => {
    await connector.createIssue(draft({body: null}), {idempotencyKey: 'k'});
    expect(fp.argvs().map((argv) => argv.slice(0, 2))).to.deep.equal([
      ['issue', 'create'],
      ['issue', 'show'],
      ['context', 'FP-1'],
    ]);
  });

  it('updates only status and priority, and refuses every other field before running anything', async () => {
    fp.patchState({issues: [fpIssue('FP-1')]});
    const updated = await connector.updateIssue(
      ref('FP-1'),
      {status: 'canceled', priority: 3},
      {idempotencyKey: 'k'},
    );
    expect(fp.argvs()[0]).to.deep.equal(['issue', 'update', '--status', 'done', '--priority', 'low', 'FP-1']);
    expect(updated).to.include({status: 'done', priority: 3});

    fp.clearCalls();
    for (const field of [
      'title',
      'body',
      'labels',
      'assignees',
      'issue_type',
      'parent',
      'custom_fields',
      'links',
    ] as const) {
      const patch = {[field]: draft({labels: ['x'], assignees: ['a'], custom_fields: {a: 1}})[field]};
      const error = (await connector
        .updateIssue(ref('FP-1'), patch, {idempotencyKey: 'k'})
        .catch((e: unknown) => e)) as Error;
      expect(error, field).to.be.instanceOf(CapabilityNotSupportedError);
      expect(error.message).to.equal(`fp does not support updating ${field}`);
    }
    const priorityCleared = await connector
      .updateIssue(ref('FP-1'), {priority: null}, {idempotencyKey: 'k'})
      .catch((e: unknown) => e);
    expect(priorityCleared).to.be.instanceOf(CapabilityNotSupportedError);
    expect(fp.calls()).to.deep.equal([]);
  });

  it('transitions with the reference mapping (in_review and blocked -> in-progress, canceled -> done)', async () => {
    const expected = {
      todo: 'todo',
      in_progress: 'in-progress',
      in_review: 'in-progress',
      blocked: 'in-progress',
      done: 'done',
      canceled: 'done',
    } as const;
    for (const [status, fpStatus] of Object.entries(expected))
      expect(statusToFp(status as keyof typeof expected)).to.equal(fpStatus);
    fp.patchState({issues: [fpIssue('FP-1')]});
    const moved = await connector.transitionIssue(ref('FP-1'), 'blocked');
    expect(fp.argvs()).to.deep.equal([
      ['issue', 'update', '--status', 'in-progress', 'FP-1'],
      ['issue', 'show', 'FP-1'],
      ['context', 'FP-1'],
    ]);
    expect(moved.status).to.equal('in_progress');
  });

  it('refuses what fp is not known to do (remove a relation, re-parent), running nothing', async () => {
    const removal = await connector
      .removeLink(ref('FP-1'), {type: 'blocked_by', target: ref('FP-2')})
      .catch((e: unknown) => e);
    expect(removal).to.be.instanceOf(CapabilityNotSupportedError);
    expect((removal as Error).message).to.match(/removing a relation/);
    const reparent = await connector
      .upsertLink(ref('FP-1'), {type: 'child_of', target: ref('FP-2')})
      .catch((e: unknown) => e);
    expect(reparent).to.be.instanceOf(CapabilityNotSupportedError);
    expect((reparent as {hint?: string}).hint).to.match(/only when an issue is created/);
    expect(connector.capabilities()).to.include({links: true, link_removal: false, hierarchy: true});
    expect(fp.argvs()).to.deep.equal([]);
  });

  it('never adds a dependency to an existing issue (fp would replace its whole list), and comments literally', async () => {
    fp.patchState({issues: [fpIssue('FP-1'), fpIssue('FP-2')]});
    for (const link of [
      {type: 'blocked_by', target: ref('FP-2')},
      {type: 'blocks', target: ref('FP-2')},
    ] as const) {
      const refused = await connector.upsertLink(ref('FP-1'), link).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(CapabilityNotSupportedError);
      expect((refused as {hint?: string}).hint).to.match(/replaces FP-[12]'s whole dependency list/);
    }
    const error = await connector
      .upsertLink(ref('FP-1'), {type: 'relates_to', target: ref('FP-2')})
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(CapabilityNotSupportedError);
    await connector.addComment(ref('FP-1'), `it's "done" $(rm -rf /)`);
    expect(fp.argvs()).to.deep.equal([['comment', 'FP-1', `it's "done" $(rm -rf /)`]]);
    expect(fp.state<FpState>().comments).to.deep.equal([{issue: 'FP-1', body: `it's "done" $(rm -rf /)`}]);
  });

  it('states honestly that it keeps no idempotency marker', async () => {
    expect(connector.capabilities()).to.include({idempotency_marker: 'none', incremental: false});
    expect(connector.capabilities().writable_fields).to.deep.equal(['status', 'priority']);
    expect(await connector.findByIdempotencyKey('k')).to.equal(null);
    expect(fp.calls()).to.deep.equal([]);
  });

  it('create output without an issue id is a payload error', async () => {
    fp.patchState({faults: {'issue create': {stdout: 'ok\n'}}});
    const error = (await connector
      .createIssue(draft(), {idempotencyKey: 'k'})
      .catch((e: unknown) => e)) as Error;
    expect(error).to.be.instanceOf(IssuePayloadContractError);
    expect(error.message).to.contain('expected the new issue id (like FP-12), got "ok"');
  });

  it('a missing executable and a failing one give clear errors', async () => {
    const missing = new FPConnector(localConnectorConfig({command: `${fp.dir}/nope`}));
    const notFound = (await missing
      .listIssues({updated_since: null, cursor: null, limit: 1})
      .catch((e: unknown) => e)) as ConnectorConfigError;
    expect(notFound).to.be.instanceOf(ConnectorConfigError);
    expect(notFound.message).to.equal(`fp: executable not found: ${fp.dir}/nope`);
    expect(notFound.hint).to.contain('--credential command=/path/to/fp');

    fp.patchState({
      faults: {'issue list': {exitCode: 2, stderr: 'error: not an fp project (run fp init)\n'}},
    });
    const failed = (await connector
      .listIssues({updated_since: null, cursor: null, limit: 1})
      .catch((e: unknown) => e)) as ConnectorRequestError;
    expect(failed).to.be.instanceOf(ConnectorRequestError);
    expect(failed.message).to.match(
      /^fp: `.*fake-fp issue list` exited with code 2: error: not an fp project \(run fp init\)$/,
    );
  });

  it('runs in the configured working directory', async () => {
    fp.patchState({issues: [fpIssue('FP-1')]});
    const inDir = new FPConnector(localConnectorConfig({command: fp.command, cwd: fp.dir}));
    expect((await inDir.listIssues({updated_since: null, cursor: null, limit: 1})).items).to.have.length(1);
    const badCwd = new FPConnector(localConnectorConfig({command: fp.command, cwd: `${fp.dir}/missing`}));
    const error = (await badCwd
      .listIssues({updated_since: null, cursor: null, limit: 1})
      .catch((e: unknown) => e)) as ConnectorConfigError;
    expect(error).to.be.instanceOf(ConnectorConfigError);
    expect(error.message).to.contain('working directory not found');
  });

  it('is what the provider registry loads; default_issue_type comes from the binding options', async () => {
    const module = await findProvider('fp')!.load();
    expect(module.capabilities.idempotency_marker).to.equal('none');
    fp.patchState({issues: [fpIssue('FP-1')]});
    const bugs = module.create(
      localConnectorConfig({command: fp.command, options: {default_issue_type: 'bug'}}),
    );
    expect(
      (await bugs.listIssues({updated_since: null, cursor: null, limit: 1})).items[0].issue_type,
    ).to.equal('bug');
    // (Compared by message: under mocha + tsx the registry's lazy import can load a second copy
    // of the core modules, so instanceof across that boundary is unreliable.)
    expect(() =>
      module.create(localConnectorConfig({command: fp.command, options: {default_issue_type: 'saga'}})),
    ).to.throw(/^fp: default_issue_type must be one of epic, story, task, bug, chore, subtask, got "saga"$/);
    expect(
      () =>
        new FPConnector(localConnectorConfig({command: fp.command, options: {default_issue_type: 'saga'}})),
    ).to.throw(ConnectorConfigError);
  });
});

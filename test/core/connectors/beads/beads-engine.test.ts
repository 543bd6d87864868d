import {expect} from 'chai';

import {
  InMemoryCheckpointStore,
  InMemoryIssueStore,
  ManualClock,
  SyncEngine,
  createIssue,
  createOwnershipPolicy,
  type TrackerConnector,
} from '../../../../src/core/index.js';
import {BeadsConnector} from '../../../../src/core/connectors/beads/index.js';
import {FPConnector} from '../../../../src/core/connectors/fp/index.js';
import {
  installFakeTool,
  localConnectorConfig,
  type FakeTool,
} from '../../../support/fake-executables/index.js';

/** The engine over in-memory stores, pushing as spec_kitty_authoritative (the incumbent's pinned fixture). */
function engineFor(connector: TrackerConnector) {
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  const store = new InMemoryIssueStore(clock);
  const engine = new SyncEngine({
    connector,
    issues: store,
    checkpoints: new InMemoryCheckpointStore(),
    policy: createOwnershipPolicy('spec_kitty_authoritative'),
    clock,
    sleep: clock.sleep,
  });
  return {engine, store};
}

describe('local CLI connectors under the sync engine: the incumbent-pinned call counts', () => {
  let tool: FakeTool;
  afterEach(() => tool.remove());

  it('beads: a push of one seeded todo issue makes exactly create, show (no lookup before a first create)', async () => {
    tool = installFakeTool('bd');
    const {engine, store} = engineFor(
      new BeadsConnector(localConnectorConfig({command: tool.command, workspace: 'acme-ws'})),
    );
    await store.createDraft(
      createIssue({
        ref: {system: 'beads', workspace: 'acme-ws', id: 'draft-1'},
        title: 'ACME Holdings carve-out',
        body: 'confidential body',
      }),
    );
    const result = await engine.push();
    expect(result.failures).to.deep.equal([]);
    expect(result.stats.pushed_created).to.equal(1);

    // The incumbent listed first to look for the draft's marker; a draft this clone never
    // tried to create cannot exist, so the lookup is left out.
    const calls = tool.calls();
    expect(calls).to.have.length(2);
    expect(calls[0].slice(1, 3)).to.deep.equal(['--json', 'create']);
    expect(calls[0]).to.include('ACME Holdings carve-out');
    expect(calls[1].slice(1, 3)).to.deep.equal(['--json', 'show']);

    // A second push finds nothing to do and runs nothing.
    tool.clearCalls();
    await engine.push();
    expect(tool.calls()).to.deep.equal([]);
  });

  it('beads: a pull of an empty tracker makes exactly one list', async () => {
    tool = installFakeTool('bd');
    const {engine} = engineFor(new BeadsConnector(localConnectorConfig({command: tool.command})));
    const result = await engine.pull();
    expect(result.failures).to.deep.equal([]);
    expect(tool.calls()).to.deep.equal([[tool.command, '--json', 'list', '--all', '--limit', '0']]);
  });

  it('fp: a pull of an empty tracker makes exactly one issue list; a push creates without a marker lookup', async () => {
    tool = installFakeTool('fp');
    const {engine, store} = engineFor(new FPConnector(localConnectorConfig({command: tool.command})));
    await engine.pull();
    expect(tool.argvs()).to.deep.equal([['issue', 'list']]);

    tool.clearCalls();
    await store.createDraft(
      createIssue({ref: {system: 'fp', workspace: 'ws', id: 'draft-1'}, title: 'Write the docs'}),
    );
    const result = await engine.push();
    expect(result.failures).to.deep.equal([]);
    expect(tool.argvs()).to.deep.equal([
      ['issue', 'create', '--title', 'Write the docs'],
      ['issue', 'show', 'FP-1'],
      ['context', 'FP-1'],
    ]);
  });
});

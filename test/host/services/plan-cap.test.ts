import {expect} from 'chai';

import {capPlanLists, PLAN_LIST_LIMIT} from '../../../src/host/cli/sync-command.js';

describe('sync --json: plan lists are capped', () => {
  it('cuts lists past the limit, says how many were left out, and leaves short lists alone', () => {
    const ids = (n: number) => Array.from({length: n}, (_, i) => `github:acme/widgets:${i + 1}`);
    const plan = {
      pull: {listed: 2500, created: ids(2500), updated: ids(3), deleted: []},
      creates: ids(PLAN_LIST_LIMIT),
      updates: ids(PLAN_LIST_LIMIT + 1),
      conflicts: [],
    };
    const capped = capPlanLists(plan) as unknown as Record<string, unknown> & {
      pull: Record<string, unknown>;
    };
    expect(capped.pull.created).to.deep.equal(ids(PLAN_LIST_LIMIT));
    expect(capped.pull.created_omitted).to.equal(2500 - PLAN_LIST_LIMIT);
    expect(capped.pull.updated).to.deep.equal(ids(3));
    expect(capped.pull).to.not.have.property('updated_omitted');
    expect(capped.pull.listed).to.equal(2500);
    expect(capped.creates).to.have.length(PLAN_LIST_LIMIT);
    expect(capped).to.not.have.property('creates_omitted');
    expect(capped.updates_omitted).to.equal(1);
    // The plan itself is not changed (the engine's result stays whole).
    expect(plan.pull.created).to.have.length(2500);
  });
});

import {expect} from 'chai';

import {ManualClock, findProvider} from '../../../../src/core/index.js';

describe('jira and linear through the provider registry', () => {
  it('loads real connector modules whose capabilities match their connectors', async () => {
    const runtime = {clock: new ManualClock(), sleep: async () => {}};
    const jira = await findProvider('jira')!.load();
    expect(jira.provider).to.equal('jira');
    const jiraConnector = jira.create({
      workspace: 'PROJ',
      serverUrl: 'https://x.atlassian.net',
      credentials: {email: 'a@b.c', token: 't0ken'},
      options: {},
      runtime,
    });
    expect(jiraConnector.capabilities()).to.deep.equal(jira.capabilities);
    expect(jira.capabilities.multi_assignee).to.equal(false);
    expect(jira.capabilities.idempotency_marker).to.equal('label');

    const linear = await findProvider('linear')!.load();
    expect(linear.provider).to.equal('linear');
    const linearConnector = linear.create({
      workspace: 'ENG',
      serverUrl: 'https://api.linear.app',
      credentials: {api_key: 'lin_api_x'},
      options: {},
      runtime,
    });
    expect(linearConnector.capabilities()).to.deep.equal(linear.capabilities);
    expect(linear.capabilities.writable_fields).to.not.include('issue_type');
    expect(linear.capabilities.idempotency_marker).to.equal('description');
  });
});

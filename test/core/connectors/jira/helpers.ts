import {ManualClock, type ConnectorRuntime, type RuntimeEvent} from '../../../../src/core/index.js';
import {JiraConnector} from '../../../../src/core/connectors/jira/jira-connector.js';
import {FakeJiraServer, type FakeJiraOptions} from '../../../fakes/jira/fake-jira-server.js';
import type {JsonValue} from '../../../../src/core/model/json.js';

export interface JiraRig {
  fake: FakeJiraServer;
  connector: JiraConnector;
  clock: ManualClock;
  events: RuntimeEvent[];
}

/** A fake Jira plus a connector pointed at it (Cloud unless `edition: 'datacenter'`). */
export async function startJira(
  options: FakeJiraOptions & {connectorOptions?: Record<string, JsonValue>} = {},
): Promise<JiraRig> {
  const fake = await FakeJiraServer.start(options);
  const clock = new ManualClock('2026-03-02T12:00:00.000Z');
  const events: RuntimeEvent[] = [];
  const runtime: ConnectorRuntime = {
    clock,
    sleep: clock.sleep,
    random: () => 0.5,
    onEvent: (e) => events.push(e),
  };
  const cloud = (options.edition ?? 'cloud') === 'cloud';
  const connector = new JiraConnector({
    workspace: fake.projectKey,
    serverUrl: fake.url,
    credentials: cloud ? {email: 'dev@example.com', token: 'jira-test-token'} : {token: 'jira-test-token'},
    options: {...options.connectorOptions},
    runtime,
  });
  return {fake, connector, clock, events};
}

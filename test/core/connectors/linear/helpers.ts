import {ManualClock, type ConnectorRuntime, type RuntimeEvent} from '../../../../src/core/index.js';
import {LinearConnector} from '../../../../src/core/connectors/linear/linear-connector.js';
import {FakeLinearServer, type FakeLinearOptions} from '../../../fakes/linear/fake-linear-server.js';
import type {JsonValue} from '../../../../src/core/model/json.js';

export interface LinearRig {
  fake: FakeLinearServer;
  connector: LinearConnector;
  clock: ManualClock;
  events: RuntimeEvent[];
}

export async function startLinear(
  options: FakeLinearOptions & {connectorOptions?: Record<string, JsonValue>} = {},
): Promise<LinearRig> {
  const clock = new ManualClock('2026-03-02T12:00:00.000Z');
  const fake = await FakeLinearServer.start({now: () => clock.now(), ...options});
  const events: RuntimeEvent[] = [];
  const runtime: ConnectorRuntime = {
    clock,
    sleep: clock.sleep,
    random: () => 0.5,
    onEvent: (e) => events.push(e),
  };
  const connector = new LinearConnector({
    workspace: fake.teamKey,
    serverUrl: fake.url,
    credentials: {api_key: 'lin_api_test_key'},
    options: {...options.connectorOptions},
    runtime,
  });
  return {fake, connector, clock, events};
}

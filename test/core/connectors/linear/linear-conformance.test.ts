import {runConnectorConformance} from '../../../conformance/connector-conformance.js';
import {startLinear} from './helpers.js';

runConnectorConformance('linear', async () => {
  const {fake, connector} = await startLinear();
  return {
    connector,
    seedIssue: (seed) =>
      fake.seed({
        title: seed.title,
        description: seed.body ?? null,
        labels: [...(seed.labels ?? [])],
        state: seed.closed ? 'Done' : undefined,
      }).id,
    commentsOf: (id) => fake.commentsOf(id),
    close: () => fake.close(),
  };
});

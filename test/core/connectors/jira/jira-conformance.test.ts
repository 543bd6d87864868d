import {runConnectorConformance} from '../../../conformance/connector-conformance.js';
import {startJira} from './helpers.js';

for (const edition of ['cloud', 'datacenter'] as const) {
  runConnectorConformance(`jira (${edition})`, async () => {
    const {fake, connector} = await startJira({edition});
    return {
      connector,
      seedIssue: (seed) =>
        fake.seed({
          summary: seed.title,
          description: seed.body ?? null,
          labels: [...(seed.labels ?? [])],
          status: seed.closed ? 'Done' : undefined,
        }).id,
      commentsOf: (id) => fake.commentsOf(id),
      close: () => fake.close(),
    };
  });
}

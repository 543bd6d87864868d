import {expect} from 'chai';
import {parse} from 'graphql';

import {ConnectorRequestError} from '../../../../src/core/index.js';
import {LinearGraphQL} from '../../../../src/core/connectors/linear/linear-graphql.js';
import {linearComplexity} from '../../../fakes/linear/linear-complexity.js';
import {linearSchema} from '../../../fakes/linear/linear-schema.js';
import {startLinear, type LinearRig} from './helpers.js';

const score = (query: string, variables: Record<string, unknown> = {}): number =>
  linearComplexity(linearSchema(), parse(query), variables);

type IssueLabels = {issue: {labels: unknown}};

async function post(rig: LinearRig, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${rig.fake.url}/graphql`, {
    method: 'POST',
    headers: {'content-type': 'application/json', authorization: 'lin_api_test_key'},
    body: JSON.stringify({query, variables}),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('fake linear: the limits Linear documents', () => {
  let rig: LinearRig;
  afterEach(async () => rig?.fake.close());

  it('scores 0.1 a field, 1 an object, and multiplies a connection by first/last or 50', () => {
    expect(score('{ issue(id: "x") { id title } }')).to.equal(2); // 1 + 0.2, rounded up
    expect(score('{ issue(id: "x") { id team { id key } } }')).to.equal(3); // 1 + 0.1 + 1.2 = 2.3
    // connection 1 + 10 × (nodes 1 + 0.2) = 13
    expect(score('{ issues(first: 10) { nodes { id title } } }')).to.equal(13);
    expect(score('query Q($n: Int) { issues(last: $n) { nodes { id title } } }', {n: 20})).to.equal(25);
    expect(score('{ issues { nodes { id title } } }')).to.equal(61); // 50 when neither is given
    // Nested connections multiply: 1 + 10 × (1 + 0.1 + 1 + 5 × 1.1) = 77
    expect(score('{ issues(first: 10) { nodes { id labels(first: 5) { nodes { id } } } } }')).to.equal(77);
  });

  it('refuses a request above 10,000 points with 400 and the score, and sends rate headers', async () => {
    rig = await startLinear();
    const tooBig = await post(
      rig,
      '{ issues(first: 250) { nodes { id labels(first: 50) { nodes { id name } } } } }',
    );
    expect(tooBig.status).to.equal(400);
    const message = (tooBig.body.errors as {message: string}[])[0].message;
    expect(message).to.match(
      /^The query is too complex\. Complexity: \d+\. Maximum allowed complexity: 10000\.$/,
    );
    const ok = await post(rig, '{ issues(first: 2) { nodes { id } } }');
    expect(ok.status).to.equal(200);
    expect(ok.headers.get('x-complexity')).to.equal('4'); // 1 + 2 × 1.1 = 3.2, rounded up
    expect(ok.headers.get('x-ratelimit-requests-limit')).to.equal('2500');
    expect(ok.headers.get('x-ratelimit-requests-remaining')).to.equal('2499');
    expect(ok.headers.get('x-ratelimit-complexity-limit')).to.equal('250000');
    expect(ok.headers.get('x-ratelimit-complexity-remaining')).to.equal(String(250_000 - 4));
    expect(Number(ok.headers.get('x-ratelimit-complexity-reset'))).to.be.greaterThan(
      rig.clock.now().getTime(),
    );
    expect(rig.fake.scored.map((s) => s.outcome)).to.deep.equal(['too_complex', 'ok']);
  });

  it('validates variables and inputs against the schema (unknown input field, bad enum)', async () => {
    rig = await startLinear();
    const bad = await post(
      rig,
      'mutation M($input: IssueRelationCreateInput!) { issueRelationCreate(input: $input) { success } }',
      {input: {issueId: 'a', relatedIssueId: 'b', type: 'blocked_by'}},
    );
    expect(bad.status).to.equal(400);
    expect(JSON.stringify(bad.body)).to.include('IssueRelationType');
  });

  it('pages nested connections: labels(first: 2) returns two and says there are more', async () => {
    rig = await startLinear();
    const issue = rig.fake.seed({title: 'x', labels: ['a', 'b', 'c']});
    const first = await post(
      rig,
      `{ issue(id: "${issue.id}") { labels(first: 2) { nodes { name } pageInfo { hasNextPage endCursor } } } }`,
    );
    const labels = (first.body.data as IssueLabels).issue.labels as {
      nodes: {name: string}[];
      pageInfo: {hasNextPage: boolean; endCursor: string};
    };
    expect(labels.nodes.map((n) => n.name)).to.deep.equal(['a', 'b']);
    expect(labels.pageInfo.hasNextPage).to.equal(true);
    const rest = await post(
      rig,
      `{ issue(id: "${issue.id}") { labels(first: 2, after: "${labels.pageInfo.endCursor}") { nodes { name } pageInfo { hasNextPage } } } }`,
    );
    expect((rest.body.data as IssueLabels).issue.labels).to.deep.equal({
      nodes: [{name: 'c'}],
      pageInfo: {hasNextPage: false},
    });
  });

  it('enforces the hourly budgets: an empty bucket answers 400 RATELIMITED, and the connector waits for the refill first', async () => {
    // 3,000 points per 10 minutes: each page of 10 issues scores about 830, so the fourth page waits.
    rig = await startLinear({budget: {complexityPerHour: 3000, requestsPerHour: 100, periodMs: 600_000}});
    for (let i = 0; i < 45; i++) rig.fake.seed({title: `i${i}`});
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10 && (i === 0 || cursor !== null); i++) {
      const page: Awaited<ReturnType<typeof rig.connector.listIssues>> = await rig.connector.listIssues({
        updated_since: null,
        cursor,
        limit: 10,
      });
      ids.push(...page.items.map((x) => x.ref.id));
      cursor = page.next_cursor;
    }
    expect(new Set(ids).size).to.equal(45);
    const outcomes = rig.fake.scored.map((s) => s.outcome);
    // The pacing layer reads X-RateLimit-Complexity-* and waits before the bucket is empty, so
    // the connector is not refused; the fake's refusal itself is checked with a bare client below.
    expect(outcomes.filter((o) => o === 'rate_limited').length).to.equal(0);
    expect(rig.clock.sleeps.length).to.be.at.least(1);
    const limited = await (async () => {
      // A bare client sees Linear's documented body.
      const now = rig.clock.now().getTime();
      for (const step of [100, 1])
        for (let i = 0; i < 100 && rig.fake.budget.trySpend('lin_api_test_key', step, now); i++);
      return post(rig, '{ issues(first: 10) { nodes { id } } }');
    })();
    expect(limited.status).to.equal(400);
    expect((limited.body.errors as {extensions: {code: string}}[])[0].extensions.code).to.equal(
      'RATELIMITED',
    );
    expect(limited.headers.get('x-ratelimit-complexity-remaining')).to.match(/^\d+$/);
  });

  it('a connector error names the refusal when a document is too complex', async () => {
    rig = await startLinear();
    const api = new LinearGraphQL({
      baseUrl: rig.fake.url,
      apiKey: 'lin_api_test_key',
      runtime: {clock: rig.clock, sleep: rig.clock.sleep},
    });
    let caught: unknown;
    try {
      await api.run(
        'a big query',
        '{ issues(first: 250) { nodes { id labels(first: 250) { nodes { id } } } } }',
        {},
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(ConnectorRequestError);
    expect((caught as Error).message).to.include('The query is too complex');
  });
});

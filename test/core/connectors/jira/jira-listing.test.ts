import {expect} from 'chai';

import {startJira, type JiraRig} from './helpers.js';

describe('jira incremental listing', () => {
  let rig: JiraRig;
  afterEach(async () => rig?.fake.close());

  it('sends a minute-precision JQL date in the user time zone, asks for the zone once, and filters exactly', async () => {
    rig = await startJira({timeZone: 'America/New_York', start: '2026-03-02T14:00:00.000Z', tickMs: 20_000});
    const old = rig.fake.seed({summary: 'old'}); // 14:00:20Z
    const a = rig.fake.seed({summary: 'a'}); // 14:00:40Z
    const b = rig.fake.seed({summary: 'b'}); // 14:01:00Z
    const since = new Date(a.updated).toISOString();
    const page = await rig.connector.listIssues({updated_since: since, cursor: null, limit: 50});
    expect(page.items.map((i) => i.ref.id)).to.deep.equal([a.id, b.id]);
    expect(page.items.map((i) => i.ref.id)).to.not.include(old.id);
    const search = rig.fake.requestsTo('POST', '/rest/api/3/search/jql')[0].body as {
      jql: string;
      fields: string[];
    };
    // 14:00:40Z is 09:00:40 in New York (EST); minus the 2-minute overlap, floored: 08:58.
    expect(search.jql).to.equal(
      'project = "PROJ" AND updated >= "2026/03/02 08:58" ORDER BY updated ASC, key ASC',
    );
    expect(search.fields).to.include('status');
    await rig.connector.listIssues({updated_since: since, cursor: null, limit: 50});
    expect(rig.fake.requestsTo('GET', '/rest/api/3/myself')).to.have.length(1);
  });

  it('pages with nextPageToken on Cloud and startAt on Data Center, each issue once', async () => {
    for (const edition of ['cloud', 'datacenter'] as const) {
      rig = await startJira({edition});
      const ids = Array.from({length: 5}, (_, i) => rig.fake.seed({summary: `issue ${i}`}).id);
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 10; i++) {
        const page: Awaited<ReturnType<typeof rig.connector.listIssues>> = await rig.connector.listIssues({
          updated_since: null,
          cursor,
          limit: 2,
        });
        seen.push(...page.items.map((x) => x.ref.id));
        cursor = page.next_cursor;
        if (cursor === null) break;
      }
      expect(seen).to.deep.equal(ids);
      const searches = rig.fake.requests
        .filter((r) => r.method === 'POST' && /search/.test(r.path))
        .map((r) => r.body as Record<string, unknown>);
      expect(searches).to.have.length(3);
      if (edition === 'cloud') {
        expect(searches[0]).to.not.have.property('nextPageToken');
        expect(searches[1].nextPageToken).to.be.a('string');
      } else {
        expect(searches.map((s) => s.startAt)).to.deep.equal([0, 2, 4]);
      }
      await rig.fake.close();
    }
  });

  it('waits out a 429 with Retry-After on the injected clock and carries on', async () => {
    rig = await startJira();
    rig.fake.seed({summary: 'one'});
    rig.fake.http.script({
      on: (r) => /search\/jql/.test(r.path),
      respond: {status: 429, headers: {'retry-after': '7'}, json: {errorMessages: ['Rate limit exceeded.']}},
    });
    const page = await rig.connector.listIssues({updated_since: null, cursor: null, limit: 10});
    expect(page.items).to.have.length(1);
    expect(rig.clock.sleeps).to.deep.equal([7000]);
    expect(
      rig.events.filter((e) => e.type === 'wait').map((e) => (e as {reason: string}).reason),
    ).to.deep.equal(['rate_limit']);
  });

  it('reads X-RateLimit-Reset (ISO) when a 429 has no Retry-After', async () => {
    rig = await startJira();
    rig.fake.seed({summary: 'one'});
    const reset = new Date(rig.clock.now().getTime() + 30_000).toISOString();
    rig.fake.http.script({
      on: (r) => /search\/jql/.test(r.path),
      respond: {status: 429, headers: {'x-ratelimit-reset': reset}, json: {}},
    });
    await rig.connector.listIssues({updated_since: null, cursor: null, limit: 10});
    expect(rig.clock.sleeps).to.deep.equal([31_000]);
  });
});

describe('jira Data Center offset drift', () => {
  it('does not skip an issue when one already listed is edited between pages', async () => {
    const rig = await startJira({edition: 'datacenter'});
    try {
      const ids = Array.from({length: 12}, (_, i) => rig.fake.seed({summary: `issue ${i}`}).id);
      const first = await rig.connector.listIssues({updated_since: null, cursor: null, limit: 8});
      // Someone edits the first issue: it moves to the end of ORDER BY updated.
      rig.fake.issues.get(ids[0])!.updated += 3_600_000;
      let cursor = first.next_cursor;
      const seen = first.items.map((i) => i.ref.id);
      for (let i = 0; i < 5 && cursor !== null; i++) {
        const page = await rig.connector.listIssues({updated_since: null, cursor, limit: 8});
        seen.push(...page.items.map((x) => x.ref.id));
        cursor = page.next_cursor;
      }
      for (const id of ids) expect(seen, `issue ${id} listed`).to.include(id);
      // Each (id, updated) once: only the edited issue appears twice (two versions).
      expect(seen.filter((id) => id === ids[0])).to.have.length(2);
      expect(seen.length).to.equal(13);
    } finally {
      await rig.fake.close();
    }
  });
});

import {expect} from 'chai';
import {parse, validate} from 'graphql';

import {
  InMemoryCheckpointStore,
  InMemoryIssueStore,
  SyncEngine,
  createIssue,
  createOwnershipPolicy,
} from '../../../../src/core/index.js';
import * as queries from '../../../../src/core/connectors/linear/linear-queries.js';
import {LINEAR_MAX_COMPLEXITY, linearComplexity} from '../../../fakes/linear/linear-complexity.js';
import {linearSchema} from '../../../fakes/linear/linear-schema.js';
import {startLinear, type LinearRig} from './helpers.js';

/** Every GraphQL document the connector module exports. */
const documents = Object.entries(queries as Record<string, unknown>).filter(
  (entry): entry is [string, string] =>
    typeof entry[1] === 'string' && /^\s*(query|mutation)\b/.test(entry[1]),
);

/** Page sizes the engine may ask: anything, clamped by the connector to 1..LINEAR_MAX_PAGE. */
const pageSizes = Array.from({length: queries.LINEAR_MAX_PAGE}, (_, i) => i + 1);

function seedBusy(rig: LinearRig, count: number): void {
  const labels = Array.from({length: 15}, (_, i) => `l${i}`);
  const seeded = Array.from({length: count}, (_, i) =>
    rig.fake.seed({title: `issue ${i}`, labels: i % 50 === 0 ? labels : ['bug']}),
  );
  // A few issues with more relations than come with the issue, both ways.
  for (const hub of [seeded[0], seeded[150]]) {
    for (let k = 1; k <= 8; k++) {
      rig.fake.relations.push({
        id: `rel-h${hub.number}-${k}`,
        type: 'blocks',
        issueId: hub.id,
        relatedIssueId: seeded[k + 10].id,
      });
      rig.fake.relations.push({
        id: `rel-i${hub.number}-${k}`,
        type: 'related',
        issueId: seeded[k + 30].id,
        relatedIssueId: hub.id,
      });
    }
  }
}

describe('linear: every request fits the complexity cap by construction', () => {
  let rig: LinearRig;
  afterEach(async () => rig?.fake.close());

  it('exports documents that validate against the schema and score at most 10,000 for every page size', () => {
    expect(documents.map(([name]) => name)).to.include.members([
      'ISSUES_PAGE_QUERY',
      'ISSUE_QUERY',
      'ISSUE_LABELS_QUERY',
    ]);
    const worst: Record<string, number> = {};
    for (const [name, text] of documents) {
      const document = parse(text);
      expect(
        validate(linearSchema(), document).map((e) => e.message),
        name,
      ).to.deep.equal([]);
      for (const size of pageSizes) {
        const score = linearComplexity(linearSchema(), document, {first: size, last: size});
        worst[name] = Math.max(worst[name] ?? 0, score);
      }
    }
    for (const [name, score] of Object.entries(worst))
      expect(score, name).to.be.at.most(LINEAR_MAX_COMPLEXITY);
    // The page is the largest: room is left, but not most of it.
    expect(worst.ISSUES_PAGE_QUERY).to.be.greaterThan(LINEAR_MAX_COMPLEXITY / 2);
  });

  it('scores the old per-issue selection (100 labels, 50 relations each way) far above the cap', () => {
    const old = `query { issues(last: 100) { nodes { id labels(first: 100) { nodes { id name } }
      relations(first: 50) { nodes { id type relatedIssue { id identifier team { key } } } }
      inverseRelations(first: 50) { nodes { id type issue { id identifier team { key } } } } } } }`;
    expect(linearComplexity(linearSchema(), parse(old), {})).to.be.greaterThan(40_000);
  });

  it('clamps any page size the engine asks to one the cap admits', async () => {
    rig = await startLinear();
    for (let i = 0; i < 120; i++) rig.fake.seed({title: `i${i}`});
    const page = await rig.connector.listIssues({updated_since: null, cursor: null, limit: 1000});
    expect(page.items).to.have.length(queries.LINEAR_MAX_PAGE);
    expect(rig.fake.operations[0].variables.last).to.equal(queries.LINEAR_MAX_PAGE);
    expect(rig.fake.scored.every((s) => s.outcome === 'ok')).to.equal(true);
  });

  it('fetches the labels and relations beyond the first few only for the issues that have more', async () => {
    rig = await startLinear();
    seedBusy(rig, 200);
    const all = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page: Awaited<ReturnType<typeof rig.connector.listIssues>> = await rig.connector.listIssues({
        updated_since: null,
        cursor,
        limit: 100,
      });
      all.push(...page.items);
      cursor = page.next_cursor;
      if (cursor === null) break;
    }
    expect(all).to.have.length(200);
    const first = all.find((x) => x.title === 'issue 0')!;
    expect(first.labels).to.have.length(15);
    expect(first.links.filter((l) => l.type === 'blocks')).to.have.length(8);
    expect(first.links.filter((l) => l.type === 'relates_to')).to.have.length(8);
    const followUps = rig.fake.operations.map((o) => o.name).filter((n) => n !== 'SpecKittyIssues');
    // Issues 0, 50, 100 and 150 have 15 labels; issues 0 and 150 have 8 relations each way.
    expect(followUps.filter((n) => n === 'SpecKittyIssueLabels')).to.have.length(4);
    expect(followUps.filter((n) => n === 'SpecKittyIssueRelations')).to.have.length(2);
    expect(followUps.filter((n) => n === 'SpecKittyIssueInverseRelations')).to.have.length(2);
  });

  it('a full pull of 300 issues and a push through the engine stay within 10,000 points a request', async () => {
    rig = await startLinear();
    seedBusy(rig, 300);
    const store = new InMemoryIssueStore(rig.clock);
    const engine = new SyncEngine({
      connector: rig.connector,
      issues: store,
      checkpoints: new InMemoryCheckpointStore(),
      policy: createOwnershipPolicy('spec_kitty_authoritative'),
      clock: rig.clock,
      sleep: rig.clock.sleep,
      pageSize: 250,
    });
    const pulled = await engine.pull();
    expect(pulled.failures).to.deep.equal([]);
    expect(await store.listIssues()).to.have.length(300);
    for (let i = 0; i < 5; i++)
      await store.createDraft(
        createIssue({
          ref: {system: 'linear', workspace: 'ENG', id: `draft-${i}`},
          title: `draft ${i}`,
          labels: ['bug', `new-${i}`],
        }),
      );
    // Local edits to pulled issues, one of them with many labels: updates travel too.
    const pulledIssues = (await store.listIssues()).slice(0, 3);
    for (const [i, issue] of pulledIssues.entries())
      await store.recordLocalEdit(issue.ref, {
        title: `edited ${i}`,
        labels: Array.from({length: i === 0 ? 12 : 1}, (_, k) => `edit-${k}`),
      });
    const pushed = await engine.push();
    expect(pushed.failures).to.deep.equal([]);
    expect(pushed.stats.pushed_created).to.equal(5);
    expect(pushed.stats.pushed_updated).to.equal(3);
    const edited = [...rig.fake.issues.values()].find((x) => x.title === 'edited 0')!;
    expect(edited.labelIds).to.have.length(12);
    expect(rig.fake.issues.size).to.equal(305);
    expect(rig.fake.scored.filter((s) => s.outcome !== 'ok')).to.deep.equal([]);
    expect(rig.fake.maxComplexity).to.be.within(1, LINEAR_MAX_COMPLEXITY);
  });
});

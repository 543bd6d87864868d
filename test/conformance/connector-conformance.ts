/**
 * The shared connector conformance suite: every connector, run against its loopback fake,
 * must pass the same list/get/create/update/transition/comment round trips.
 *
 *   runConnectorConformance('github', async () => {
 *     const server = await startFakeGitHubServer();
 *     return {connector: makeConnector(server.url), seedIssue: (i) => ..., close: () => server.close()};
 *   });
 *
 * `setup` runs before each test (a fresh fake per test keeps tests independent).
 */
import {expect} from 'chai';

import {
  CORE_ISSUE_FIELDS,
  createIssue,
  refIdentity,
  type CanonicalIssue,
  type CanonicalStatus,
  type ExternalRef,
  type TrackerConnector,
} from '../../src/core/index.js';

export interface ConformanceSeed {
  readonly title: string;
  readonly body?: string | null;
  readonly labels?: readonly string[];
  /** Seed it closed (done) instead of open. */
  readonly closed?: boolean;
}

export interface ConformanceHarness {
  readonly connector: TrackerConnector;
  /** Creates an issue directly in the fake (as a person in the tracker UI would); returns its id. */
  seedIssue?(seed: ConformanceSeed): Promise<string> | string;
  /** Comment bodies of an issue as the fake stores them, to check `addComment` round-trips. */
  commentsOf?(id: string): Promise<readonly string[]> | readonly string[];
  close(): Promise<void>;
}

export type ConformanceSetup = () => Promise<ConformanceHarness>;

/** Lists every page (bounded, so a connector whose cursor never ends fails instead of hanging). */
export async function listAll(
  connector: TrackerConnector,
  updatedSince: string | null,
  limit = 2,
  maxPages = 200,
): Promise<CanonicalIssue[]> {
  const out: CanonicalIssue[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const result = await connector.listIssues({updated_since: updatedSince, cursor, limit});
    out.push(...result.items);
    if (result.next_cursor === null) return out;
    expect(result.next_cursor, 'a cursor must move forward').to.not.equal(cursor);
    cursor = result.next_cursor;
  }
  throw new Error(`listIssues did not finish within ${maxPages} pages`);
}

function draft(
  connector: TrackerConnector,
  title: string,
  extra: Partial<CanonicalIssue> = {},
): CanonicalIssue {
  return createIssue({
    ref: {
      system: connector.provider,
      workspace: connector.workspace,
      id: `draft-${title.replace(/\W+/g, '-')}`,
    },
    title,
    ...extra,
  });
}

export function runConnectorConformance(name: string, setup: ConformanceSetup): void {
  describe(`connector conformance: ${name}`, function () {
    this.timeout(10_000);
    let harness: ConformanceHarness;
    let connector: TrackerConnector;

    beforeEach(async () => {
      harness = await setup();
      connector = harness.connector;
    });
    afterEach(async () => {
      await harness?.close();
    });

    it('states its capabilities with known fields only', () => {
      const caps = connector.capabilities();
      expect(connector.provider).to.be.a('string').and.not.equal('');
      expect(connector.workspace).to.be.a('string').and.not.equal('');
      for (const field of caps.writable_fields) expect(CORE_ISSUE_FIELDS).to.include(field);
      expect(['label', 'body_footer', 'custom_field', 'description', 'none']).to.include(
        caps.idempotency_marker,
      );
    });

    it('creates an issue and reads it back with get, list and its idempotency key', async function () {
      if (!connector.capabilities().create) this.skip();
      const created = await connector.createIssue(
        draft(connector, 'Conformance create', {body: 'First line\n\nSecond line', labels: ['conformance']}),
        {
          idempotencyKey: 'conf-key-1',
        },
      );
      expect(created.ref.system).to.equal(connector.provider);
      expect(created.ref.workspace).to.equal(connector.workspace);
      expect(created.ref.id).to.not.match(/^draft-/);
      expect(created.title).to.equal('Conformance create');
      expect(created.body, 'the idempotency marker is hidden from the canonical body').to.equal(
        'First line\n\nSecond line',
      );
      expect(created.labels).to.include('conformance');
      expect(created.status).to.equal('todo');

      const fetched = await connector.getIssue(created.ref);
      expect(fetched, 'getIssue finds the created issue').to.not.equal(null);
      expect(refIdentity(fetched!.ref)).to.equal(refIdentity(created.ref));
      expect(fetched!.title).to.equal(created.title);
      expect(fetched!.body).to.equal(created.body);
      expect([...fetched!.labels]).to.deep.equal([...created.labels]);

      const found = await connector.findByIdempotencyKey('conf-key-1');
      expect(found && refIdentity(found.ref)).to.equal(refIdentity(created.ref));
      expect(await connector.findByIdempotencyKey('conf-key-unknown')).to.equal(null);

      const listed = await listAll(connector, null);
      expect(listed.map((i) => refIdentity(i.ref))).to.include(refIdentity(created.ref));
    });

    it('returns null from getIssue for an issue that does not exist', async () => {
      const ref: ExternalRef = {
        system: connector.provider,
        workspace: connector.workspace,
        id: '987654',
        key: null,
        url: null,
      };
      expect(await connector.getIssue(ref)).to.equal(null);
    });

    it('lists every issue exactly once across pages, oldest update first', async function () {
      const seed = harness.seedIssue;
      if (!seed && !connector.capabilities().create) this.skip();
      const ids: string[] = [];
      for (let i = 1; i <= 5; i++) {
        if (seed) ids.push(await seed.call(harness, {title: `Listed ${i}`, closed: i === 5}));
        else
          ids.push(
            (await connector.createIssue(draft(connector, `Listed ${i}`), {idempotencyKey: `conf-list-${i}`}))
              .ref.id,
          );
      }
      const listed = await listAll(connector, null, 2);
      const listedIds = listed.map((i) => i.ref.id);
      expect(new Set(listedIds).size, 'no issue twice').to.equal(listedIds.length);
      for (const id of ids) expect(listedIds).to.include(id);
      const times = listed.map((i) => Date.parse(i.updated_at ?? ''));
      for (const t of times) expect(Number.isNaN(t), 'every listed issue has updated_at').to.equal(false);
      expect(times, 'sorted by updated_at ascending').to.deep.equal([...times].sort((a, b) => a - b));
      if (seed) expect(listed.find((i) => i.ref.id === ids[4])!.status).to.equal('done');
    });

    it('includes issues updated exactly at updated_since (inclusive) and skips older ones', async function () {
      if (!connector.capabilities().incremental) this.skip();
      const seed = harness.seedIssue;
      if (!seed && !connector.capabilities().create) this.skip();
      const make = async (title: string): Promise<string> =>
        seed
          ? seed.call(harness, {title})
          : (await connector.createIssue(draft(connector, title), {idempotencyKey: title})).ref.id;
      await make('Older');
      const newerId = await make('Newer');
      const newer = (await connector.getIssue({
        system: connector.provider,
        workspace: connector.workspace,
        id: newerId,
        key: null,
        url: null,
      }))!;
      const listed = await listAll(connector, newer.updated_at, 10);
      expect(listed.map((i) => i.ref.id)).to.include(newerId);
      for (const issue of listed)
        expect(Date.parse(issue.updated_at!)).to.be.at.least(Date.parse(newer.updated_at!));
    });

    it('updates title, body and labels', async function () {
      if (!connector.capabilities().create) this.skip();
      const caps = connector.capabilities();
      const created = await connector.createIssue(draft(connector, 'Before update', {body: 'old body'}), {
        idempotencyKey: 'conf-upd',
      });
      const patch: Record<string, unknown> = {};
      if (caps.writable_fields.includes('title')) patch.title = 'After update';
      if (caps.writable_fields.includes('body')) patch.body = 'new body';
      if (caps.writable_fields.includes('labels')) patch.labels = ['alpha', 'beta'];
      const updated = await connector.updateIssue(created.ref, patch, {idempotencyKey: 'conf-upd-2'});
      const fetched = (await connector.getIssue(created.ref))!;
      for (const issue of [updated, fetched]) {
        if ('title' in patch) expect(issue.title).to.equal('After update');
        if ('body' in patch) expect(issue.body).to.equal('new body');
        if ('labels' in patch) expect([...issue.labels]).to.deep.equal(['alpha', 'beta']);
      }
      // The idempotency marker survives a body update, so a retried create still finds the issue.
      const found = await connector.findByIdempotencyKey('conf-upd');
      expect(found && found.ref.id).to.equal(created.ref.id);
    });

    it('transitions through done, canceled and back to todo', async function () {
      if (!connector.capabilities().create) this.skip();
      const created = await connector.createIssue(draft(connector, 'Transitions'), {
        idempotencyKey: 'conf-tr',
      });
      const path: CanonicalStatus[] = ['in_progress', 'done', 'todo', 'canceled', 'todo'];
      for (const status of path) {
        const moved = await connector.transitionIssue(created.ref, status);
        expect(moved.status, `after transition to ${status}`).to.equal(status);
        expect((await connector.getIssue(created.ref))!.status, `get after transition to ${status}`).to.equal(
          status,
        );
      }
    });

    it('adds comments', async function () {
      if (!connector.capabilities().comments || !connector.capabilities().create) this.skip();
      const created = await connector.createIssue(draft(connector, 'Commented'), {idempotencyKey: 'conf-cm'});
      await connector.addComment(created.ref, 'First comment');
      await connector.addComment(created.ref, 'Second comment');
      if (harness.commentsOf)
        expect([...(await harness.commentsOf(created.ref.id))]).to.deep.equal([
          'First comment',
          'Second comment',
        ]);
    });

    it('finds a comment by the idempotency key it was posted with, and by no other key', async function () {
      const capabilities = connector.capabilities();
      if (!capabilities.comments || !capabilities.create || capabilities.comment_marker === 'none')
        this.skip();
      const created = await connector.createIssue(draft(connector, 'Marked'), {idempotencyKey: 'conf-mk'});
      const since = new Date(Date.now() - 3_600_000).toISOString();
      const key = '01KCONFORMANCECOMMENT00001';
      expect(await connector.findComment(created.ref, key, {since}), 'before posting').to.equal(false);
      await connector.addComment(created.ref, 'Marked comment', {idempotencyKey: key});
      await connector.addComment(created.ref, 'Plain comment');
      expect(await connector.findComment(created.ref, key, {since}), 'after posting').to.equal(true);
      expect(await connector.findComment(created.ref, '01KCONFORMANCECOMMENT00002', {since})).to.equal(false);
      if (harness.commentsOf) {
        // The marker does not show in the text people read (a hidden footer, a property, an id).
        const shown = [...(await harness.commentsOf(created.ref.id))].map((c) =>
          c.replace(/\s*<!-- spec-kitty:idempotency=[^\s>]+ -->\s*$/, ''),
        );
        expect(shown).to.deep.equal(['Marked comment', 'Plain comment']);
      }
    });

    it('fails with a not_found ConnectorRequestError when updating a missing issue', async function () {
      if (!connector.capabilities().create) this.skip();
      const ref: ExternalRef = {
        system: connector.provider,
        workspace: connector.workspace,
        id: '987654',
        key: null,
        url: null,
      };
      let caught: unknown;
      try {
        await connector.updateIssue(ref, {title: 'x'}, {idempotencyKey: 'missing'});
      } catch (error) {
        caught = error;
      }
      expect(caught, 'updateIssue of a missing issue throws').to.be.instanceOf(Error);
      expect((caught as {failureClass?: string}).failureClass).to.equal('not_found');
    });
  });
}

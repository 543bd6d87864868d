/**
 * Keyset pagination under concurrent edits, against both fakes: listings full of ties (many
 * issues sharing one `updated_at`), pull requests mixed in (GitHub), random issues edited
 * between random page requests, and a new connector for every page (a restart, resuming from
 * the cursor). Whatever happens, every issue is listed, and no version is listed twice.
 */
import {expect} from 'chai';

import {ManualClock, type CanonicalIssue, type TrackerConnector} from '../../../../src/core/index.js';
import {connectorModule as githubModule} from '../../../../src/core/connectors/github/index.js';
import {connectorModule as gitlabModule} from '../../../../src/core/connectors/gitlab/index.js';
import {FakeGitHubServer} from '../../../fakes/github/index.js';
import {FakeGitLabServer} from '../../../fakes/gitlab/index.js';
import {seededRandom} from '../../../fakes/spec-kitty-project.js';

interface Case {
  readonly issues: number[];
  readonly edited: Set<number>;
  newConnector(): TrackerConnector;
  close(): Promise<void>;
}

async function scenario(provider: 'github' | 'gitlab', seed: number): Promise<Case> {
  // Seeded, so a failing case can be replayed from its seed.
  const rnd = seededRandom(seed);
  let editSecond = 0;
  // Every edit one second after the previous one, after every seeded time.
  const now = () => new Date(Date.parse('2026-02-01T00:00:00Z') + editSecond * 1000);
  const clock = new ManualClock('2026-03-01T00:00:00Z');
  const runtime = {clock, sleep: clock.sleep, random: () => 0.5};
  const count = 20 + Math.floor(rnd() * 25);
  // Few distinct times: ties longer than a page are the rule here, not the exception.
  const times = Array.from({length: 1 + Math.floor(rnd() * 4)}, (_, k) => `2025-06-01T12:00:0${k}Z`);
  const time = () => times[Math.floor(rnd() * times.length)];
  const issues: number[] = [];
  const edited = new Set<number>();
  const scheduleEdits = (before: (n: number, change: () => void) => void, edit: (n: number) => void) => {
    for (let request = 2; request <= 40; request++) {
      if (rnd() < 0.35) {
        const target = 1 + Math.floor(rnd() * count);
        before(request, () => {
          editSecond += 1;
          edit(target);
          edited.add(target);
        });
      }
    }
  };
  if (provider === 'github') {
    const server = await FakeGitHubServer.start({now});
    for (let n = 1; n <= count; n++) {
      const pull = rnd() < 0.2;
      server.seedIssue({
        title: `item ${n}`,
        updated_at: time(),
        created_at: '2025-01-01T00:00:00Z',
        pull_request: pull,
      });
      if (!pull) issues.push(n);
    }
    scheduleEdits(
      (n, change) => server.beforeListRequest(n, change),
      (n) => server.remoteEdit(n, {title: `item ${n} edited at ${editSecond}`}),
    );
    return {
      issues,
      edited,
      newConnector: () =>
        githubModule.create({
          workspace: server.workspace,
          serverUrl: server.url,
          credentials: {token: server.token},
          options: {},
          runtime,
        }),
      close: () => server.close(),
    };
  }
  const server = await FakeGitLabServer.start({now, linkHeader: rnd() < 0.5});
  for (let n = 1; n <= count; n++) {
    server.seedIssue({title: `item ${n}`, updated_at: time().replace('Z', '.000Z')});
    issues.push(n);
  }
  scheduleEdits(
    (n, change) => server.beforeListRequest(n, change),
    (n) => server.remoteEdit(n, {title: `item ${n} edited at ${editSecond}`}),
  );
  return {
    issues,
    edited,
    newConnector: () =>
      gitlabModule.create({
        workspace: server.projectPath,
        serverUrl: server.url,
        credentials: {token: server.token},
        options: {},
        runtime,
      }),
    close: () => server.close(),
  };
}

async function listWithRestarts(c: Case, perPage: number): Promise<CanonicalIssue[]> {
  const out: CanonicalIssue[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 300; page++) {
    const result = await c.newConnector().listIssues({updated_since: null, cursor, limit: perPage});
    out.push(...result.items);
    if (result.next_cursor === null) return out;
    cursor = result.next_cursor;
  }
  throw new Error('the listing did not end within 300 pages');
}

/** Scenarios per fake (`KEYSET_SCENARIOS=1000` for a longer search). */
const SCENARIOS = Number(globalThis.process?.env.KEYSET_SCENARIOS ?? 40);

for (const provider of ['github', 'gitlab'] as const) {
  describe(`keyset pagination under concurrent edits (${provider} fake)`, function () {
    this.timeout(60_000);

    it(`lists every issue, never one version twice, over ${SCENARIOS} random scenarios`, async () => {
      for (let seed = 1; seed <= SCENARIOS; seed++) {
        const perPage = 2 + (seed % 4);
        const c = await scenario(provider, seed * 7919);
        try {
          const listed = await listWithRestarts(c, perPage);
          const where = `seed ${seed * 7919}, ${perPage} a page`;
          const ids = listed.map((i) => Number(i.ref.id));
          expect(
            [...new Set(ids)].sort((a, b) => a - b),
            where,
          ).to.deep.equal(c.issues);
          const versions = listed.map((i) => `${i.ref.id}@${i.updated_at}`);
          expect(new Set(versions).size, where).to.equal(versions.length);
          for (const id of c.issues)
            if (!c.edited.has(id))
              expect(
                ids.filter((x) => x === id),
                `${where}: #${id}`,
              ).to.have.length(1);
        } finally {
          await c.close();
        }
      }
    });
  });
}

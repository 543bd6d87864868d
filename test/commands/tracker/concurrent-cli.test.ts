import {existsSync, promises as fs} from 'node:fs';
import {join} from 'node:path';

import {expect} from 'chai';

import {FakeGitHubServer} from '../../fakes/github/index.js';
import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {bindToFake, makeProject, run, type TestProject} from './helpers.js';
import {runCliProcess} from './cli-process.js';

// 8 processes of the real CLI, each running edits and comments on shared issues one after the
// other while three pulls at a time run beside them. `npm test` runs 6 operations per process;
// the full size (50) is
// `TRACKER_CONCURRENCY_OPS=50 MOCHA_SPEC=test/commands/tracker/concurrent-cli.test.ts npx mocha`.
const WORKERS = 8;
const OPS = Number(process.env.TRACKER_CONCURRENCY_OPS ?? 6);
const ISSUES = [1, 2, 3];
/** Pulls running at once beside the writers, until the writers are done (at most MAX_PULLS in all). */
const PULLERS = 3;
const MAX_PULLS = 10 * OPS;
const cli = (project: TestProject, token: string, args: string[]) =>
  runCliProcess(project, args, {GITHUB_TOKEN: token}, 120_000);

interface Acked {
  labels: Map<number, string[]>;
  comments: string[];
}

/** One writer: alternately adds a label of its own and comments, on the shared issues. */
async function writer(project: TestProject, token: string, worker: number, acked: Acked): Promise<void> {
  for (let i = 0; i < OPS; i++) {
    const n = ISSUES[(worker + i) % ISSUES.length]!;
    if (i % 2 === 0) {
      const label = `w${worker}-${i}`;
      const r = await cli(project, token, ['edit', `#${n}`, '--add-label', label, '--json']);
      expect(r.code, r.stderr).to.equal(0);
      expect((JSON.parse(r.stdout) as {changed: boolean}).changed).to.equal(true);
      acked.labels.set(n, [...(acked.labels.get(n) ?? []), label]);
    } else {
      const r = await cli(project, token, ['comment', `#${n}`, '--body', `c ${worker}/${i}`, '--json']);
      expect(r.code, r.stderr).to.equal(0);
      acked.comments.push((JSON.parse(r.stdout) as {comment_id: string}).comment_id);
    }
  }
}

describe(`concurrent CLI writers (${WORKERS} processes x ${OPS} edits and comments, with ${PULLERS} pulls at once)`, function () {
  this.timeout(30 * 60_000);
  let project: TestProject;
  let fake: FakeGitHubServer;

  beforeEach(async () => {
    if (!existsSync(join('dist', 'cli', 'tracker.cjs')))
      throw new Error('dist/cli/tracker.cjs is missing: run `npm run build` (npm test does)');
    project = makeProject();
    fake = await FakeGitHubServer.start();
    for (const n of ISSUES) fake.seedIssue({number: n, title: `Issue ${n}`, labels: ['remote']});
    process.env.GITHUB_TOKEN = fake.token;
    const bound = await bindToFake(fake, '--doctrine-mode', 'split_ownership');
    expect(bound.error, bound.stderr).to.equal(undefined);
    const pulled = await run(['tracker', 'sync', 'pull']);
    expect(pulled.error, pulled.stderr).to.equal(undefined);
  });
  afterEach(async () => {
    await fake.close();
    project.cleanup();
  });

  it('loses no acknowledged label or comment, duplicates nothing and tears no line', async () => {
    const acked: Acked = {labels: new Map(), comments: []};
    let writing = true;
    let pulls = 0;
    // Each pull first gives every issue a new remote version, later (by updated_at) than any
    // before it, so pulls write while the edits do, and the newest version is known.
    const versionTime = (version: number) => new Date(Date.parse('2030-01-01T00:00:00Z') + version * 1000);
    const puller = async () => {
      while (writing && pulls < MAX_PULLS) {
        const version = ++pulls;
        for (const n of ISSUES)
          fake.seedIssue({
            number: n,
            title: `Issue ${n}`,
            body: `remote v${version}`,
            labels: ['remote'],
            updated_at: versionTime(version),
          });
        const r = await cli(project, fake.token, ['sync', 'pull']);
        expect(r.code, r.stderr).to.equal(0);
      }
    };
    const pullers = Array.from({length: PULLERS}, () => puller());
    try {
      await Promise.all(Array.from({length: WORKERS}, (_, w) => writer(project, fake.token, w, acked)));
    } finally {
      writing = false;
      await Promise.all(pullers);
    }
    expect(pulls).to.be.greaterThan(0);

    // Every line of every segment parses (no torn or interleaved line); no event twice.
    const storage = openTrackerStorage({
      root: project.root,
      provider: 'github',
      serverUrl: fake.url,
      workspace: fake.workspace,
    });
    const eventsDir = join(storage.scopeDir, 'events');
    const ids: string[] = [];
    const commentIds: string[] = [];
    for (const name of await fs.readdir(eventsDir)) {
      expect(name).to.match(/^[0-9A-HJKMNP-TV-Z]{26}\.jsonl$/);
      const text = await fs.readFile(join(eventsDir, name), 'utf8');
      expect(text.endsWith('\n'), name).to.equal(true);
      for (const line of text.slice(0, -1).split('\n')) {
        const event = JSON.parse(line) as {event_id: string; kind: string};
        ids.push(event.event_id);
        if (event.kind === 'comment_added') commentIds.push(event.event_id);
      }
    }
    expect(new Set(ids).size, 'duplicate event ids').to.equal(ids.length);
    expect([...commentIds].sort(), 'comments').to.deep.equal([...acked.comments].sort());

    // Every acknowledged label is on its issue.
    const lost: string[] = [];
    for (const n of ISSUES) {
      const issue = (await storage.stores.listIssues()).find((i) => i.ref.id === String(n))!;
      for (const label of acked.labels.get(n) ?? [])
        if (!issue.labels.includes(label)) lost.push(`#${n} ${label}`);
      expect(issue.body).to.equal(`remote v${pulls}`);
    }
    expect(lost, 'acknowledged labels lost').to.deep.equal([]);
    expect(storage.warnings).to.deep.equal([]);
    const doctor = await cli(project, fake.token, ['doctor']);
    expect(doctor.code, doctor.stdout + doctor.stderr).to.equal(0);
    if (OPS >= 50)
      console.log(
        `    ${WORKERS} x ${OPS}: ${[...acked.labels.values()].flat().length} labels, ${acked.comments.length} comments, ${pulls} pulls, 0 lost`,
      );
  });
});

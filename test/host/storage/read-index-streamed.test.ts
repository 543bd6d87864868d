import {spawnSync} from 'node:child_process';
import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {expect} from 'chai';

import {canonicalJson, issueToJson, type TrackerEvent} from '../../../src/core/index.js';
import {
  foldTrackerLog,
  isLiveEntry,
  localViewOf,
  type IssueEntry,
} from '../../../src/core/log/tracker-state.js';
import {parseSegment} from '../../../src/host/storage/segment-file.js';
import {globalOf, IndexBuilder} from '../../../src/host/storage/read-index/index-builder.js';
import {BASE_NAME, SORTS} from '../../../src/host/storage/read-index/index-format.js';
import {listAll} from '../../../src/host/storage/read-index/index-queries.js';
import {SpillFile} from '../../../src/host/storage/read-index/spill-file.js';
import {foldStreamed} from '../../../src/host/storage/read-index/streamed-fold.js';
import {rebuildBase} from '../../../src/host/storage/read-index/index-update.js';
import {compareBy} from '../../../src/host/services/ticket-order.js';
import {tempRoot} from './helpers.js';
import {conflictRecorded, issueJson, prng, ulid, writeSegments} from './random-log-kit.js';

const WORKSPACE = 'acme/widgets';
const identityOf = (id: string) => `github:${WORKSPACE}:${id}`;

/**
 * A random log: pulls (some older than what is stored), edits with plain values and label or
 * assignee ops, settles, deletions, drafts and their creation, comments, conflicts, mappings;
 * timestamps in order or shuffled; spread over several segments, some events in two of them.
 */
function randomLog(seed: number, ordered: boolean): TrackerEvent[][] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const ids = Array.from({length: 3 + Math.floor(random() * 12)}, (_, i) => String(i + 1));
  const words = ['crash', 'login', 'webhook', 'Überweisung', 'fix', 'slow'];
  const labels = ['a', 'b', 'bug', 'ux'];
  const day = (n: number) => new Date(Date.parse('2026-03-01T00:00:00.000Z') + n * 3600_000).toISOString();
  const events: TrackerEvent[] = [];
  const comments: string[] = [];
  const conflicts: string[] = [];
  const drafts: string[] = [];
  const count = 20 + Math.floor(random() * 80);
  for (let n = 0; n < count; n += 1) {
    const at = day(ordered ? n : Math.floor(random() * count));
    const event_id = ulid(seed * 1000 + n);
    const id = pick(ids);
    const identity = identityOf(id);
    const issue = (issueId: string, system = 'github') => ({
      ref: {
        system,
        workspace: WORKSPACE,
        id: issueId,
        key: system === 'github' ? `#${issueId}` : null,
        url: null,
      },
      title: `${pick(words)} ${pick(words)} ${issueId}`,
      body: random() < 0.2 ? null : `${pick(words)} in ${pick(words)}`,
      status: pick(['todo', 'in_progress', 'done', 'blocked']),
      issue_type: pick(['bug', 'task', 'story']),
      priority: random() < 0.3 ? null : Math.floor(random() * 5),
      assignees: random() < 0.5 ? [] : [pick(['alice', 'bob'])],
      labels: labels.filter(() => random() < 0.4),
      parent: null,
      links: [],
      custom_fields: {},
      created_at: day(0),
      updated_at: random() < 0.1 ? null : day(Math.floor(random() * 50)),
    });
    const kind = pick([
      'issue_pulled',
      'issue_pulled',
      'issue_pulled',
      'issue_edited',
      'issue_edited',
      'edits_settled',
      'issue_deleted',
      'draft_created',
      'remote_created',
      'comment_added',
      'comment_sent',
      'conflict_recorded',
      'conflict_closed',
      'mapping_added',
      'mapping_removed',
    ] as const);
    switch (kind) {
      case 'issue_pulled':
        events.push({
          event_id,
          at,
          kind,
          issue: issue(id),
          ...(random() < 0.2 ? {settle: {status: 'done'}} : {}),
        });
        break;
      case 'issue_edited': {
        const field = pick(['labels', 'assignees'] as const);
        const op = {add: [pick(labels)], remove: random() < 0.5 ? [pick(labels)] : []};
        events.push(
          random() < 0.5
            ? {event_id, at, kind, identity, fields: {status: pick(['done', 'todo']), title: `edited ${n}`}}
            : {event_id, at, kind, identity, fields: {[field]: []}, ops: {[field]: op}},
        );
        break;
      }
      case 'edits_settled':
        events.push({event_id, at, kind, identity, fields: {status: pick(['done', 'todo'])}});
        break;
      case 'issue_deleted':
        events.push({event_id, at, kind, identity});
        break;
      case 'draft_created': {
        const draftId = `draft-${n}`;
        drafts.push(draftId);
        events.push({event_id, at, kind, issue: issue(draftId, 'local')});
        break;
      }
      case 'remote_created':
        if (drafts.length === 0) continue;
        events.push({
          event_id,
          at,
          kind,
          draft_identity: `local:${WORKSPACE}:${pick(drafts)}`,
          issue: issue(String(100 + n)),
        });
        break;
      case 'comment_added':
        comments.push(event_id);
        events.push({event_id, at, kind, identity, body: `comment ${n}`});
        break;
      case 'comment_sent':
        if (comments.length === 0) continue;
        events.push({event_id, at, kind, comment_id: pick(comments)});
        break;
      case 'conflict_recorded':
        conflicts.push(event_id);
        events.push(conflictRecorded(event_id, at, identity, random));
        break;
      case 'conflict_closed':
        if (conflicts.length === 0) continue;
        events.push({event_id, at, kind, identity, conflict_ids: [pick(conflicts)]});
        break;
      case 'mapping_added':
        events.push({
          event_id,
          at,
          kind,
          wp_id: pick(['WP01', 'WP02']),
          ref: {system: 'github', workspace: WORKSPACE, id, key: `#${id}`, url: null},
        });
        break;
      case 'mapping_removed':
        events.push({event_id, at, kind, wp_id: pick(['WP01', 'WP02']), system: 'github'});
        break;
    }
  }
  const segments: TrackerEvent[][] = [];
  for (let start = 0; start < events.length;) {
    const size = 1 + Math.floor(random() * 15);
    segments.push(events.slice(start, start + size));
    start += size;
  }
  // The same event in two segments (a branch merged, a compaction's copy): the first one read wins.
  for (let k = 0; k < 3 && segments.length > 1; k += 1) {
    const from = pick(segments);
    if (from.length > 0) pick(segments).push(pick(from));
  }
  return segments;
}

/** The reference: every segment parsed, folded whole by `foldTrackerLog`, built from that state. */
async function fullFold(eventsDir: string) {
  const all: TrackerEvent[] = [];
  for (const name of (await fs.readdir(eventsDir)).sort()) {
    all.push(...parseSegment(name, await fs.readFile(path.join(eventsDir, name), 'utf8'), name).events);
  }
  const state = foldTrackerLog(all);
  return {state, ids: new Set(all.map((event) => event.event_id))};
}

function describeEntry(entry: IssueEntry): string {
  return canonicalJson([
    entry.identity,
    entry.base && issueToJson(entry.base),
    entry.draft && issueToJson(entry.draft),
    [...entry.overrides].sort(),
    entry.editedAt,
    entry.deleted,
    entry.createdAs,
    entry.history,
  ] as never);
}

/** A base file as bytes, with its random id blanked. */
async function baseBytes(file: string, id: string): Promise<string> {
  return (await fs.readFile(file, 'latin1')).replace(id, 'x'.repeat(id.length));
}

describe('read index: the streamed first build folds exactly as the whole log folds', function () {
  this.timeout(120_000);
  let root: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => ({root, cleanup} = await tempRoot('tracker-streamed-')));
  afterEach(() => cleanup());

  for (const ordered of [true, false]) {
    it(`random logs (${ordered ? 'written in time order' : 'timestamps out of order'}), a handful of entries in memory`, async () => {
      for (let seed = 1; seed <= 40; seed += 1) {
        // 1 to 3 entries in memory: entries go to the spill file and come back.
        await expectStreamedAsWhole(
          root,
          `scope-${ordered}-${seed}`,
          randomLog(seed, ordered),
          1 + (seed % 3),
          `seed ${seed}`,
        );
      }
    });
  }

  it('an id repeated with other contents (damage) folds as the whole log does: the first one read wins', async () => {
    for (let seed = 1; seed <= 12; seed += 1) {
      const segments = randomLog(seed, seed % 2 === 0);
      const random = prng(seed + 500);
      // A copy of an issue event under the id of another event, in a later segment: its
      // fingerprint matches, and no entry it names holds that id, so the fold starts over exactly.
      const all = segments.flat();
      const victim = all[Math.floor(random() * all.length)]!;
      const donor = all.find((event) => event.kind === 'issue_pulled' && event.event_id !== victim.event_id);
      if (donor === undefined) continue;
      segments.push([{...donor, event_id: victim.event_id}]);
      await expectStreamedAsWhole(root, `damaged-${seed}`, segments, 2, `seed ${seed}`);
    }
  });

  it('out of order only inside a segment (its ends in order): the fold in listing order gives up part way', async () => {
    for (let seed = 1; seed <= 6; seed += 1) {
      const events = randomLog(seed, true).flat();
      // Keep the first and last events in place, and shuffle the middle ones' times.
      const random = prng(seed + 900);
      const middle = events
        .slice(1, -1)
        .map((event) => ({...event, at: events[1 + Math.floor(random() * (events.length - 2))]!.at}));
      await expectStreamedAsWhole(
        root,
        `inner-${seed}`,
        [[events[0]!, ...middle, events.at(-1)!]],
        2,
        `seed ${seed}`,
      );
    }
  });

  it('more segments than files it keeps open, read again out of order', async () => {
    const segments = randomLog(11, false);
    // One event a segment, 70 segments or more: the second pass reads lines across all of them.
    const spread = segments.flat().map((event) => [event]);
    while (spread.length < 70) spread.push([...spread[spread.length % 10]!]);
    await expectStreamedAsWhole(root, 'many', spread, 2, 'many segments');
  });

  it('a segment larger than the chunk it is read by (lines cross chunk boundaries)', async () => {
    const random = prng(99);
    const long = 'Überweisung crash '.repeat(60);
    const events: TrackerEvent[] = [];
    for (let n = 0; n < 1400; n += 1) {
      const id = String(1 + Math.floor(random() * 900));
      events.push({
        event_id: ulid(700_000 + n),
        at: new Date(
          Date.parse('2026-03-01T00:00:00.000Z') + (n % 3 === 0 ? n : 5000 - n) * 1000,
        ).toISOString(),
        kind: 'issue_pulled',
        issue: issueJson(
          {system: 'github', workspace: WORKSPACE, id, key: `#${id}`},
          {
            title: `big ${n}`,
            body: long + n,
            updated_at: new Date(Date.parse('2026-02-01T00:00:00.000Z') + n * 1000).toISOString(),
          },
        ),
      });
    }
    await expectStreamedAsWhole(root, 'big', [events.slice(0, 1300), events.slice(1300)], 8, 'big segment');
  });
});

/**
 * Writes `segments`, then checks that the streamed build (with `budget` entries in memory) gives
 * the global state and the very bytes of a base built from the whole log's fold, and answers as
 * the fold does.
 */
async function expectStreamedAsWhole(
  root: string,
  name: string,
  segments: TrackerEvent[][],
  budget: number,
  what: string,
): Promise<void> {
  const scopeDir = path.join(root, name);
  const eventsDir = path.join(scopeDir, 'events');
  const cacheDir = path.join(scopeDir, 'cache');
  await writeSegments(eventsDir, segments);
  await fs.mkdir(cacheDir, {recursive: true});
  const {state, ids} = await fullFold(eventsDir);

  // The reference base: the whole state handed to the builder.
  // The reference describes entries as they are added; the streamed build, from the records kept.
  const whole = new IndexBuilder(new SpillFile(cacheDir), {entries: state.issues.size});
  for (const entry of state.issues.values()) whole.add(entry);
  const global = globalOf(state, ids, []);
  const reference = path.join(cacheDir, 'reference');
  const referenceChunks: [Buffer, number][] = [];
  const refHeader = whole.write({global, listing: 'L'}, (bytes, at) =>
    referenceChunks.push([Buffer.from(bytes), at]),
  );
  await writeChunks(reference, referenceChunks);

  const spills: SpillFile[] = [];
  const streamed = foldStreamed({root, eventsDir, entryBudget: budget}, () => {
    spills.push(new SpillFile(cacheDir));
    return spills.at(-1)!;
  });
  expect(canonicalJson(streamed.global as never), `${what}: global`).to.equal(canonicalJson(global as never));
  const chunks: [Buffer, number][] = [];
  const header = streamed.builder.write({global: streamed.global, listing: 'L'}, (bytes, at) =>
    chunks.push([Buffer.from(bytes), at]),
  );
  for (const spill of spills) spill.dispose();
  const built = path.join(cacheDir, BASE_NAME);
  await writeChunks(built, chunks);
  expect(await baseBytes(built, header!.id), `${what}: base file`).to.equal(
    await baseBytes(reference, refHeader!.id),
  );
  await expectAnswersAsFold(root, scopeDir, state, what);
  await fs.rm(path.join(cacheDir, 'reference'));
}

describe('read index: a streamed build leaves no scratch files and keeps the parser strict', function () {
  this.timeout(60_000);
  let root: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => ({root, cleanup} = await tempRoot('tracker-streamed-files-')));
  afterEach(() => cleanup());

  const location = () => {
    const scopeDir = path.join(root, 'scope');
    return {root, scopeDir, cacheDir: path.join(scopeDir, 'cache'), eventsDir: path.join(scopeDir, 'events')};
  };

  it('removes its spill file once the base is written (in order and out of order)', async () => {
    for (const ordered of [true, false]) {
      const where = location();
      await fs.rm(where.scopeDir, {recursive: true, force: true});
      await writeSegments(where.eventsDir, randomLog(7, ordered));
      expect(await rebuildBase(where)).to.equal(true);
      // The freshness stamp is left out: written only once the events folder has settled.
      const files = (await fs.readdir(where.cacheDir)).filter((name) => name !== 'read-index.v1.fresh');
      expect(files.sort()).to.deep.equal(['.gitignore', BASE_NAME]);
    }
  });

  it("removes a killed build's scratch files at once; a live process's stay", async () => {
    const where = location();
    await writeSegments(where.eventsDir, randomLog(5, true));
    await fs.mkdir(where.cacheDir, {recursive: true});
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    const dead = `.read-index.spill.${gone}.0a1b2c3d.tmp`;
    const live = `.read-index.spill.${process.ppid}.0a1b2c3d.tmp`;
    for (const name of [dead, live]) await fs.writeFile(path.join(where.cacheDir, name), 'x');
    expect(await rebuildBase(where)).to.equal(true);
    const left = await fs.readdir(where.cacheDir);
    expect(left).to.include(live);
    expect(left).to.not.include(dead);
  });

  it('a bad line is an error naming file and line, as the fold reports it; nothing is left behind', async () => {
    const where = location();
    const [first, ...rest] = randomLog(3, true);
    await writeSegments(where.eventsDir, [first!, ...rest]);
    const name = (await fs.readdir(where.eventsDir)).sort()[0]!;
    const file = path.join(where.eventsDir, name);
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    lines.splice(1, 0, '{"kind": "issue_pulled", "not": "an event"}');
    await fs.writeFile(file, lines.join('\n'));
    let message = '';
    try {
      await rebuildBase(where);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.match(new RegExp(`${name}:2: invalid event`));
    expect(await fs.readdir(where.cacheDir)).to.deep.equal(['.gitignore']);
  });
});

async function writeChunks(file: string, chunks: [Buffer, number][]): Promise<void> {
  const size = Math.max(...chunks.map(([bytes, at]) => at + bytes.length));
  const out = Buffer.alloc(size);
  for (const [bytes, at] of chunks) bytes.copy(out, at);
  await fs.writeFile(file, out);
}

/** The streamed base, opened as reads open it, answers as the fold: every entry, every order. */
async function expectAnswersAsFold(
  root: string,
  scopeDir: string,
  state: ReturnType<typeof foldTrackerLog>,
  seed: number | string,
): Promise<void> {
  // The index opens from what the build wrote (its listing is not the folder's, so the
  // freshness check would rebuild: open the file directly instead).
  const {IndexFile} = await import('../../../src/host/storage/read-index/index-file.js');
  const {ReadIndexView} = await import('../../../src/host/storage/read-index/read-index.js');
  const file = IndexFile.open(path.join(scopeDir, 'cache', BASE_NAME))!;
  const view = new ReadIndexView(file, null, {update: 'none', listed: false});
  try {
    for (const entry of state.issues.values()) {
      expect(describeEntry(view.entry(entry.identity)!), `${seed}: ${entry.identity}`).to.equal(
        describeEntry(entry),
      );
    }
    expect(view.liveCount, `${seed}: live`).to.equal(state.liveEntries().length);
    const live = state.liveEntries().map((entry) => localViewOf(entry)!);
    for (const sort of SORTS) {
      const expected = [...live].sort(compareBy(sort)).map((issue) => issue.ref.id);
      const got = [...listAll(view, {filters: [], sort, reverse: false})].map((f) => f.issue.ref.id);
      expect(got, `${seed}: sort ${sort}`).to.deep.equal(expected);
    }
    expect(state.liveEntries().every(isLiveEntry)).to.equal(true);
  } finally {
    view.close();
  }
}

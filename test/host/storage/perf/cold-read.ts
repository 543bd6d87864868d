/**
 * Measures cold reads of a large cached scope against the SQLite baseline store, outside the
 * test suite (too slow for it):
 *
 *   npx tsx test/host/storage/perf/cold-read.ts [--n 100000] [--page 100] [--reps 5] [--keep DIR]
 *
 * "Cold" = a fresh store object in this process with the parsed-segment memo cleared (the OS
 * file cache is warm for both stores), as `npm run bench` measures it. Prints the first (cache
 * miss: fold + cache write) and the warm-cache medians for list-all and get-one.
 */
import {promises as fs} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {performance} from 'node:perf_hooks';
import {parseArgs} from 'node:util';

import {canonicalJson, issueToJson, refIdentity, type CanonicalIssue} from '../../../../src/core/index.js';
import {clearSegmentCache} from '../../../../src/host/storage/jsonl-event-log.js';
import {openTrackerStorage} from '../../../../src/host/storage/tracker-storage.js';
import {canonicalFromPayload, githubIssuePayload} from '../../../../bench/lib/github-issue-fixture.js';
import {SqliteIssueStore} from '../../../../bench/lib/sqlite-issue-store.js';

const REPO = 'acme/widgets';

async function time(reps: number, body: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < reps; i += 1) {
    const t0 = performance.now();
    await body();
    out.push(performance.now() - t0);
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) => `${median(xs).toFixed(2)} ms (runs ${xs.map((x) => x.toFixed(1)).join(', ')})`;

async function main(): Promise<void> {
  const {values} = parseArgs({
    options: {
      n: {type: 'string', default: '100000'},
      page: {type: 'string', default: '100'},
      reps: {type: 'string', default: '5'},
      keep: {type: 'string'},
    },
  });
  const n = Number(values.n);
  const page = Number(values.page);
  const reps = Number(values.reps);
  const work = values.keep ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'cold-read-')));
  const root = path.join(work, 'repo');
  const sqliteFile = path.join(work, 'baseline.sqlite');
  const scope = {root, provider: 'github', serverUrl: '', workspace: REPO};
  const exists = await fs
    .stat(sqliteFile)
    .then(() => true)
    .catch(() => false);
  if (!exists) {
    await fs.mkdir(root, {recursive: true});
    console.log(`generating ${n} issues in writes of ${page}`);
    const storage = openTrackerStorage(scope);
    const sqlite = new SqliteIssueStore(sqliteFile);
    for (let start = 1; start <= n; start += page) {
      const issues: CanonicalIssue[] = [];
      for (let k = start; k < Math.min(n + 1, start + page); k += 1) {
        issues.push(canonicalFromPayload(REPO, githubIssuePayload(REPO, k)));
      }
      const updates = issues.map((issue) => ({issue}));
      await storage.stores.recordRemote(updates);
      await sqlite.recordRemote(updates);
    }
    sqlite.close();
  }
  const key = refIdentity({system: 'github', workspace: REPO, id: String(Math.ceil(n / 2))});
  const cacheDir = path.join(openTrackerStorage(scope).scopeDir, 'cache');

  clearSegmentCache();
  let t0 = performance.now();
  const first = await openTrackerStorage(scope).stores.listIssues();
  console.log(
    `first list (no cache in memory${await hasCache(cacheDir)}): ${(performance.now() - t0).toFixed(1)} ms`,
  );
  clearSegmentCache();
  t0 = performance.now();
  await openTrackerStorage(scope).stores.getIssue(key);
  console.log(`second get: ${(performance.now() - t0).toFixed(1)} ms`);

  const sqlite = new SqliteIssueStore(sqliteFile);
  const baseList = await sqlite.listIssues();
  const baseOne = await sqlite.getIssue(key);
  sqlite.close();
  const ours = await openTrackerStorage(scope).stores.getIssue(key);
  if (first.length !== n || baseList.length !== n)
    throw new Error(`counts: ${first.length} vs ${baseList.length}`);
  if (canonicalJson(issueToJson(ours!)) !== canonicalJson(issueToJson(baseOne!))) throw new Error('disagree');

  const oursList = await time(reps, async () => {
    clearSegmentCache();
    await openTrackerStorage(scope).stores.listIssues();
  });
  const baseListMs = await time(reps, async () => {
    const store = new SqliteIssueStore(sqliteFile);
    await store.listIssues();
    store.close();
  });
  const oursGet = await time(reps * 4, async () => {
    clearSegmentCache();
    await openTrackerStorage(scope).stores.getIssue(key);
  });
  const baseGet = await time(reps * 4, async () => {
    const store = new SqliteIssueStore(sqliteFile);
    await store.getIssue(key);
    store.close();
  });
  const oursRead = await time(reps, async () => {
    clearSegmentCache();
    await openTrackerStorage(scope).log.read();
  });
  const segments = (await fs.readdir(path.join(openTrackerStorage(scope).scopeDir, 'events'))).length;
  console.log(`${n} issues in ${segments} segments`);
  console.log(
    `list-all  ours ${fmt(oursList)}\n          sqlite ${fmt(baseListMs)}\n          ratio ${(median(oursList) / median(baseListMs)).toFixed(3)}`,
  );
  console.log(
    `get-one   ours ${fmt(oursGet)}\n          sqlite ${fmt(baseGet)}\n          ratio ${(median(oursGet) / median(baseGet)).toFixed(3)}`,
  );
  console.log(`full read() ours ${fmt(oursRead)}`);
  // Another process syncs one changed issue: the next cold get folds only the new segment on
  // top of the cached state and rewrites the cache; the one after is a hit again.
  const changed = canonicalFromPayload(REPO, githubIssuePayload(REPO, 7, 2));
  await openTrackerStorage(scope).stores.recordRemote([{issue: changed}]);
  clearSegmentCache();
  t0 = performance.now();
  await openTrackerStorage(scope).stores.getIssue(key);
  console.log(
    `get after one new segment (incremental + cache rewrite): ${(performance.now() - t0).toFixed(1)} ms`,
  );
  clearSegmentCache();
  t0 = performance.now();
  await openTrackerStorage(scope).stores.getIssue(key);
  console.log(`get after that (hit): ${(performance.now() - t0).toFixed(2)} ms`);
  const uncached = await time(1, async () => {
    clearSegmentCache();
    await openTrackerStorage({...scope, readCache: false}).stores.getIssue(key);
  });
  console.log(`get without the read cache (fold): ${fmt(uncached)}`);
  if (!values.keep) await fs.rm(work, {recursive: true, force: true});
}

async function hasCache(dir: string): Promise<string> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names.length > 0 ? `; disk cache: ${names.join(', ')}` : '; no disk cache';
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * Issue 3 (durable host stores): bytes on disk per cached issue against the raw GitHub JSON, and
 * what a sync of k changed issues does to committed files. How fast reads are is measured as a
 * user meets it, the CLI as a child process, in the reads suite (issue 16).
 */
import {execFileSync} from 'node:child_process';
import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {
  createOwnershipPolicy,
  InMemoryConnector,
  ManualClock,
  SyncEngine,
  type CanonicalIssue,
} from '../../src/core/index.js';
import {canonicalFromPayload, githubIssuePayload} from '../lib/github-issue-fixture.js';
import {
  compareRow,
  scaledSize,
  valueRow,
  type BenchRow,
  type BenchSettings,
  type BenchSuite,
  type Target,
} from '../lib/harness.js';

const REPO = 'acme/widgets';
/** Issues per write: a pull stores each page of 100 in one atomic write, i.e. one segment file. */
const PAGE = 100;

const T = {
  bytes: {op: '<=', value: 0.35, on: 'ratio', text: '<= 35% of raw JSON'},
  linesPerIssue: {op: '<=', value: 2, on: 'ratio', text: 'O(k): <= 2 lines per changed issue'},
  modified: {op: '==', value: 0, on: 'ours', text: '0 modified lines'},
} satisfies Record<string, Target>;

async function loadStorage(): Promise<typeof import('../../src/host/storage/tracker-storage.js')> {
  return import('../../src/host/storage/tracker-storage.js');
}

async function dirBytes(dir: string, skip: (name: string) => boolean = () => false): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await fs.readdir(dir, {withFileTypes: true});
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (skip(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await dirBytes(full, skip);
    else if (entry.isFile()) total += (await fs.stat(full)).size;
  }
  return total;
}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'bench',
      GIT_AUTHOR_EMAIL: 'bench@example.invalid',
      GIT_COMMITTER_NAME: 'bench',
      GIT_COMMITTER_EMAIL: 'bench@example.invalid',
    },
  });
}

export const storeSuite: BenchSuite = {
  name: 'host stores',
  issue: 3,
  rows: [
    {id: 'store.bytes-per-issue', metric: 'Bytes on disk per cached issue', target: T.bytes},
    {id: 'store.sync-k10-lines', metric: 'Sync changing k=10 issues: lines added', target: T.linesPerIssue},
    {id: 'store.sync-k100-lines', metric: 'Sync changing k=100 issues: lines added', target: T.linesPerIssue},
    {
      id: 'store.sync-modified-lines',
      metric: 'Sync changing k issues: existing committed lines modified',
      target: T.modified,
    },
  ],

  async run(settings: BenchSettings): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    rows.push(await bytesPerIssue(settings));
    rows.push(...(await syncLines(settings)));
    return rows;
  },
};

async function bytesPerIssue(settings: BenchSettings): Promise<BenchRow> {
  const {openTrackerStorage} = await loadStorage();
  const {n, note} = scaledSize(settings, 100_000, 10_000);
  const root = path.join(settings.workDir, 'store-bytes');
  await fs.mkdir(root, {recursive: true});
  const scope = {root, provider: 'github', serverUrl: '', workspace: REPO};

  settings.log(`  generating ${n} GitHub issues and caching them (writes of ${PAGE})`);
  const storage = openTrackerStorage(scope);
  let rawBytes = 0;
  for (let start = 1; start <= n; start += PAGE) {
    const page: CanonicalIssue[] = [];
    for (let number = start; number < Math.min(n + 1, start + PAGE); number += 1) {
      const payload = githubIssuePayload(REPO, number);
      rawBytes += Buffer.byteLength(JSON.stringify(payload), 'utf8');
      page.push(canonicalFromPayload(REPO, payload));
    }
    await storage.stores.recordRemote(page.map((issue) => ({issue})));
  }
  const listed = await openTrackerStorage(scope).stores.listIssues();
  if (listed.length !== n) throw new Error(`the store lists ${listed.length} issues, expected ${n}`);

  const scopeDir = storage.scopeDir;
  const committed = await dirBytes(path.join(scopeDir, 'events'));
  const everything = await dirBytes(scopeDir, (name) => name.endsWith('.lock'));
  return compareRow({
    id: 'store.bytes-per-issue',
    issue: 3,
    metric: 'Bytes on disk per cached issue',
    ours: {value: committed / n, unit: 'B'},
    baseline: {value: rawBytes / n, unit: 'B', label: 'raw GitHub REST JSON of the same issue'},
    target: T.bytes,
    note: `${note} issues; committed segments only (${(everything / n).toFixed(0)} B/issue counting per-clone state too)`,
  });
}

async function syncLines(settings: BenchSettings): Promise<BenchRow[]> {
  const {openTrackerStorage} = await loadStorage();
  const {n, note} = scaledSize(settings, 10_000, 2_000);
  const rows: BenchRow[] = [];
  let modifiedTotal = 0;
  const details: string[] = [];
  for (const k of [10, 100]) {
    const root = path.join(settings.workDir, `sync-k${k}`);
    await fs.mkdir(root, {recursive: true});
    git(root, ['init', '-q', '-b', 'main']);
    const clock = new ManualClock(new Date('2026-01-01T00:00:00.000Z'));
    const connector = new InMemoryConnector({provider: 'github', workspace: REPO, clock});
    for (let i = 1; i <= n; i += 1) {
      const {ref: _ref, ...fields} = canonicalFromPayload(REPO, githubIssuePayload(REPO, i));
      connector.seed({...fields, id: String(i)});
      if (i % 500 === 0) clock.advance(1000);
    }
    const storage = openTrackerStorage({root, provider: 'github', serverUrl: '', workspace: REPO, clock});
    const engine = new SyncEngine({
      connector,
      issues: storage.stores,
      checkpoints: storage.checkpoints,
      policy: createOwnershipPolicy('external_authoritative'),
      clock,
      sleep: clock.sleep,
    });
    await engine.pull();
    // As the sync command does when it ends: what the run recorded becomes committed segments.
    await storage.log.endRun();
    git(root, ['add', '-A']);
    git(root, ['commit', '-q', '-m', 'cache']);

    clock.advance(3_600_000);
    for (let i = 1; i <= k; i += 1) {
      const id = String(Math.floor((i * n) / (k + 1)) || 1);
      connector.remoteEdit(id, {title: `Edited remotely ${i}`});
    }
    await engine.pull();
    await storage.log.endRun();
    git(root, ['add', '-A']);
    const numstat = git(root, ['diff', '--cached', '--numstat']).trim();
    let added = 0;
    let deleted = 0;
    let files = 0;
    for (const line of numstat.split('\n').filter(Boolean)) {
      const [a, d] = line.split('\t');
      added += Number(a);
      deleted += Number(d);
      files += 1;
    }
    // A sync that changed k issues and added nothing committed was not measured (its records
    // would still be in git-ignored open segments): no number rather than a wrong one.
    if (added === 0) throw new Error(`the sync of k=${k} changed issues added no committed line`);
    modifiedTotal += deleted;
    details.push(`k=${k}: +${added} -${deleted} in ${files} file(s)`);
    rows.push(
      valueRow({
        id: `store.sync-k${k}-lines`,
        issue: 3,
        metric: `Sync changing k=${k} issues: lines added`,
        ours: {value: added, unit: 'lines'},
        baseline: {value: k, unit: 'issues', label: 'k changed issues'},
        target: T.linesPerIssue,
        note: `${note} issues committed; real SyncEngine pull into a git repo; git diff --numstat`,
      }),
    );
  }
  rows.push(
    valueRow({
      id: 'store.sync-modified-lines',
      issue: 3,
      metric: 'Sync changing k issues: existing committed lines modified',
      ours: {value: modifiedTotal, unit: 'lines'},
      target: T.modified,
      note: details.join('; '),
    }),
  );
  return rows;
}

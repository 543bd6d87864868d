/**
 * Issue 18 (review): `tracker review --json` of a branch whose tracker cache added 10,000 events
 * (pulled issues, local edits, comments, mappings; 2,000 more events in the base it is compared
 * with) must take at most 1 s: the CLI as a child process, the default base (the merge base with
 * main), the branch committed.
 */
import {execFileSync} from 'node:child_process';
import {mkdirSync} from 'node:fs';
import * as path from 'node:path';

import {runCli, sandboxEnv} from '../../scripts/demo/cli.js';
import {createIssue, createRef} from '../../src/core/index.js';
import {endAllRuns} from '../../src/host/storage/open-segment.js';
import {openTrackerStorage} from '../../src/host/storage/tracker-storage.js';
import {
  measured,
  scaledSize,
  valueRow,
  type BenchRow,
  type BenchSettings,
  type BenchSuite,
  type Target,
} from '../lib/harness.js';

const BUDGET_MS = 1000;
const T = {
  time: {op: '<=', value: 1, on: 'ratio', text: '<= 1,000 ms (ratio <= 1 of the budget)'},
} satisfies Record<string, Target>;
const WORKSPACE = 'acme/widgets';

export const reviewSuite: BenchSuite = {
  name: 'review',
  issue: 18,
  rows: [
    {id: 'review.10k', metric: 'tracker review --json of a branch that added 10k events', target: T.time},
  ],

  async run(settings: BenchSettings): Promise<BenchRow[]> {
    const {n, note} = scaledSize(settings, 10_000, 10_000);
    const project = path.join(settings.workDir, 'review-project');
    mkdirSync(path.join(project, '.kittify'), {recursive: true});
    const env = sandboxEnv(path.join(settings.workDir, 'review-sandbox'));
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'commit.gpgsign=false', ...args], {cwd: project, env});
    git('init', '-q', '-b', 'main');
    settings.log(`  writing a base of 2,000 events, then a branch adding ${n}`);
    await writeEvents(project, 0, 2000, 0);
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    git('checkout', '-q', '-b', 'topic');
    await writeEvents(project, 2000, n, 2000);
    git('add', '-A');
    git('commit', '-q', '-m', 'topic');

    const ms: number[] = [];
    let added = 0;
    for (let i = 0; i < Math.max(settings.reps, 5) + 1; i += 1) {
      const result = await runCli(settings.root, ['tracker', 'review', '--json'], {cwd: project, env});
      if (result.code !== 0) throw new Error(`tracker review failed: ${result.stderr.slice(0, 400)}`);
      added = (JSON.parse(result.stdout) as {events_added: number}).events_added;
      if (i > 0) ms.push(result.ms); // the first run warms the page cache
    }
    if (added !== n) throw new Error(`review reported ${added} added events, expected ${n}`);
    return [
      valueRow({
        id: 'review.10k',
        issue: 18,
        metric: 'tracker review --json of a branch that added 10k events',
        ours: measured(ms, 'ms'),
        baseline: {value: BUDGET_MS, unit: 'ms', label: 'budget'},
        target: T.time,
        note: `${note} events added (90% pulled issues, edits, comments, mappings) on 2,000 in the base; node bin/run.js as a child process, default base (merge base with main), after one warm-up`,
      }),
    ];
  },
};

/** `count` events: pulled issues in batches of 1,000, then edits, comments and mappings. */
async function writeEvents(root: string, first: number, count: number, editFrom: number): Promise<void> {
  const storage = openTrackerStorage({root, provider: 'github', serverUrl: '', workspace: WORKSPACE});
  const ref = (i: number) =>
    createRef({system: 'github', workspace: WORKSPACE, id: String(i + 1), key: `#${i + 1}`, url: null});
  const pulls = Math.round(count * 0.9);
  for (let start = 0; start < pulls; start += 1000) {
    const batch = Array.from({length: Math.min(1000, pulls - start)}, (_, k) => {
      const i = first + start + k;
      return {
        issue: createIssue({
          ref: ref(i),
          title: `Issue ${i + 1}`,
          labels: ['bench'],
          updated_at: '2026-02-01T00:00:00Z',
        }),
      };
    });
    await storage.stores.recordRemote(batch);
  }
  const rest = count - pulls;
  for (let k = 0; k < rest; k += 1) {
    const i = editFrom + (k % Math.max(1, pulls));
    if (k % 3 === 0) await storage.stores.recordLocalEdit(ref(i), {title: `Edited ${i + 1}`});
    else if (k % 3 === 1) await storage.stores.addPendingComment(ref(i), `Comment ${k}`);
    else await storage.stores.addMapping(`001-bench/WP${String(k).padStart(4, '0')}`, ref(i));
  }
  await endAllRuns();
}

/**
 * Issue 5 (commands): how fast the CLI starts (`tracker status --json` on a bound, empty project
 * against `node -e 0`), and what a sync pull that finds nothing new costs with a full cache:
 * requests made, bytes written under `.kittify/`, time against the CLI start.
 */
import * as path from 'node:path';

import {runProcess} from '../../scripts/demo/cli.js';
import {assertOk, bytesWritten, fileSnapshot, githubSandbox, pulledProject} from '../lib/github-sandbox.js';
import {
  completeRows,
  compareRow,
  errorMessage,
  measured,
  median,
  scaledSize,
  valueRow,
  type BenchRow,
  type BenchSettings,
  type BenchSuite,
  type Target,
} from '../lib/harness.js';

const T = {
  start: {op: '<=', value: 3, on: 'ratio', text: '<= 3x node -e 0'},
  noopTime: {op: '<=', value: 1.5, on: 'ratio', text: '<= 1.5x CLI start'},
  noopRequests: {op: '==', value: 1, on: 'ours', text: '1 listing request'},
  noopBytes: {op: '==', value: 0, on: 'ours', text: '0 bytes written'},
} satisfies Record<string, Target>;

export const cliSuite: BenchSuite = {
  name: 'commands',
  issue: 5,
  rows: [
    {id: 'cli.start', metric: 'CLI start: tracker status --json, bound empty project', target: T.start},
    {id: 'cli.noop-pull-time', metric: 'No-op sync pull with a full cache: time', target: T.noopTime},
    {id: 'cli.noop-pull-requests', metric: 'No-op sync pull: requests made', target: T.noopRequests},
    {
      id: 'cli.noop-pull-bytes',
      metric: 'No-op sync pull: bytes written under .kittify/',
      target: T.noopBytes,
    },
  ],

  async run(settings: BenchSettings): Promise<BenchRow[]> {
    const {n, note} = scaledSize(settings, 50_000, 5_000);
    const sandbox = await githubSandbox(settings, n);
    const reps = Math.max(settings.reps, 5);

    settings.log(`  CLI start: ${reps} runs of each (after one warm-up)`);
    const empty = await sandbox.newProject('start');
    const status = () => sandbox.cli(empty, ['tracker', 'status', '--json']);
    const nodeNoop = () => runProcess(process.execPath, ['-e', '0'], {cwd: empty, env: sandbox.env});
    assertOk(await status(), 'tracker status --json');
    await nodeNoop();
    const statusMs: number[] = [];
    const nodeMs: number[] = [];
    // Interleaved, so a burst of load on the machine hits both sides alike.
    for (let i = 0; i < reps; i += 1) {
      const s = await status();
      assertOk(s, 'tracker status --json');
      statusMs.push(s.ms);
      nodeMs.push((await nodeNoop()).ms);
    }

    const start = measured(statusMs, 'ms');
    const startRow = compareRow({
      id: 'cli.start',
      issue: 5,
      metric: 'CLI start: tracker status --json, bound empty project',
      ours: start,
      baseline: {...measured(nodeMs, 'ms'), label: 'node -e 0'},
      target: T.start,
      note: `node bin/run.js as a child process, ${reps} interleaved runs`,
    });

    settings.log(`  no-op sync pull with ${n} cached issues`);
    let project: string;
    try {
      project = await pulledProject(settings, n);
    } catch (error) {
      // Only the no-op rows need the full cache; the start row stands on its own.
      return completeRows(this, [startRow], `no full cache to run on: ${errorMessage(error)}`);
    }
    const kittify = path.join(project, '.kittify');
    const noopMs: number[] = [];
    const requests: number[] = [];
    const bytes: number[] = [];
    // Timed runs first, back to back: hashing every file under .kittify/ (the bytes check below)
    // leaves this process collecting garbage on both cores while the next pull would run.
    for (let i = 0; i < reps; i += 1) {
      const first = sandbox.fake.requests.length;
      const result = await sandbox.cli(project, ['tracker', 'sync', 'pull', '--json']);
      assertOk(result, 'tracker sync pull (no-op)');
      noopMs.push(result.ms);
      requests.push(sandbox.fake.requests.length - first);
    }
    for (let i = 0; i < reps; i += 1) {
      const before = await fileSnapshot(kittify);
      const first = sandbox.fake.requests.length;
      assertOk(
        await sandbox.cli(project, ['tracker', 'sync', 'pull', '--json']),
        'tracker sync pull (no-op)',
      );
      requests.push(sandbox.fake.requests.length - first);
      bytes.push(bytesWritten(before, await fileSnapshot(kittify)));
    }

    return [
      startRow,
      compareRow({
        id: 'cli.noop-pull-time',
        issue: 5,
        metric: 'No-op sync pull with a full cache: time',
        ours: measured(noopMs, 'ms'),
        baseline: {...start, label: 'CLI start (row above)'},
        target: T.noopTime,
        note: `${note} cached issues; nothing changed on the fake GitHub since the last pull`,
      }),
      valueRow({
        id: 'cli.noop-pull-requests',
        issue: 5,
        metric: 'No-op sync pull: requests made',
        ours: {value: Math.max(...requests), unit: 'requests', samples: requests},
        target: T.noopRequests,
        note: `highest of ${requests.length} runs (all: ${requests.join(', ')}); counted by the fake server`,
      }),
      valueRow({
        id: 'cli.noop-pull-bytes',
        issue: 5,
        metric: 'No-op sync pull: bytes written under .kittify/',
        ours: {value: Math.max(...bytes), unit: 'B', samples: bytes},
        target: T.noopBytes,
        note: `highest of ${reps} runs; every file under .kittify/ hashed before and after (median ${median(bytes)})`,
      }),
    ];
  },
};

/**
 * Issue 9 (work packages): reading a project of 400 missions and 2,000 work packages (lanes from
 * event logs with noise, status.json and legacy frontmatter; every frontmatter form) must take
 * well under a second of CPU. Measured in this process with `process.cpuUsage()`.
 */
import * as path from 'node:path';
import {performance} from 'node:perf_hooks';

import {largeProjectSpec, writeSpecKittyProject} from '../../test/fakes/spec-kitty-project.js';
import {allWorkPackages} from '../../src/host/workpackages/work-package-model.js';
import {readMissionsSync} from '../../src/host/workpackages/mission-reader.js';
import {
  measured,
  median,
  scaledSize,
  valueRow,
  type BenchRow,
  type BenchSettings,
  type BenchSuite,
  type Target,
} from '../lib/harness.js';

const BUDGET_MS = 1000;
const T = {
  cpu: {op: '<=', value: 1, on: 'ratio', text: 'well under 1,000 ms CPU (ratio <= 1 of the budget)'},
} satisfies Record<string, Target>;

export const workPackagesSuite: BenchSuite = {
  name: 'work packages',
  issue: 9,
  rows: [{id: 'wp.read-cpu', metric: 'Read every mission and work package: CPU time', target: T.cpu}],

  async run(settings: BenchSettings): Promise<BenchRow[]> {
    // Writing the project is cheap, so quick mode keeps the issue's size.
    const {n: missions, note} = scaledSize(settings, 400, 400);
    const root = path.join(settings.workDir, 'project');
    settings.log(`  writing ${missions} missions x 5 work packages with the spec-kitty project generator`);
    writeSpecKittyProject(root, largeProjectSpec({missions, workPackagesPerMission: 5}));

    const cpuMs: number[] = [];
    const wallMs: number[] = [];
    let count = 0;
    for (let i = 0; i < Math.max(settings.reps, 5); i += 1) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      const project = readMissionsSync(root);
      wallMs.push(performance.now() - start);
      const used = process.cpuUsage(cpu);
      cpuMs.push((used.user + used.system) / 1000);
      count = allWorkPackages(project).length;
    }
    if (count !== missions * 5)
      throw new Error(`the reader returned ${count} work packages, expected ${missions * 5}`);
    return [
      valueRow({
        id: 'wp.read-cpu',
        issue: 9,
        metric: 'Read every mission and work package: CPU time',
        ours: measured(cpuMs, 'ms CPU'),
        baseline: {value: BUDGET_MS, unit: 'ms CPU', label: 'budget'},
        target: T.cpu,
        note: `${note} missions, ${count} work packages; readMissionsSync in-process, user+system CPU, first run ${cpuMs[0].toFixed(0)} ms; median wall ${median(wallMs).toFixed(0)} ms`,
      }),
    ];
  },
};

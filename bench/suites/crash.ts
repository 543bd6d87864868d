/**
 * Reliability: crash trials of the CLI (SIGKILL at random moments of sync pull, sync push with
 * edits, comments and --create-missing, edit, comment and compact), reported beside the
 * benchmarks. Not a speed figure: the target is zero failed trials.
 */
import {runCliCrashTrials} from '../../test/crash/cli-crash-trials.js';
import {
  scaledSize,
  valueRow,
  type BenchRow,
  type BenchSettings,
  type BenchSuite,
  type Target,
} from '../lib/harness.js';

const T = {
  failures: {op: '==', value: 0, on: 'ours', text: '0 failed trials'},
  converged: {op: '==', value: 0, on: 'ours', text: '0 problems after the final push and pull'},
} satisfies Record<string, Target>;

export const crashSuite: BenchSuite = {
  name: 'crash',
  issue: 15,
  rows: [
    {id: 'crash.cli-trials', metric: 'CLI crash trials: failed trials', target: T.failures},
    {
      id: 'crash.cli-converge',
      metric: 'CLI crash trials: problems after a final uninterrupted sync',
      target: T.converged,
    },
  ],

  async run(settings: BenchSettings): Promise<BenchRow[]> {
    const {n: trials, note} = scaledSize(settings, 200, 20);
    settings.log(`  ${trials} CLI crash trials against the fake GitHub`);
    const report = await runCliCrashTrials({trials, seed: 1, log: (line) => settings.log(`  ${line}`)});
    const killed = report.trials.filter((t) => !t.completed).length;
    const perOperation = new Map<string, number>();
    for (const t of report.trials) perOperation.set(t.operation, (perOperation.get(t.operation) ?? 0) + 1);
    const mix = [...perOperation].map(([op, n]) => `${op} ${n}`).join(', ');
    return [
      valueRow({
        id: 'crash.cli-trials',
        issue: 15,
        metric: 'CLI crash trials: failed trials',
        ours: {value: report.failures, unit: `of ${trials} trials`, samples: [report.failures]},
        target: T.failures,
        note: `${note} trials (${mix}); ${killed} killed mid-command; ${report.acknowledged} acknowledged changes re-checked after every trial; ${report.seconds.toFixed(0)} s`,
      }),
      valueRow({
        id: 'crash.cli-converge',
        issue: 15,
        metric: 'CLI crash trials: problems after a final uninterrupted sync',
        ours: {value: report.finalProblems.length, unit: 'problems', samples: [report.finalProblems.length]},
        target: T.converged,
        note:
          report.finalProblems.length === 0
            ? 'every locally recorded comment on the tracker exactly once; one issue per work package; a second push writes nothing'
            : report.finalProblems.join('; '),
      }),
    ];
  },
};

/**
 * Crash trials.
 *
 *   npx tsx scripts/crash-trials.ts [trials=200] [--seed N]   the CLI, killed mid-command (npm run crash-trials)
 *   npx tsx scripts/crash-trials.ts --store [trials=100]      the storage layer alone, killed mid-write
 *
 * The CLI trials SIGKILL `tracker sync pull`, `sync push` (edits, comments, --create-missing),
 * `edit`, `comment` and `compact` at random moments against the loopback fake GitHub, check after
 * each that every command works, every segment parses, no acknowledged change is lost, nothing is
 * recorded or sent twice and no checkpoint is ahead of the data, and end with an uninterrupted
 * push and pull that must converge. Exits 1 on any failure.
 */
import {runCliCrashTrials} from '../test/crash/cli-crash-trials.js';
import {runCrashTrial} from '../test/host/storage/crash-trial.js';

const args = process.argv.slice(2);
const store = args.includes('--store');
const seedAt = args.indexOf('--seed');
const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : 1;
const count = args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--seed');
const started = Date.now();

if (store) {
  const trials = Number(count ?? 100);
  let failures = 0;
  let acked = 0;
  for (let trial = 1; trial <= trials; trial++) {
    const result = await runCrashTrial({maxKillMs: 400, writeAfter: trial % 10 === 0});
    acked += result.acked;
    if (result.problems.length > 0) {
      failures += 1;
      console.error(
        `trial ${trial} (killed after ${result.killedAfterMs} ms): ${result.problems.join('; ')}`,
      );
    }
    if (trial % 10 === 0)
      console.log(
        `${trial}/${trials} trials, ${failures} failed, ${acked} acknowledged transactions checked`,
      );
  }
  console.log(
    `${trials} trials in ${((Date.now() - started) / 1000).toFixed(1)} s: ${failures} failed, ${acked} acknowledged transactions checked`,
  );
  process.exit(failures === 0 ? 0 : 1);
}

const trials = Number(count ?? 200);
const report = await runCliCrashTrials({trials, seed, log: (line) => console.log(line)});
const byOperation = new Map<string, {trials: number; killed: number; failed: number}>();
for (const outcome of report.trials) {
  const row = byOperation.get(outcome.operation) ?? {trials: 0, killed: 0, failed: 0};
  row.trials += 1;
  if (!outcome.completed) row.killed += 1;
  if (outcome.problems.length > 0) row.failed += 1;
  byOperation.set(outcome.operation, row);
}
console.log('\noperation  trials  killed mid-run  failed');
for (const [operation, row] of [...byOperation].sort()) {
  console.log(
    `${operation.padEnd(10)} ${String(row.trials).padStart(6)}  ${String(row.killed).padStart(14)}  ${String(row.failed).padStart(6)}`,
  );
}
console.log(
  `\n${report.trials.length} CLI crash trials in ${report.seconds.toFixed(0)} s (seed ${seed}): ${report.failures} failed; ` +
    `${report.acknowledged} acknowledged changes checked after every trial; final convergence: ` +
    (report.finalProblems.length === 0 ? 'ok' : report.finalProblems.join('; ')),
);
process.exit(report.failures === 0 && report.finalProblems.length === 0 ? 0 : 1);

/**
 * Crash trials of `sync push` as the CLI runs it: `npx tsx scripts/push-crash-trials.ts [trials=20]`
 * (build first: `npm run build`). Each trial SIGKILLs `sync push --create-missing` at a random
 * moment while work-package creates, comments and edits are pending, runs it again to the end,
 * and compares with an uninterrupted run: records lost, remote duplicates, leftovers. Exits 1 on
 * any difference.
 */
import {runPushCrashTrial} from '../test/support/push-crash-trial.js';

const trials = Number(process.argv[2] ?? 20);
const reference = await runPushCrashTrial();
console.log(`uninterrupted push: ${reference.pushMs} ms`);
let failed = 0;
let killed = 0;
for (let trial = 1; trial <= trials; trial++) {
  const after = Math.floor(Math.random() * reference.pushMs * 1.1);
  const outcome = await runPushCrashTrial(after);
  if (outcome.killed) killed += 1;
  const problems = [
    ...outcome.duplicates,
    ...outcome.leftovers,
    ...(outcome.fingerprint === reference.fingerprint
      ? []
      : ['final state differs from the uninterrupted run']),
  ];
  if (problems.length > 0) {
    failed += 1;
    console.error(`trial ${trial} (killed after ${after} ms): ${problems.join('; ')}`);
    if (outcome.fingerprint !== reference.fingerprint)
      console.error(`  got      ${outcome.fingerprint}\n  expected ${reference.fingerprint}`);
  }
  if (trial % 5 === 0) console.log(`${trial}/${trials} trials, ${killed} killed mid-push, ${failed} failed`);
}
console.log(`${trials} trials: ${killed} killed mid-push, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

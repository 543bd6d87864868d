/**
 * Crash trials for the durable tracker stores: `npx tsx scripts/crash-trials.ts [trials=100]`.
 * Each trial SIGKILLs a writer at a random moment; the store must reopen with every
 * acknowledged event and a checkpoint never ahead of its data. Exits 1 on any failure.
 */
import {runCrashTrial} from '../test/host/storage/crash-trial.js';

const trials = Number(process.argv[2] ?? 100);
let failures = 0;
let acked = 0;
const started = Date.now();
for (let trial = 1; trial <= trials; trial++) {
  const result = await runCrashTrial({maxKillMs: 400, writeAfter: trial % 10 === 0});
  acked += result.acked;
  if (result.problems.length > 0) {
    failures += 1;
    console.error(`trial ${trial} (killed after ${result.killedAfterMs} ms): ${result.problems.join('; ')}`);
  }
  if (trial % 10 === 0)
    console.log(`${trial}/${trials} trials, ${failures} failed, ${acked} acknowledged transactions checked`);
}
console.log(
  `${trials} trials in ${((Date.now() - started) / 1000).toFixed(1)} s: ${failures} failed, ${acked} acknowledged transactions checked`,
);
process.exit(failures === 0 ? 0 : 1);

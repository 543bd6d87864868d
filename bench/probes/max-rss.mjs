// Preloaded with `node --import` into a benchmarked child process: on exit, writes the process's
// peak resident set size (bytes) to $BENCH_RSS_FILE. Measures the real CLI without changing it.
import {writeFileSync} from 'node:fs';

const target = process.env.BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => {
    writeFileSync(target, String(process.resourceUsage().maxRSS * 1024));
  });
}

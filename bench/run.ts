/**
 * `npm run bench [-- --quick] [--scale F] [--reps N] [--only a,b] [--keep] [--write]`
 *
 * Runs every benchmark the issues name, each against a baseline measured in the same run; a full
 * run (or `--write`) writes docs/BENCHMARKS.md and docs/benchmarks.json (bench/lib/write-policy.ts). A benchmark whose piece of the product is
 * not there yet is reported as "not run: <reason>"; no number is ever made up.
 */
import {promises as fs} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';

import {
  completeRows,
  errorMessage,
  suiteNotRun,
  type BenchRow,
  type BenchSettings,
  type BenchSuite,
} from './lib/harness.js';
import {closeSandbox} from './lib/github-sandbox.js';
import {machineInfo, renderMarkdown, writeReport, type RunReport} from './lib/report.js';
import {writesReport} from './lib/write-policy.js';
import {ensureBuild} from '../scripts/demo/ensure-build.js';
import {cliSuite} from './suites/cli.js';
import {crashSuite} from './suites/crash.js';
import {graphSuite} from './suites/graph.js';
import {pullSuite} from './suites/pull.js';
import {reviewSuite} from './suites/review.js';
import {pushSuite} from './suites/push.js';
import {readsSuite} from './suites/reads.js';
import {storeSuite} from './suites/store.js';
import {workPackagesSuite} from './suites/workpackages.js';

/** Run order: the pull suite leaves a full cache behind that the command suite reuses. */
const SUITES: readonly BenchSuite[] = [
  storeSuite,
  pullSuite,
  cliSuite,
  readsSuite,
  pushSuite,
  workPackagesSuite,
  reviewSuite,
  graphSuite,
  crashSuite,
];
/** Suites that run the built CLI (`bin/run.js` loads `dist/`). */
const NEEDS_BUILD = new Set(['pull', 'cli', 'reads', 'push', 'review', 'crash']);

const USAGE = `usage: npm run bench -- [--quick] [--scale F] [--reps N] [--only store,cli,pull,reads,push,workpackages,review,graph,crash] [--keep] [--write]
  --quick     sizes scaled down (e.g. 10k cached issues instead of 100k); completes in about a minute
  --scale F   multiply every size by F (e.g. 0.5, 2)
  --reps N    repetitions per measurement (median reported); default 3 quick, 5 full
  --only      run only these suites (the others are listed as not run)
  --keep      keep the scratch folder (its path is printed)
  --write     rewrite docs/BENCHMARKS.md and docs/benchmarks.json even after a quick or partial run
              (a full run always rewrites them; --quick, --only and --scale runs only print)
  --from-json rewrite docs/BENCHMARKS.md from docs/benchmarks.json (no measuring)`;

async function main(): Promise<number> {
  const {values} = parseArgs({
    options: {
      quick: {type: 'boolean', default: false},
      scale: {type: 'string'},
      reps: {type: 'string'},
      only: {type: 'string'},
      keep: {type: 'boolean', default: false},
      write: {type: 'boolean', default: false},
      'from-json': {type: 'boolean', default: false},
      help: {type: 'boolean', short: 'h', default: false},
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  if (values['from-json']) {
    const report = JSON.parse(
      await fs.readFile(path.join(root, 'docs', 'benchmarks.json'), 'utf8'),
    ) as RunReport;
    await fs.writeFile(path.join(root, 'docs', 'BENCHMARKS.md'), renderMarkdown(report));
    console.log('rewrote docs/BENCHMARKS.md from docs/benchmarks.json');
    return 0;
  }
  const scale = values.scale === undefined ? 1 : Number(values.scale);
  const reps = values.reps === undefined ? (values.quick ? 3 : 5) : Number(values.reps);
  if (!(scale > 0) || !Number.isInteger(reps) || reps < 1) {
    console.error(`bench: --scale must be > 0 and --reps a positive integer\n${USAGE}`);
    return 2;
  }
  const names = new Map(SUITES.map((suite) => [shortName(suite), suite]));
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of only ?? []) {
    if (!names.has(name)) {
      console.error(`bench: unknown suite '${name}'; expected one of ${[...names.keys()].join(', ')}`);
      return 2;
    }
  }

  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'spec-kitty-bench-'));
  const started = Date.now();
  const settings: BenchSettings = {
    quick: values.quick ?? false,
    scale,
    reps,
    root,
    workDir,
    log: (line) => console.log(line),
  };
  const machine = machineInfo();
  console.log(
    `spec-kitty tracker benchmarks: ${settings.quick ? 'quick' : 'full'} mode, scale ${scale}, ${reps} reps; ` +
      `${machine.cores} cores, ${machine.memory_gb} GB, Node ${machine.node}`,
  );

  const rows: BenchRow[] = [];
  let crashed = false;
  let buildProblem: string | null = null;
  if (
    SUITES.some((suite) => NEEDS_BUILD.has(shortName(suite)) && (!only || only.includes(shortName(suite))))
  ) {
    try {
      await ensureBuild(root, (line) => console.log(line));
    } catch (error) {
      buildProblem = `the CLI does not build (${errorMessage(error)})`;
      console.error(buildProblem);
    }
  }
  try {
    for (const suite of SUITES) {
      if (only && !only.includes(shortName(suite))) {
        rows.push(...suiteNotRun(suite, `suite not selected (--only ${only.join(',')})`));
        continue;
      }
      if (buildProblem && NEEDS_BUILD.has(shortName(suite))) {
        crashed = true;
        rows.push(...suiteNotRun(suite, buildProblem));
        continue;
      }
      const t0 = Date.now();
      console.log(`\n[${shortName(suite)}] issue #${suite.issue}: ${suite.name}`);
      try {
        const suiteDir = path.join(workDir, shortName(suite));
        await fs.mkdir(suiteDir, {recursive: true});
        const got = await suite.run({...settings, workDir: suiteDir});
        rows.push(...completeRows(suite, got, 'the suite did not produce this row'));
      } catch (error) {
        crashed = true;
        console.error(`  FAILED: ${errorMessage(error)}`);
        if (process.env.DEBUG) console.error(error);
        rows.push(...suiteNotRun(suite, `benchmark failed: ${errorMessage(error)}`));
      }
      for (const row of rows.filter((r) => suite.rows.some((p) => p.id === r.id))) {
        console.log(
          `  ${row.id}: ${row.notRun ? `not run (${row.notRun})` : `${row.ours?.value.toFixed(2)} ${row.ours?.unit}, ratio ${row.ratio?.toFixed(3) ?? '—'}, met: ${row.met}`}`,
        );
      }
      console.log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
  } finally {
    await closeSandbox();
    if (values.keep) console.log(`\nscratch kept in ${workDir}`);
    else await fs.rm(workDir, {recursive: true, force: true});
  }

  const duration = (Date.now() - started) / 1000;
  const report: RunReport = {
    generated_at: new Date().toISOString(),
    mode: settings.quick ? 'quick' : 'full',
    scale,
    reps,
    duration_s: duration,
    machine,
    // The table reads in issue order; suites run in dependency order.
    rows: [...rows].sort((a, b) => a.issue - b.issue),
  };
  const met = rows.filter((r) => r.met === true).length;
  const missed = rows.filter((r) => r.met === false).length;
  const notRun = rows.filter((r) => r.notRun !== undefined).length;
  console.log(
    `\n${met} met, ${missed} not met, ${notRun} not run, of ${rows.length} targets; ${duration.toFixed(1)} s`,
  );
  if (writesReport(values)) {
    const written = await writeReport(settings, report);
    console.log(`wrote ${path.relative(root, written.markdown)} and ${path.relative(root, written.json)}`);
  } else {
    console.log('docs/BENCHMARKS.md left as it is (not a full run; add --write to rewrite it)');
  }
  // Targets not met are results, not failures; a benchmark that crashed is a failure.
  return crashed ? 1 : 0;
}

function shortName(suite: BenchSuite): string {
  return (
    {'host stores': 'store', commands: 'cli', connectors: 'pull', 'work packages': 'workpackages'}[
      suite.name
    ] ?? suite.name
  );
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`bench: ${errorMessage(error)}`);
    if (process.env.DEBUG) console.error(error);
    process.exitCode = 1;
  },
);

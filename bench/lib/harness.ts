/**
 * The shared vocabulary of the benchmark harness: what one result row holds, how a measurement
 * is repeated (N runs, median), and the settings every suite receives.
 *
 * Every row compares "ours" with a baseline measured in the same run on the same machine, so the
 * ratio, not the absolute number, is what carries across machines.
 */
import {performance} from 'node:perf_hooks';

/** How a target compares the measured ratio (or value) with its threshold. */
export type TargetOp = '<=' | '>=' | '==';

export interface Target {
  readonly op: TargetOp;
  readonly value: number;
  /** What the threshold is compared with: the ratio ours/baseline, or ours alone. */
  readonly on: 'ratio' | 'ours';
  /** As written in the issue, e.g. "<= 1.0x SQLite". */
  readonly text: string;
}

export interface Measured {
  readonly value: number;
  readonly unit: string;
  /** Every repetition, for the JSON file (the table shows the median). */
  readonly samples?: readonly number[];
}

export interface BenchRow {
  /** Stable id, e.g. `store.cold-list`. */
  readonly id: string;
  /** The issue the target comes from. */
  readonly issue: number;
  readonly metric: string;
  readonly ours: Measured | null;
  readonly baseline: (Measured & {readonly label: string}) | null;
  readonly ratio: number | null;
  readonly target: Target;
  /** null when not run. */
  readonly met: boolean | null;
  /** Why the row has no numbers (a piece not implemented yet, a failure). */
  readonly notRun?: string;
  /** Size and method notes (e.g. "10k issues (quick; the issue asks 100k)"). */
  readonly note?: string;
}

export interface BenchSettings {
  readonly quick: boolean;
  /** Multiplies every size (after quick scaling). */
  readonly scale: number;
  readonly reps: number;
  /** Repository root. */
  readonly root: string;
  /** Scratch folder for this run (removed at the end unless kept). */
  readonly workDir: string;
  readonly log: (line: string) => void;
}

/** A size from the issue, scaled for quick mode and by `--scale`, with a note saying so. */
export function scaledSize(settings: BenchSettings, full: number, quick: number): {n: number; note: string} {
  const base = settings.quick ? quick : full;
  const n = Math.max(1, Math.round(base * settings.scale));
  const fmt = (v: number) => (v >= 1000 && v % 1000 === 0 ? `${v / 1000}k` : String(v));
  if (n === full) return {n, note: fmt(n)};
  const why = settings.quick
    ? settings.scale === 1
      ? 'quick'
      : `quick, scale ${settings.scale}`
    : `scale ${settings.scale}`;
  return {n, note: `${fmt(n)} (${why}; the issue asks ${fmt(full)})`};
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `body` `reps` times (after `warmup` unmeasured runs) and returns wall milliseconds per run. */
export async function timeRuns(
  reps: number,
  body: () => Promise<unknown> | unknown,
  warmup = 0,
): Promise<number[]> {
  for (let i = 0; i < warmup; i += 1) await body();
  const samples: number[] = [];
  for (let i = 0; i < reps; i += 1) {
    const start = performance.now();
    await body();
    samples.push(performance.now() - start);
  }
  return samples;
}

export function measured(samples: readonly number[], unit: string): Measured {
  return {value: median(samples), unit, samples};
}

export function isMet(target: Target, ours: number, ratio: number | null): boolean | null {
  const x = target.on === 'ratio' ? ratio : ours;
  if (x === null || !Number.isFinite(x)) return null;
  if (target.op === '<=') return x <= target.value;
  if (target.op === '>=') return x >= target.value;
  return x === target.value;
}

/** A complete row from ours and baseline medians. */
export function compareRow(input: {
  id: string;
  issue: number;
  metric: string;
  ours: Measured;
  baseline: Measured & {label: string};
  target: Target;
  note?: string;
}): BenchRow {
  const ratio = input.baseline.value === 0 ? null : input.ours.value / input.baseline.value;
  return {...input, ratio, met: isMet(input.target, input.ours.value, ratio)};
}

/** A row whose target applies to ours alone (e.g. "0 modified lines", "CPU < 1000 ms budget"). */
export function valueRow(input: {
  id: string;
  issue: number;
  metric: string;
  ours: Measured;
  baseline?: (Measured & {label: string}) | null;
  target: Target;
  note?: string;
}): BenchRow {
  const baseline = input.baseline ?? null;
  const ratio = baseline && baseline.value !== 0 ? input.ours.value / baseline.value : null;
  return {...input, baseline, ratio, met: isMet(input.target, input.ours.value, ratio)};
}

/** A row for a benchmark that could not run, with the reason; never a number. */
export function notRunRow(input: {
  id: string;
  issue: number;
  metric: string;
  target: Target;
  reason: string;
  note?: string;
}): BenchRow {
  return {
    id: input.id,
    issue: input.issue,
    metric: input.metric,
    ours: null,
    baseline: null,
    ratio: null,
    target: input.target,
    met: null,
    notRun: input.reason,
    note: input.note,
  };
}

/** One benchmark suite: the rows it promises (for not-run reporting) and how to run it. */
export interface BenchSuite {
  readonly name: string;
  readonly issue: number;
  /** Every row the suite produces, with its target: used when the whole suite cannot run. */
  readonly rows: readonly {id: string; metric: string; target: Target}[];
  run(settings: BenchSettings): Promise<BenchRow[]>;
}

/** Rows for every promised metric of `suite`, marked not run with `reason`. */
export function suiteNotRun(suite: BenchSuite, reason: string): BenchRow[] {
  return suite.rows.map((row) => notRunRow({...row, issue: suite.issue, reason}));
}

/** Ensures every promised row appears once: missing ones are added as not run. */
export function completeRows(suite: BenchSuite, rows: BenchRow[], reason: string): BenchRow[] {
  const out = [...rows];
  for (const promised of suite.rows) {
    if (!rows.some((row) => row.id === promised.id))
      out.push(notRunRow({...promised, issue: suite.issue, reason}));
  }
  return out;
}

export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0].slice(0, 300);
}

/**
 * Whether a bench run rewrites the tracked docs/BENCHMARKS.md and docs/benchmarks.json. Only a
 * full run stands for the project's figures: a quick run (sizes scaled down), a partial run
 * (`--only`) or a rescaled one would replace them with numbers measured on something else, and
 * leave a tracked file modified after a routine check. `--write` asks for the rewrite anyway.
 */
export function writesReport(options: {
  quick?: boolean;
  only?: string;
  scale?: string;
  write?: boolean;
}): boolean {
  if (options.write === true) return true;
  return options.quick !== true && options.only === undefined && options.scale === undefined;
}

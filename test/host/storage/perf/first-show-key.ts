/**
 * Measures the first `show KEY` in a fresh clone of a Jira-shaped cache (keys `PROJ-<n>`, ids
 * `10000+n`), outside the test suite (too slow for it): the built CLI as a child process, the
 * per-clone folders (`cache/`, `state/`) removed before each run.
 *
 *   npm run build
 *   npx tsx test/host/storage/perf/first-show-key.ts [--n 85714] [--reps 5] [--dir DIR]
 *       [--keys PROJ-4243,proj-4243,10042] [--bin bin/run.js] [--modes off,inline]
 *
 * `--dir` keeps the generated project (and reuses one already there), so that another build of
 * the CLI (`--bin`) can be measured on the same segments. Mode `off` answers from the scan when
 * it can (no background build: nothing outlives a run), `inline` builds the index first.
 */
import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, promises as fs} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {parseArgs} from 'node:util';

import {createIssue, createRef} from '../../../../src/core/index.js';
import {openTrackerStorage} from '../../../../src/host/storage/tracker-storage.js';

const SITE = 'https://acme.atlassian.net';
const CONFIG = `tracker:
  provider: jira
  workspace: PROJ
  server_url: ${SITE}
  doctrine:
    mode: split_ownership
    field_owners: {}
  egress: permitted
`;

const ref = (n: number) =>
  createRef({
    system: 'jira',
    workspace: 'PROJ',
    id: String(10_000 + n),
    key: `PROJ-${n}`,
    url: `${SITE}/browse/PROJ-${n}`,
  });

/** `n` issues pulled in pages of 5,000 (a segment each), bodies about the size of GitHub's. */
async function generate(root: string, n: number): Promise<void> {
  await fs.mkdir(path.join(root, '.kittify'), {recursive: true});
  await fs.writeFile(path.join(root, '.kittify', 'config.yaml'), CONFIG);
  const storage = openTrackerStorage({root, provider: 'jira', serverUrl: SITE, workspace: 'PROJ'});
  const text = 'Steps: open the widget, press start, watch the crash; expected a clean restart. ';
  for (let first = 1; first <= n; first += 5000) {
    const page = [];
    for (let k = first; k < Math.min(n + 1, first + 5000); k += 1) {
      const issue = createIssue({
        ref: ref(k),
        title: `Widget ${k}: login redirect on expired sessions`,
        body: `${text.repeat(4)}See PROJ-${(k * 7919) % n}.`,
        status: (['todo', 'in_progress', 'done'] as const)[k % 3],
        labels: k % 2 === 0 ? ['bug'] : ['bug', 'ui'],
        assignees: k % 5 === 0 ? [] : [`user${k % 17}`],
        parent: k % 10 === 0 || k < 10 ? null : ref(Math.floor(k / 10)),
        links: k % 7 === 0 && k > 20 ? [{type: 'blocked_by', target: ref(k - 5)}] : [],
        created_at: new Date(Date.UTC(2024, 0, 1) + k * 60_000).toISOString(),
        updated_at: new Date(Date.UTC(2024, 6, 1) + k * 60_000).toISOString(),
      });
      page.push({issue});
    }
    await storage.stores.recordRemote(page);
    await storage.log.endRun();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * One run of `node <args>` in `cwd`: wall and CPU (user + system) milliseconds, peak RSS in MB
 * (GNU time). CPU time says more than wall time on a machine busy with other work.
 */
function timed(
  cwd: string,
  args: string[],
  env: Record<string, string>,
): {ms: number; cpuMs: number; rssMb: number; code: number} {
  const start = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%M %U %S', process.execPath, ...args], {
    cwd,
    env: {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true', ...env},
    encoding: 'utf8',
  });
  const ms = performance.now() - start;
  const [rssKb, user, system] = result.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return {ms, cpuMs: (user! + system!) * 1000, rssMb: rssKb! / 1024, code: result.status ?? -1};
}

async function main(): Promise<void> {
  const {values} = parseArgs({
    options: {
      n: {type: 'string', default: '85714'},
      reps: {type: 'string', default: '5'},
      dir: {type: 'string'},
      keys: {type: 'string', default: 'PROJ-4243,proj-4243,10042'},
      bin: {type: 'string', default: path.join(import.meta.dirname, '..', '..', '..', '..', 'bin', 'run.js')},
      modes: {type: 'string', default: 'off,inline'},
    },
  });
  const dir = values.dir ?? mkdtempSync(path.join(os.tmpdir(), 'first-show-key-'));
  const root = path.join(dir, 'repo');
  if (!existsSync(path.join(root, '.kittify', 'tracker'))) await generate(root, Number(values.n));
  const tracker = path.join(root, '.kittify', 'tracker');
  const [scope] = (await fs.readdir(tracker, {withFileTypes: true})).filter((d) => d.isDirectory());
  const scopeDir = path.join(tracker, scope!.name);
  let bytes = 0;
  for (const name of await fs.readdir(path.join(scopeDir, 'events')))
    bytes += (await fs.stat(path.join(scopeDir, 'events', name))).size;
  console.log(`${dir}: ${(bytes / 2 ** 20).toFixed(1)} MB of segments; bin ${values.bin}`);
  const reps = Number(values.reps);
  const noop = Array.from({length: reps}, () => timed(root, ['-e', '0'], {}));
  console.log(
    `node -e 0: median ${median(noop.map((r) => r.ms)).toFixed(0)} ms, CPU ${median(noop.map((r) => r.cpuMs)).toFixed(0)} ms`,
  );
  for (const mode of values.modes.split(',')) {
    for (const key of values.keys.split(',')) {
      const runs = [];
      for (let rep = 0; rep < reps; rep += 1) {
        for (const perClone of ['cache', 'state'])
          await fs.rm(path.join(scopeDir, perClone), {recursive: true, force: true});
        runs.push(timed(root, [values.bin, 'tracker', 'show', key], {SPEC_KITTY_TRACKER_INDEX_BUILD: mode}));
      }
      const built = existsSync(path.join(scopeDir, 'cache', 'read-index.v1.base'));
      const ms = runs.map((r) => r.ms);
      console.log(
        `${mode.padEnd(6)} show ${key.padEnd(10)} median ${median(ms).toFixed(0)} ms (${ms.map((x) => x.toFixed(0)).join(', ')}), ` +
          `CPU ${median(runs.map((r) => r.cpuMs)).toFixed(0)} ms, peak RSS ${median(runs.map((r) => r.rssMb)).toFixed(0)} MB, exit ${runs[0]!.code}, index built: ${built}`,
      );
    }
  }
  if (!values.dir) await fs.rm(dir, {recursive: true, force: true});
}

await main();

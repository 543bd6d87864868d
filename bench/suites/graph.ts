/**
 * Issue 22 (the mission's work graph on the tracker), over data shaped like the public spec-kitty
 * repository's `kitty-specs/` (410 missions, about 2,500 work packages, about 2,200 dependencies;
 * synthetic, same shape): `sync push --create-missing` against the fake GitHub, then a full pull.
 *
 * - Requests per relation: relation writes (sub-issue and "blocked by" POSTs) per relation
 *   (a parent per work package, plus each dependency); the target is one write each.
 * - Pull: dependency-list reads of issues whose `issue_dependencies_summary` counts none (target 0)
 *   and the reads per issue that has relations.
 * - Paced push: the dry run's budget (eta) beside the time the push took within GitHub's limits
 *   scaled down (30 writes a minute, 1,800 an hour), on fake time: the pacer sleeps on a
 *   manual clock the fake GitHub shares, so the row measures the pacing, not this machine.
 * In-process (the engine, the GitHub connector and the work-package intents the CLI runs), with an
 * in-memory store: what is measured is the requests, not the storage.
 */
import * as path from 'node:path';

import {connectorModule} from '../../src/core/connectors/github/index.js';
import {InMemoryCheckpointStore, InMemoryIssueStore} from '../../src/core/memory/in-memory-stores.js';
import {createOwnershipPolicy} from '../../src/core/policy/ownership.js';
import type {PacingOverrides} from '../../src/core/protocols/connector.js';
import {ManualClock} from '../../src/core/protocols/runtime.js';
import {estimateBudget, plannedRequests, pushRequestsUpperBound} from '../../src/core/sync/run-budget.js';
import {SyncEngine} from '../../src/core/sync/sync-engine.js';
import {applyWorkPackageIntents} from '../../src/host/workpackages/wp-intents.js';
import {runWorkPackagePush} from '../../src/host/workpackages/wp-push.js';
import {pushCountsOf} from '../../src/host/workpackages/wp-services.js';
import {FakeGitHubServer} from '../../test/fakes/github/index.js';
import {writeSpecKittyProject, type MissionSpec} from '../../test/fakes/spec-kitty-project.js';
import {
  scaledSize,
  valueRow,
  type BenchRow,
  type BenchSettings,
  type BenchSuite,
  type Target,
} from '../lib/harness.js';

const T = {
  writes: {op: '<=', value: 1, on: 'ours', text: 'one write per relation'},
  zeroReads: {op: '==', value: 0, on: 'ours', text: 'no per-issue read where the summary says zero'},
  listReads: {
    op: '<=',
    value: 2,
    on: 'ours',
    text: 'at most one list per direction of an issue with relations',
  },
  eta: {op: '<=', value: 2, on: 'ratio', text: 'took within 0.5x-2x of the dry run budget (ratio <= 2)'},
} satisfies Record<string, Target>;

const PACING: PacingOverrides = {writes_per_minute: 30, writes_per_hour: 1_800};

/** 410 missions of 6 or 7 work packages; each depends on the previous one, every 20th on two. */
function graphMissions(missions: number): {specs: MissionSpec[]; workPackages: number; dependencies: number} {
  const specs: MissionSpec[] = [];
  let workPackages = 0;
  let dependencies = 0;
  for (let m = 0; m < missions; m++) {
    const count = m % 10 === 0 ? 7 : 6;
    const wps = Array.from({length: count}, (_, i) => {
      const deps = i === 0 ? [] : [`WP0${i}`];
      if (i >= 2 && (workPackages + i) % 20 === 0) deps.push(`WP0${i - 1}`);
      dependencies += deps.length;
      return {
        id: `WP0${i + 1}`,
        title: `Step ${i + 1}`,
        lane: i === 0 ? 'done' : 'planned',
        dependencies: deps,
      };
    });
    workPackages += count;
    specs.push({
      slug: `${String(m + 1).padStart(3, '0')}-mission-${m + 1}`,
      friendly_name: `Mission ${m + 1}`,
      work_packages: wps,
    });
  }
  return {specs, workPackages, dependencies};
}

export const graphSuite: BenchSuite = {
  name: 'graph',
  issue: 22,
  rows: [
    {id: 'graph.writes-per-relation', metric: 'Push: relation writes per relation', target: T.writes},
    {
      id: 'graph.pull-zero-summary-reads',
      metric: 'Pull: reads of issues whose summary counts no relation',
      target: T.zeroReads,
    },
    {
      id: 'graph.pull-reads-per-related',
      metric: 'Pull: dependency-list reads per issue with relations',
      target: T.listReads,
    },
    {
      id: 'graph.paced-push',
      metric: 'Paced push: time taken vs the dry run budget (fake time)',
      target: T.eta,
    },
  ],

  async run(settings: BenchSettings): Promise<BenchRow[]> {
    const {n: missions, note} = scaledSize(settings, 410, 41);
    const {specs, workPackages, dependencies} = graphMissions(missions);
    const root = path.join(settings.workDir, 'graph-project');
    writeSpecKittyProject(root, {start: '2026-03-01T09:00:00.000Z', missions: specs});
    settings.log(`  ${missions} missions, ${workPackages} work packages, ${dependencies} dependencies`);

    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const fake = await FakeGitHubServer.start({
      now: () => clock.now(),
      limits: {writesPerMinute: 30, writesPerHour: 1_800},
    });
    try {
      const connector = connectorModule.create({
        workspace: fake.workspace,
        serverUrl: fake.url,
        credentials: {token: fake.token},
        options: {},
        runtime: {clock, sleep: clock.sleep, pacing: PACING},
      });
      const store = new InMemoryIssueStore(clock);
      const policy = createOwnershipPolicy('spec_kitty_authoritative');
      const engine = new SyncEngine({
        connector,
        issues: store,
        checkpoints: new InMemoryCheckpointStore(),
        policy,
        clock,
        sleep: clock.sleep,
      });
      const options = {
        root,
        stores: store,
        provider: 'github',
        workspace: fake.workspace,
        capabilities: connector.capabilities(),
        policy,
        createMissing: true,
        missionIssues: true,
        clock,
      };

      // The dry run's budget, as `sync push --create-missing --dry-run` computes it.
      const intents = await applyWorkPackageIntents({...options, dryRun: true});
      const dry = await engine.push({dryRun: true, yes: true});
      const unseen = pushRequestsUpperBound(pushCountsOf(intents));
      const budget = estimateBudget(
        'github',
        [...plannedRequests(dry.requests, dry.plan), ...unseen],
        PACING,
      );

      // Relation writes GitHub accepted, and those its secondary limit refused (sent again later).
      const relationPost = (r: {method: string; path: string}) =>
        r.method === 'POST' && /\/(sub_issues|dependencies\/blocked_by)$/.test(r.path);
      const answered = {accepted: 0, other: 0};
      fake.afterApplying({
        on: relationPost,
        times: Number.POSITIVE_INFINITY,
        run: (_request, response) => {
          if (response.status === 201) answered.accepted += 1;
          else answered.other += 1;
        },
      });
      const started = clock.now().getTime();
      const pushed = await runWorkPackagePush(options, () => engine.push({yes: true}));
      const tookSeconds = (clock.now().getTime() - started) / 1000;
      const failed = pushed.results.flatMap((r) => r.errors);
      if (failed.length > 0) throw new Error(`the push failed: ${failed.slice(0, 3).join('; ')}`);
      const relationWrites = answered.accepted;
      const relations = workPackages + dependencies;

      // A full pull of everything, as a fresh clone makes it.
      const before = fake.requests.length;
      const pullStore = new InMemoryIssueStore(clock);
      const puller = new SyncEngine({
        connector,
        issues: pullStore,
        checkpoints: new InMemoryCheckpointStore(),
        policy,
        clock,
        sleep: clock.sleep,
      });
      await puller.pull({full: true});
      const pullRequests = fake.requests.slice(before);
      const related = new Set<number>();
      for (let n = 1; n <= fake.issueCount; n++) {
        const summary = (
          fake.issue(n) as {issue_dependencies_summary: {total_blocked_by: number; total_blocking: number}}
        ).issue_dependencies_summary;
        if (summary.total_blocked_by + summary.total_blocking > 0) related.add(n);
      }
      const lists = pullRequests.filter((r) => r.path.includes('/dependencies/'));
      const zeroReads = lists.filter(
        (r) => !related.has(Number(/\/issues\/(\d+)\//.exec(r.path)?.[1])),
      ).length;
      const size = `${note} missions (${workPackages} work packages, ${dependencies} dependencies; synthetic, shaped like the spec-kitty repository's kitty-specs)`;
      return [
        valueRow({
          id: 'graph.writes-per-relation',
          issue: 22,
          metric: 'Push: relation writes per relation',
          ours: {value: relationWrites / relations, unit: 'writes/relation'},
          target: T.writes,
          note: `${size}; ${relationWrites} sub-issue and blocked-by POSTs accepted for ${workPackages} parents + ${dependencies} dependencies (${answered.other} more answered otherwise: refused by the secondary limit and sent again, or a duplicate 422)`,
        }),
        valueRow({
          id: 'graph.pull-zero-summary-reads',
          issue: 22,
          metric: 'Pull: reads of issues whose summary counts no relation',
          ours: {value: zeroReads, unit: 'requests'},
          target: T.zeroReads,
          note: `${size}; full pull of ${fake.issueCount} issues in ${pullRequests.length} requests`,
        }),
        valueRow({
          id: 'graph.pull-reads-per-related',
          issue: 22,
          metric: 'Pull: dependency-list reads per issue with relations',
          ours: {value: lists.length / Math.max(1, related.size), unit: 'lists/issue'},
          target: T.listReads,
          note: `${lists.length} lists for ${related.size} issues with relations`,
        }),
        valueRow({
          id: 'graph.paced-push',
          issue: 22,
          metric: 'Paced push: time taken vs the dry run budget (fake time)',
          ours: {value: tookSeconds, unit: 's (fake time)'},
          baseline: {value: budget.eta_seconds, unit: 's (fake time)', label: 'dry run budget'},
          target: T.eta,
          note: `limits scaled down to 30 writes a minute, 1,800 an hour; budget ${budget.writes} writes of ${budget.requests} requests; the push made ${before} requests, ${fake.requests.slice(0, before).filter((r) => r.method !== 'GET').length} writes, ${fake.limits.refusals} limit refusals`,
        }),
      ];
    } finally {
      await fake.close();
    }
  },
};

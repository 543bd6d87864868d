import {
  InMemoryCheckpointStore,
  InMemoryEventLog,
  InMemoryIssueStore,
  ManualClock,
} from '../../src/core/index.js';
import {runStoreConformance} from '../conformance/store-conformance.js';

runStoreConformance('in-memory', {
  async create() {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    // Each write happens a millisecond later, as on a real machine.
    const ticking = {now: () => (clock.advance(1), clock.now())};
    const log = new InMemoryEventLog(ticking);
    const issues = new InMemoryIssueStore(ticking, log);
    const checkpoints = new InMemoryCheckpointStore();
    // In memory, "reopening" means new store objects over the same log and checkpoint map.
    const reopen = async () => ({
      issues: new InMemoryIssueStore(ticking, log),
      mappings: new InMemoryIssueStore(ticking, log),
      checkpoints,
    });
    return {issues, mappings: issues, checkpoints, reopen};
  },
});

import {expect} from 'chai';

import {createOwnershipPolicy} from '../../../src/core/policy/ownership.js';
import {ManualClock} from '../../../src/core/protocols/runtime.js';
import {clearSegmentCache} from '../../../src/host/storage/jsonl-event-log.js';
import {endAllRuns} from '../../../src/host/storage/open-segment.js';
import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {applyWorkPackageIntents} from '../../../src/host/workpackages/wp-intents.js';
import {checkoutProject, type BuiltProject} from '../../support/project-builder.js';
import {ref, remote, scopeOptions} from '../storage/helpers.js';

/**
 * What the push's work-package step reads from a cache of the size of a real project: every
 * cached issue once. Each read of the read cache holds a copy of every issue body.
 */
describe('work packages: the push reads the cache once', () => {
  let project: BuiltProject;
  const clock = new ManualClock('2026-03-05T12:00:00.000Z');
  const storage = () =>
    openTrackerStorage({...scopeOptions(project.root), readCache: {minLogBytes: 0}, clock});

  beforeEach(async () => {
    project = checkoutProject();
    const writer = storage();
    await writer.stores.recordRemote(['1', '2', '3'].map((id) => ({issue: remote(id)})));
    await writer.stores.addMapping('010-checkout/WP01', ref('1'));
    await endAllRuns();
    await writer.log.refreshReadCache();
  });
  afterEach(() => project.cleanup());

  it('answers the issues and the mappings from one read of the read cache (a dry run with --create-missing)', async () => {
    clearSegmentCache();
    const reader = storage();
    let drafts = 0;
    const result = await applyWorkPackageIntents({
      root: project.root,
      stores: reader.stores,
      provider: 'github',
      workspace: 'acme/widgets',
      policy: createOwnershipPolicy('spec_kitty_authoritative'),
      createMissing: true,
      dryRun: true,
      clock,
      newId: () => `TEST${String(++drafts).padStart(22, '0')}`,
    });
    expect(result.drafts.map((d) => d.qualified_id)).to.deep.equal([
      '010-checkout/WP02',
      '010-checkout/WP03',
    ]);
    expect(reader.log.stats).to.deep.equal({segmentsParsed: 0, cacheHits: 1, cacheWrites: 0});
  });
});

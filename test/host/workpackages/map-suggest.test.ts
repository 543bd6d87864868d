import {expect} from 'chai';

import {writeSpecKittyProject} from '../../fakes/spec-kitty-project.js';
import {
  BOUND_GITHUB,
  exitCode,
  issue,
  makeProject,
  parseJson,
  run,
  seedCache,
  type TestProject,
} from '../../commands/tracker/helpers.js';

interface SuggestJson {
  suggestions: {qualified_id: string; key: string; reason: string; matched: string}[];
  ambiguous: {qualified_id: string; candidates: {key: string}[]}[];
  contested: {key: string; qualified_ids: string[]}[];
  applied: {qualified_id: string}[];
  skipped: {suggestion: {qualified_id: string}; reason: string}[];
  unmatched_refs: {qualified_id: string; ref: string}[];
}

describe('work packages: map suggest', () => {
  let project: TestProject;
  beforeEach(async () => {
    project = makeProject({config: BOUND_GITHUB});
    writeSpecKittyProject(project.root, {
      missions: [
        {
          slug: '001-login',
          work_packages: [
            {id: 'WP01', title: 'Session store', tracker_refs: ['#12']},
            {id: 'WP02', title: 'Login form', tracker_refs: 'acme/app#13', form: 'legacy'},
            {id: 'WP03', title: 'Rate limiting'},
            {id: 'WP04', title: 'Audit log', tracker_refs: ['#99']},
            {id: 'WP05', title: 'Password reset'},
            {id: 'WP06', title: 'Shared thing', tracker_refs: ['#20']},
            {id: 'WP07', title: 'Other shared thing', tracker_refs: ['#20']},
          ],
        },
      ],
    });
    await seedCache(project.root, [
      issue(12, {title: 'Sessions'}),
      issue(13, {title: 'The login form'}),
      issue(14, {title: 'WP03 Rate limiting'}),
      issue(15, {title: 'Password reset'}),
      issue(16, {title: 'password  reset'}),
      issue(20, {title: 'Shared'}),
    ]);
  });
  afterEach(() => project.cleanup());

  it('proposes mappings from tracker refs and titles, lists ambiguous and contested ones, writes nothing', async () => {
    const result = await run(['tracker', 'map', 'suggest', '--json']);
    expect(exitCode(result)).to.equal(0);
    const json = parseJson<SuggestJson>(result.stdout);
    expect(json.suggestions.map((s) => [s.qualified_id, s.key, s.reason])).to.deep.equal([
      ['001-login/WP01', '#12', 'tracker_ref'],
      ['001-login/WP02', '#13', 'tracker_ref'],
      ['001-login/WP03', '#14', 'title'],
    ]);
    expect(json.ambiguous.map((a) => [a.qualified_id, a.candidates.map((c) => c.key)])).to.deep.equal([
      ['001-login/WP05', ['#15', '#16']],
    ]);
    expect(json.contested).to.deep.equal([
      {identity: 'github:acme/app:20', key: '#20', qualified_ids: ['001-login/WP06', '001-login/WP07']},
    ]);
    expect(json.unmatched_refs).to.deep.equal([{qualified_id: '001-login/WP04', ref: '#99'}]);
    const list = await run(['tracker', 'map', 'list', '--json']);
    expect(parseJson<{mappings: unknown[]}>(list.stdout).mappings).to.deep.equal([]);
  });

  it('--apply records them, never proposes an issue mapped elsewhere, and a second run proposes nothing', async () => {
    await run(['tracker', 'map', 'add', '--wp-id', 'elsewhere/WP09', '--external-id', '13']);
    // #13 is taken now: WP02's suggestion disappears (mapped issues are not candidates).
    const applied = await run(['tracker', 'map', 'suggest', '--apply']);
    expect(exitCode(applied)).to.equal(0);
    expect(applied.stdout).to.match(/001-login\/WP01\s+#12\s+Sessions\s+tracker ref #12\s+mapped/);
    expect(applied.stdout).to.match(/ambiguous 001-login\/WP05: #15, #16/);
    const list = parseJson<{mappings: {wp_id: string; external_key: string}[]}>(
      (await run(['tracker', 'map', 'list', '--json'])).stdout,
    );
    expect(list.mappings.map((m) => [m.wp_id, m.external_key])).to.deep.equal([
      ['001-login/WP01', '#12'],
      ['001-login/WP03', '#14'],
      ['elsewhere/WP09', '#13'],
    ]);
    const again = parseJson<SuggestJson>((await run(['tracker', 'map', 'suggest', '--json'])).stdout);
    expect(again.suggestions).to.deep.equal([]);
  });
});

import {expect} from 'chai';

import {createIssue} from '../../../src/core/model/canonical-issue.js';
import {readMissionsSync} from '../../../src/host/workpackages/mission-reader.js';
import {formatStatusRows, workPackageStatusRows} from '../../../src/host/workpackages/wp-status-rows.js';
import {buildProject} from '../../support/project-builder.js';

describe('work packages: status rows', () => {
  it('shows lane, mapped issue, remote status and disagreement per work package (bare ids accepted when unique)', () => {
    const project = buildProject({
      missions: [
        {
          slug: '001-a',
          work_packages: [
            {id: 'WP01', title: 'One', lane: 'for_review'},
            {id: 'WP02', title: 'Two', lane: 'done'},
            {id: 'WP03', title: 'Three'},
          ],
        },
        {slug: '002-b', work_packages: [{id: 'WP01', title: 'Other one', lane: 'weird'}]},
      ],
    });
    try {
      const {missions} = readMissionsSync(project.root);
      const ref = (id: string) => ({system: 'memory', workspace: 'test', id, key: `#${id}`, url: null});
      const issues = [
        createIssue({ref: ref('1'), title: 'Issue one', status: 'in_review'}),
        createIssue({ref: ref('2'), title: 'Issue two', status: 'in_progress'}),
        createIssue({ref: ref('3'), title: 'Issue three', status: 'blocked'}),
      ];
      const at = '2026-01-01T00:00:00.000Z';
      const mappings = [
        {wp_id: '001-a/WP01', ref: issues[0].ref, created_at: at, updated_at: at},
        // A legacy bare id, unique in the project: WP02 exists only in 001-a.
        {wp_id: 'WP02', ref: issues[1].ref, created_at: at, updated_at: at},
        {wp_id: '002-b/WP01', ref: issues[2].ref, created_at: at, updated_at: at},
      ];
      const rows = workPackageStatusRows({missions, mappings, issues, system: 'memory'});
      expect(
        rows.map((r) => [r.qualified_id, r.lane, r.lane_status, r.issue_key, r.remote_status, r.disagree]),
      ).to.deep.equal([
        ['001-a/WP01', 'for_review', 'in_review', '#1', 'in_review', false],
        ['001-a/WP02', 'done', 'done', '#2', 'in_progress', true],
        ['001-a/WP03', 'planned', 'todo', null, null, false],
        ['002-b/WP01', 'weird', null, '#3', 'blocked', false],
      ]);
      expect(
        workPackageStatusRows({missions, mappings, issues, system: 'memory', mission: '002-b'}),
      ).to.have.length(1);
      const text = formatStatusRows(rows);
      expect(text[1]).to.match(/^001-a\/WP02\s+done\s+#2 in_progress\s+\(differs\)$/);
      expect(text[2]).to.match(/not mapped$/);
    } finally {
      project.cleanup();
    }
  });
});

import {expect} from 'chai';

import type {WorkPackageStatusRow} from '../../../src/host/workpackages/wp-status-rows.js';
import {missionLines, workPackageLines} from '../../../src/host/services/work-package-text.js';

function row(n: number, state: 'agree' | 'differs' | 'unmapped'): WorkPackageStatusRow {
  const mapped = state !== 'unmapped';
  return {
    mission: '001-a',
    wp_id: `WP${String(n).padStart(2, '0')}`,
    qualified_id: `001-a/WP${String(n).padStart(2, '0')}`,
    title: `Step ${n}`,
    lane: 'done',
    lane_status: 'done',
    mapped,
    issue_identity: mapped ? `github:acme/app:${n}` : null,
    issue_key: mapped ? `#${n}` : null,
    issue_title: mapped ? `Issue ${n}` : null,
    remote_status: mapped ? (state === 'differs' ? 'todo' : 'done') : null,
    local_status: mapped ? (state === 'differs' ? 'todo' : 'done') : null,
    disagree: state === 'differs',
    pending: false,
  };
}

describe('work packages in status text', () => {
  it('shows nothing without work packages, and every row when there are few', () => {
    expect(workPackageLines([])).to.deep.equal([]);
    const lines = workPackageLines([row(1, 'agree'), row(2, 'differs'), row(3, 'unmapped')]);
    expect(lines[0]).to.equal('Work packages: 3 (2 mapped, 1 disagree with the tracker)');
    expect(lines.slice(1)).to.deep.equal([
      '  001-a/WP01  done  #1 done',
      '  001-a/WP02  done  #2 todo  (differs)',
      '  001-a/WP03  done  not mapped',
    ]);
  });

  it('with many, shows the disagreeing rows first (in project order) and says how to see the rest', () => {
    const rows = Array.from({length: 12}, (_, i) =>
      row(i + 1, i === 9 ? 'differs' : i === 4 ? 'unmapped' : 'agree'),
    );
    const lines = workPackageLines(rows, 3);
    expect(lines).to.have.length(5);
    expect(lines[1]).to.match(/^ {2}001-a\/WP01 /);
    expect(lines[2]).to.match(/^ {2}001-a\/WP05 .*not mapped$/);
    expect(lines[3]).to.match(/^ {2}001-a\/WP10 .*\(differs\)$/);
    expect(lines[4]).to.equal(
      '  (9 more; see one mission with `spec-kitty tracker list-tickets --mission <slug>`, or all with --json)',
    );
  });

  it('list-tickets --mission: a headline and every row', () => {
    expect(missionLines('001-a', [row(1, 'differs')])).to.deep.equal([
      'Mission 001-a: 1 work package, 1 disagree with the tracker',
      '001-a/WP01  done  #1 todo  (differs)',
    ]);
    expect(missionLines('001-a', [])[0]).to.match(/no work packages/);
  });
});

import {expect} from 'chai';

import {
  ValidationError,
  applyPatch,
  changedFields,
  createIssue,
  createRef,
  issueFromJson,
  issueToJson,
  refIdentity,
  validatePatch,
} from '../../src/core/index.js';

function validationErrorOf(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

const base = {ref: {system: 'github', workspace: 'acme/widgets', id: '12'}, title: 'Fix login'};

describe('canonical model', () => {
  it('builds the identity system:workspace:id and trims parts', () => {
    const ref = createRef({system: ' github ', workspace: 'acme/widgets', id: 12, key: '#12'});
    expect(refIdentity(ref)).to.equal('github:acme/widgets:12');
    expect(ref.key).to.equal('#12');
    expect(ref.url).to.equal(null);
  });

  it('rejects a ref with a blank id, naming the field', () => {
    const error = validationErrorOf(() => createRef({system: 'github', workspace: 'w', id: '  '}));
    expect(error.field).to.equal('ref.id');
    expect(error.message).to.contain('ref.id');
    expect(validationErrorOf(() => createRef({system: '', workspace: 'w', id: '1'})).field).to.equal(
      'ref.system',
    );
    expect(validationErrorOf(() => createRef({system: 's', workspace: '', id: '1'})).field).to.equal(
      'ref.workspace',
    );
  });

  it('rejects a blank title, naming the field', () => {
    const error = validationErrorOf(() => createIssue({...base, title: '   '}));
    expect(error.field).to.equal('title');
    expect(error.message).to.match(/^title: /);
  });

  it('rejects a priority of 5 (and non-integers), naming the field', () => {
    const error = validationErrorOf(() => createIssue({...base, priority: 5}));
    expect(error.field).to.equal('priority');
    expect(error.message).to.contain('0 to 4');
    expect(validationErrorOf(() => createIssue({...base, priority: 1.5})).field).to.equal('priority');
    expect(createIssue({...base, priority: 0}).priority).to.equal(0);
    expect(createIssue({...base, priority: null}).priority).to.equal(null);
  });

  it('rejects unknown statuses, types and link types with the allowed values', () => {
    expect(validationErrorOf(() => createIssue({...base, status: 'doing'})).message).to.contain(
      'in_progress',
    );
    expect(validationErrorOf(() => createIssue({...base, issue_type: 'feature'})).field).to.equal(
      'issue_type',
    );
    const link = validationErrorOf(() =>
      createIssue({...base, links: [{type: 'related', target: base.ref}]}),
    );
    expect(link.field).to.equal('links[0].type');
    const target = validationErrorOf(() =>
      createIssue({...base, links: [{type: 'blocks', target: {system: 'github', workspace: 'w', id: ''}}]}),
    );
    expect(target.field).to.equal('links[0].target.id');
  });

  it('defaults and normalises: sets sorted and deduplicated, timestamps in UTC ISO form', () => {
    const issue = createIssue({
      ...base,
      labels: ['b', 'a', 'b', ' '],
      assignees: ['zoe', 'al'],
      created_at: '2026-03-10T10:14:18+02:00',
    });
    expect(issue.status).to.equal('todo');
    expect(issue.issue_type).to.equal('task');
    expect(issue.labels).to.deep.equal(['a', 'b']);
    expect(issue.assignees).to.deep.equal(['al', 'zoe']);
    expect(issue.created_at).to.equal('2026-03-10T08:14:18.000Z');
    expect(validationErrorOf(() => createIssue({...base, updated_at: 'yesterday'})).field).to.equal(
      'updated_at',
    );
  });

  it('round-trips through the persisted JSON form, which drops raw', () => {
    const issue = createIssue({
      ...base,
      body: 'Steps…',
      parent: {system: 'github', workspace: 'acme/widgets', id: '1'},
      links: [{type: 'blocks', target: {system: 'github', workspace: 'acme/widgets', id: '3'}}],
      custom_fields: {milestone: 'v1'},
      raw: {node_id: 'I_abc'},
    });
    const json = issueToJson(issue);
    expect(json).to.not.have.property('raw');
    expect(issueFromJson(json)).to.deep.equal({...issue, raw: null});
  });

  it('applies and validates patches and reports changed fields', () => {
    const issue = createIssue(base);
    const patched = applyPatch(issue, {status: 'done', labels: ['x']});
    expect(changedFields(issue, patched)).to.deep.equal(['status', 'labels']);
    expect(validationErrorOf(() => validatePatch({colour: 'red'})).field).to.equal('colour');
    expect(validationErrorOf(() => validatePatch({priority: 9})).field).to.equal('priority');
  });
});

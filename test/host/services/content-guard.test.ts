import {expect} from 'chai';

import {createIssue} from '../../../src/core/model/canonical-issue.js';
import {maskIssue} from '../../../src/host/services/content-guard.js';

const SECRET = 'ghp_contentGuardSecret0123456789abcdef';

describe('content guard: masking pulled issues', () => {
  const base = {ref: {system: 'github', workspace: 'acme/widgets', id: '7', key: '#7'}, title: 'Fix login'};

  it('masks the secret wherever the store keeps it: fields, labels, custom fields, ref URL', () => {
    const issue = createIssue({
      ...base,
      ref: {...base.ref, url: `https://example.invalid/${SECRET}`},
      body: `token ${SECRET} leaked`,
      labels: [`x-${SECRET}`],
      custom_fields: {note: SECRET},
    });
    const masked = maskIssue(issue, [SECRET]);
    expect(JSON.stringify(masked)).not.to.include(SECRET);
    expect(masked.body).to.equal('token *** leaked');
    expect(masked.ref.url).to.equal('https://example.invalid/***');
    expect(masked.ref.id).to.equal('7');
  });

  it('returns the same issue when only the raw payload (never stored) holds it', () => {
    const issue = createIssue({...base, raw: {body: SECRET, user: {login: 'octocat'}}});
    expect(maskIssue(issue, [SECRET])).to.equal(issue);
    const clean = createIssue(base);
    expect(maskIssue(clean, [SECRET])).to.equal(clean);
  });
});

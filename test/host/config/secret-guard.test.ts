import {expect} from 'chai';

import {
  assertNoSecrets,
  assertNoSecretsInContent,
  findSecrets,
  maskSecretsInText,
  secretIn,
  SecretInContentError,
} from '../../../src/host/config/secret-guard.js';

describe('secret guard for files under .kittify/', () => {
  const tokens = [
    'ghp_0123456789abcdefghijABCDEFGHIJ012345',
    'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz',
    'glpat-abcdefghijklmnopqrst',
    'lin_api_abcdefghijklmnopqrstuvwxyz0123',
    'xoxb-1234567890-abcdefghij',
    'ATATT3xFfGF0abcdefghijklmnopqrstuvwxyz',
    'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1eF3hJ5kL7n', // long random base64
  ];
  for (const token of tokens) {
    it(`refuses ${token.slice(0, 8)}… under .kittify/ without echoing it`, () => {
      expect(() =>
        assertNoSecrets('/repo/.kittify/config.yaml', `a: 1\nkey: ${token}\n`, {root: '/repo'}),
      ).to.throw(/^Refusing to write \.kittify\/config\.yaml: line 2 would contain/);
      try {
        assertNoSecrets('/repo/.kittify/config.yaml', `key: ${token}\n`);
      } catch (error) {
        expect((error as Error).message).not.to.include(token);
      }
    });
  }

  it('refuses a known credential value whatever its shape', () => {
    expect(() =>
      assertNoSecrets('/r/.kittify/x.jsonl', '{"body": "pw is hunter2hunter2"}', {
        knownSecrets: ['hunter2hunter2'],
      }),
    ).to.throw(/stored credential value/);
  });

  it('allows ordinary content, hashes and ULIDs, and ignores files outside .kittify/', () => {
    const ordinary =
      'commit: 3f786850e387550fdab836ed7e6dc881de23001b3f786850e387550f\nid: 01HZX3Y4M5N6P7Q8R9S0T1V2W3\ntitle: Fix the login page\n';
    expect(findSecrets(ordinary)).to.deep.equal([]);
    expect(() =>
      assertNoSecrets('/repo/notes.txt', 'ghp_0123456789abcdefghijABCDEFGHIJ012345'),
    ).not.to.throw();
  });

  it("'prefixed' heuristics skip the generic long-random check", () => {
    expect(findSecrets('aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1eF3hJ5kL7n', {heuristics: 'prefixed'})).to.deep.equal(
      [],
    );
    expect(findSecrets('x glpat-abcdefghijklmnopqrst', {heuristics: 'prefixed'})).to.have.length(1);
  });
});

describe('secret guard for local content recorded in the tracker log', () => {
  it('names the field and the credential, never its value', () => {
    const known = [{value: 'plainSecretValue99', label: 'your LINEAR_API_KEY'}];
    expect(() =>
      assertNoSecretsInContent(
        [
          {label: '--title', value: 'fine'},
          {label: '--body', value: 'key: plainSecretValue99'},
        ],
        {known},
      ),
    ).to.throw(
      SecretInContentError,
      /^Refusing to record --body: it contains your LINEAR_API_KEY, .*Nothing was written\.$/,
    );
    expect(() =>
      assertNoSecretsInContent([{label: '--add-label', value: ['ok', 'glpat-abcdefghijklmnopqrstu']}]),
    ).to.throw(/--add-label: it contains a GitLab token \(glpa…\)/);
    expect(secretIn({nested: {key: ['x', {deep: 'lin_api_abcdefghijklmnopqrstuvwxyz0123'}]}})).to.match(
      /Linear/,
    );
  });

  it('lets ordinary text, hashes and ids through', () => {
    expect(
      secretIn(
        'Fixed in 3f786850e387550fdab836ed7e6dc881de23001b, see aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1eF3hJ5kL7n',
      ),
    ).to.equal(null);
  });

  it('masks credential values in text', () => {
    expect(maskSecretsInText('a SECRETSECRET b SECRETSECRET', ['SECRETSECRET'])).to.equal('a *** b ***');
  });
});

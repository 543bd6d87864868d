import {expect} from 'chai';
import fc from 'fast-check';

import {canonicalJson, createIssue, issueFromJson, issueToJson} from '../../src/core/index.js';
import {fieldValuesEqual} from '../../src/core/model/canonical-issue.js';
import {issueToFrozenJson} from '../../src/core/model/issue-json.js';

const ref = {system: 'github', workspace: 'acme/widgets', id: '7'};

/** Any instant from year 1000 to 9999, in the forms trackers send and the model stores. */
const instants = fc.integer({min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59)});

describe('model fast paths give the same results as the general path', () => {
  it('timestamps: with and without milliseconds, every day of every month, as Date prints them', () => {
    fc.assert(
      fc.property(instants, fc.boolean(), (ms, withMillis) => {
        const iso = new Date(ms).toISOString();
        const sent = withMillis ? iso : `${iso.slice(0, 19)}Z`;
        const issue = createIssue({ref, title: 't', updated_at: sent, created_at: sent});
        expect(issue.updated_at).to.equal(new Date(sent).toISOString());
        expect(issue.created_at).to.equal(issue.updated_at);
      }),
      {numRuns: 2000},
    );
  });

  it('timestamps: impossible days roll over exactly as Date does; garbage is still refused', () => {
    for (const sent of ['2025-02-30T00:00:00Z', '2024-02-29T23:59:59Z', '2025-04-31T10:00:00.123Z']) {
      expect(createIssue({ref, title: 't', updated_at: sent}).updated_at).to.equal(
        new Date(sent).toISOString(),
      );
    }
    expect(() => createIssue({ref, title: 't', updated_at: '2025-13-01T00:00:00Z'})).to.throw(/updated_at/);
    expect(() => createIssue({ref, title: 't', updated_at: 'yesterday'})).to.throw(/updated_at/);
  });

  it('field equality: the same answer as comparing the values as JSON with sorted keys', () => {
    const asJson = (value: unknown) =>
      JSON.stringify(value, (_key, v: unknown) =>
        v !== null && typeof v === 'object' && !Array.isArray(v)
          ? Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, (v as Record<string, unknown>)[k]]),
            )
          : v,
      );
    const values = fc.oneof(
      fc.string({unit: 'binary', maxLength: 6}),
      fc.constantFrom('', 'a', 'é', '\ud800', null, 0, -0, 1, Number.NaN, true, false),
      fc.jsonValue({maxDepth: 2}),
    );
    fc.assert(
      fc.property(values, values, (a, b) => {
        expect(fieldValuesEqual(a, b)).to.equal(asJson(a) === asJson(b));
        expect(fieldValuesEqual(a, a)).to.equal(true);
      }),
      {numRuns: 3000, seed: 20261204},
    );
    // Equal text in two different strings (a body read back from the tracker) is equal.
    const body = 'Zeile ü '.repeat(100);
    expect(fieldValuesEqual(body, [body].join(''))).to.equal(true);
    expect(fieldValuesEqual(body, body + ' ')).to.equal(false);
  });

  it('frozen issue JSON reads back as the issue it came from, without its raw payload', () => {
    const issue = createIssue({
      ref: {...ref, key: '#7', url: 'https://github.com/acme/widgets/issues/7'},
      title: 'Fix login',
      labels: ['b', 'a'],
      assignees: ['octocat'],
      updated_at: '2025-01-02T03:04:05Z',
      raw: {number: 7},
    });
    const json = issueToFrozenJson(issue);
    expect(Object.isFrozen(json)).to.equal(true);
    expect(Object.isFrozen(json.labels)).to.equal(true);
    expect(canonicalJson(json)).to.equal(canonicalJson(issueToJson(issue)));
    const back = issueFromJson(json);
    expect(back.raw).to.equal(null);
    expect(issueToJson(back)).to.deep.equal(issueToJson(issue));
    // A copy (not the frozen object itself) takes the validating path and gives the same issue.
    expect(issueFromJson({...json})).to.deep.equal(back);
  });

  it('frozen issue JSON is issueToJson, key for key, frozen all the way down (links, parent, custom fields)', () => {
    const issue = createIssue({
      ref: {...ref, key: '#7', url: 'https://github.com/acme/widgets/issues/7'},
      title: 'Fix login',
      parent: {...ref, id: '1', key: '#1'},
      links: [
        {type: 'blocks', target: {...ref, id: '9'}},
        {type: 'relates_to', target: {...ref, id: '3'}},
      ],
      custom_fields: {sprint: {name: 'S1', dates: ['2025-01-01', '2025-01-14']}, points: 3},
      raw: {number: 7},
    });
    const json = issueToFrozenJson(issue);
    // The same keys in the same order: canonical serialisation relies on the order to skip sorting.
    expect(JSON.stringify(json)).to.equal(JSON.stringify(issueToJson(issue)));
    const unfrozen: string[] = [];
    const walk = (value: unknown, at: string): void => {
      if (typeof value !== 'object' || value === null) return;
      if (!Object.isFrozen(value)) unfrozen.push(at);
      for (const [key, item] of Object.entries(value)) walk(item, `${at}.${key}`);
    };
    walk(json, 'json');
    expect(unfrozen).to.deep.equal([]);
  });
});

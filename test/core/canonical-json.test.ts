import {expect} from 'chai';
import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';

import {canonicalJson, canonicalJsonLine, compareCodePoints} from '../../src/core/index.js';

// Vectors produced once by CPython's json.dumps(obj, sort_keys=True[, indent=2]) and committed.
// JSON has one number type in JS, so integral floats (100.0, -0.0) are out of scope by design.
const vectors = JSON.parse(
  readFileSync(new URL('./canonical-json.vectors.json', import.meta.url), 'utf8'),
) as {
  input: unknown;
  flat: string;
  indent: string;
}[];

describe('canonicalJson (Python json.dumps sort_keys parity)', () => {
  vectors.forEach((vector, index) => {
    it(`matches CPython byte for byte, vector ${index}`, () => {
      expect(canonicalJson(vector.input)).to.equal(vector.flat);
      expect(canonicalJson(vector.input, {indent: 2})).to.equal(vector.indent);
    });
  });

  it('matches a live CPython on a fresh sample when python3 is available', function () {
    const sample = {
      kind: 'issue_pulled',
      at: '2026-03-10T10:14:18.495748+00:00',
      issue: {title: 'Über “quotes” ☃', n: [3, 1.25]},
    };
    const python = spawnSync(
      'python3',
      ['-c', 'import json,sys; sys.stdout.write(json.dumps(json.load(sys.stdin), sort_keys=True))'],
      {
        input: JSON.stringify(sample),
        encoding: 'utf8',
      },
    );
    if (python.error || python.status !== 0) this.skip();
    expect(canonicalJson(sample)).to.equal(python.stdout);
  });

  it('ends a JSONL line with a single newline and never contains a raw newline inside', () => {
    const line = canonicalJsonLine({body: 'two\nlines'});
    expect(line).to.equal('{"body": "two\\nlines"}\n');
  });

  it('sorts keys by code point, as Python does (not by UTF-16 unit)', () => {
    expect(['\uffff', '\u{1F600}'].sort(compareCodePoints)).to.deep.equal(['\uffff', '\u{1F600}']);
    expect(['\uffff', '\u{1F600}'].sort()).to.deep.equal(['\u{1F600}', '\uffff']);
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson({x: Number.NaN})).to.throw(/NaN/);
    expect(() => canonicalJson({f: () => 1})).to.throw(/function/);
  });
});

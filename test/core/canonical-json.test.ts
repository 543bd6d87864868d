import {expect} from 'chai';
import fc from 'fast-check';
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

  it('matches a live CPython on random JSON (astral keys, controls, escapes) when python3 is available', function () {
    // Values JSON.stringify hands to Python unchanged (no -0, which it writes as 0).
    // Integral numbers of 1e16 and more are out of scope as above: JS cannot tell Python's int
    // 10**17 from the float 1e17, and writes them as floats.
    const bigIntegral = (value: unknown): boolean =>
      typeof value === 'number'
        ? Number.isInteger(value) && Math.abs(value) >= 1e16
        : typeof value === 'object' && value !== null && Object.values(value).some(bigIntegral);
    const values = fc
      .sample(fc.jsonValue({stringUnit: 'binary', maxDepth: 2, noNegativeZero: true} as never), {
        numRuns: 400,
        seed: 20261130,
      })
      .filter((value) => !bigIntegral(value));
    const python = spawnSync(
      'python3',
      [
        '-c',
        'import json,sys\nfor line in sys.stdin: sys.stdout.write(json.dumps(json.loads(line), sort_keys=True) + "\\n")',
      ],
      {input: values.map((value) => JSON.stringify(value)).join('\n') + '\n', encoding: 'utf8'},
    );
    if (python.error || python.status !== 0) this.skip();
    const expected = python.stdout.split('\n').slice(0, -1);
    expect(expected).to.have.length(values.length);
    values.forEach((value, index) =>
      expect(canonicalJson(value), `value ${index}`).to.equal(expected[index]),
    );
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

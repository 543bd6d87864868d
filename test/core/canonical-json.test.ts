import {expect} from 'chai';
import fc from 'fast-check';
import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';

import {
  canonicalJson,
  canonicalJsonChunks,
  canonicalJsonLine,
  compareCodePoints,
  jsonValuesEqual,
} from '../../src/core/index.js';

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

  it('indented form matches a live CPython on random JSON (json.dumps indent=2) when python3 is available', function () {
    const values = fc
      .sample(fc.jsonValue({stringUnit: 'binary', maxDepth: 3, noNegativeZero: true} as never), {
        numRuns: 300,
        seed: 20261204,
      })
      .filter((value) => !JSON.stringify(value).match(/\d{16}/));
    const python = spawnSync(
      'python3',
      [
        '-c',
        'import json,sys\nfor line in sys.stdin: sys.stdout.write(json.dumps(json.dumps(json.loads(line), sort_keys=True, indent=2)) + "\\n")',
      ],
      {input: values.map((value) => JSON.stringify(value)).join('\n') + '\n', encoding: 'utf8'},
    );
    if (python.error || python.status !== 0) this.skip();
    const expected = python.stdout
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line) as string);
    expect(expected).to.have.length(values.length);
    values.forEach((value, index) =>
      expect(canonicalJson(value, {indent: 2}), `value ${index}`).to.equal(expected[index]),
    );
  });

  it('in chunks: the same bytes whatever the chunk size, at any depth, each chunk bounded', () => {
    const values: unknown[] = [
      ...vectors.map((vector) => vector.input),
      ...fc.sample(fc.jsonValue({stringUnit: 'binary', maxDepth: 4} as never), {numRuns: 200, seed: 7}),
      {skipped: undefined, list: [undefined, 1, {}, [], {x: undefined}], date: new Date(0)},
      undefined,
    ];
    for (const value of values) {
      for (const depth of [0, 2]) {
        const whole = canonicalJson(value, {indent: 2, depth});
        for (const chunkChars of [1, 5, 64, undefined]) {
          const chunks = [...canonicalJsonChunks(value, {indent: 2, depth, chunkChars})];
          expect(chunks.join(''), `${JSON.stringify(value)} in chunks of ${chunkChars}`).to.equal(whole);
        }
      }
    }
    // A large list comes out in many chunks, none much over the size asked (no piece is long here).
    const list = Array.from({length: 2000}, (_, i) => ({id: i, title: `Issue ${i}`, labels: ['a', 'b']}));
    const chunks = [...canonicalJsonChunks(list, {indent: 2, chunkChars: 1000})];
    expect(chunks.join('')).to.equal(canonicalJson(list, {indent: 2}));
    expect(chunks.length).to.be.greaterThan(100);
    for (const chunk of chunks) expect(chunk.length).to.be.lessThan(1100);
  });

  it('jsonValuesEqual: equal exactly when the canonical JSON is', () => {
    // A small alphabet, so that equal values (and near misses) come up often.
    const leaf = fc.constantFrom<unknown>(
      null,
      undefined,
      0,
      -0,
      1,
      1.5,
      true,
      false,
      '',
      'a',
      '\u00e9',
      '\ud83d\ude00',
      new Date(0),
      '1970-01-01T00:00:00.000Z',
    );
    const value = fc.letrec((tie) => ({
      value: fc.oneof({depthSize: 'small'}, leaf, tie('list'), tie('record')),
      list: fc.array(tie('value'), {maxLength: 3}),
      record: fc.dictionary(fc.constantFrom('a', 'b', '\ud83d\ude00', 'constructor'), tie('value'), {
        maxKeys: 3,
      }),
    })).value;
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(jsonValuesEqual(a, b), `${canonicalJson(a)} vs ${canonicalJson(b)}`).to.equal(
          canonicalJson(a) === canonicalJson(b),
        );
        expect(jsonValuesEqual(a, a)).to.equal(true);
      }),
      {numRuns: 5000, seed: 20261204},
    );
    // Key order and undefined members do not count; a null member does.
    expect(jsonValuesEqual({a: 1, b: [1, undefined]}, {b: [1, null], a: 1, c: undefined})).to.equal(true);
    expect(jsonValuesEqual({a: null}, {a: undefined})).to.equal(false);
    expect(jsonValuesEqual({}, [])).to.equal(false);
    expect(jsonValuesEqual({a: 1}, Object.create({a: 1}))).to.equal(false);
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

import {expect} from 'chai';
import {parse} from 'yaml';

import {
  readFrontmatter,
  scanFrontmatter,
  splitFrontmatter,
} from '../../../src/host/workpackages/frontmatter.js';
import {seededRandom} from '../../fakes/spec-kitty-project.js';

const KEYS = ['work_package_id', 'title', 'dependencies', 'tracker_refs', 'assignee', 'lane'];

describe('work packages: frontmatter', () => {
  it('splits the fences, with CRLF and a BOM', () => {
    const doc = splitFrontmatter('\uFEFF---\r\ntitle: x\r\n---\r\nbody\r\n');
    expect(doc.yaml).to.equal('title: x\r\n');
    expect(doc.body).to.equal('body\r\n');
    expect(splitFrontmatter('---\ntitle: x\nno end').yaml).to.equal(null);
    expect(splitFrontmatter('# just markdown').yaml).to.equal(null);
  });

  it('the fast scanner agrees with the YAML parser whenever it answers (generated documents)', () => {
    const random = seededRandom(3);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const scalars = [
      'WP01',
      "'#12'",
      '"PROJ-7"',
      'plain words',
      "'it''s'",
      '""',
      "''",
      'null',
      '~',
      '12',
      '-3',
      '1.5',
      '2.x',
      'true',
      'x #comment',
      '#only',
      "'a: b'",
      '1e3',
      '0x1F',
      '.5',
      'a:b',
      '"q\\"x"',
      '[WP01, WP02]',
      '[\'#1\', "#2"]',
      '[]',
      '{a: 1}',
      '|',
      '>-',
      '&a x',
      '*a',
    ];
    let answered = 0;
    for (let n = 0; n < 400; n++) {
      const lines: string[] = [];
      const used = new Set<string>();
      for (let k = 0; k < 6; k++) {
        const key = pick([...KEYS, 'history', 'subtasks', 'agent']);
        if (used.has(key)) continue;
        used.add(key);
        const form = random();
        if (form < 0.55) lines.push(`${key}: ${pick(scalars)}`);
        else if (form < 0.85) {
          const indent = pick(['', '  ']);
          lines.push(
            `${key}:`,
            ...Array.from(
              {length: 1 + Math.floor(random() * 3)},
              () => `${indent}- ${pick(scalars.slice(0, 17))}`,
            ),
          );
        } else lines.push(`${key}:`, '  nested: value', '  other: 2');
      }
      const yaml = `${lines.join('\n')}\n`;
      let expected: Record<string, unknown> | null;
      try {
        expected = parse(yaml) as Record<string, unknown>;
      } catch {
        expected = null;
      }
      const fast = scanFrontmatter(yaml, new Set(KEYS));
      if (fast === null) continue;
      answered += 1;
      expect(expected, yaml).to.not.equal(null);
      const wanted = Object.fromEntries(
        KEYS.filter((k) => expected !== null && k in expected).map((k) => [k, expected![k]]),
      );
      expect(fast, yaml).to.deep.equal(wanted);
    }
    expect(answered).to.be.greaterThan(100);
  });

  it('falls back to the full parser for what the scanner does not read, and reports broken YAML with its line', () => {
    const complex = readFrontmatter('title: >-\n  Folded title\ndependencies: &d\n  - WP01\n', KEYS);
    expect(complex).to.deep.equal({
      ok: true,
      values: {title: 'Folded title', dependencies: ['WP01']},
      fast: false,
    });
    const broken = readFrontmatter('work_package_id: WP01\ntitle: [unclosed\n', KEYS, 2);
    expect(broken.ok).to.equal(false);
    expect(broken.ok === false && broken.line)
      .to.be.a('number')
      .and.to.be.at.least(2);
  });
});

import {expect} from 'chai';
import {parse} from 'yaml';

import {parseSimpleYaml} from '../../../src/host/config/simple-yaml.js';
import {prng} from '../storage/random-log-kit.js';

describe('config: the plain YAML subset read without the YAML library', () => {
  it('reads what the library reads, or leaves the text to it (random texts near the subset)', () => {
    const random = prng(21);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const keys = [
      'tracker',
      'provider',
      'workspace',
      'server_url',
      'doctrine',
      'mode',
      'field-owners',
      'true',
      'null',
      'y',
      'a',
    ];
    const values = [
      'github',
      'acme/widgets',
      'http://127.0.0.1:39605',
      'https://x.atlassian.net',
      'external_authoritative',
      '{}',
      '[]',
      '0',
      '7',
      '012',
      '1e5',
      '3.5',
      '.5',
      'true',
      'False',
      'NULL',
      '~',
      'yes',
      'no',
      'on',
      '-',
      '- x',
      'a: b',
      'a:',
      '@x',
      '!tag',
      '&a',
      '*a',
      "'q'",
      '"q"',
      'a #c',
      '#c',
      'x  ',
      'é',
      '2026-01-01',
      '0x1F',
      '0o17',
      '+1',
      '-1',
      '.inf',
      'a::b',
      '/path/to',
      'user@host',
      'a=b',
      '123456789012345678',
    ];
    let accepted = 0;
    for (let n = 0; n < 4000; n += 1) {
      const lines: string[] = [];
      let indent = 0;
      for (let k = 0, count = 1 + Math.floor(random() * 8); k < count; k += 1) {
        const roll = random();
        if (roll < 0.2) {
          lines.push(`${' '.repeat(indent)}${pick(keys)}:`);
          indent += pick([2, 2, 4]);
        } else {
          if (roll < 0.35 && indent > 0) indent -= pick([2, 4].filter((d) => d <= indent));
          lines.push(`${' '.repeat(indent)}${pick(keys)}: ${pick(values)}`);
        }
        if (random() < 0.05) lines.push(pick(['', '  ', '# c', '---', '- x', '\tk: v']));
      }
      const text = lines.join('\n') + pick(['\n', '', '\n\n']);
      const simple = parseSimpleYaml(text);
      if (simple === undefined) continue;
      accepted += 1;
      let library: unknown;
      try {
        library = parse(text);
      } catch (error) {
        expect.fail(`accepted what the library refuses (${(error as Error).message}):\n${text}`);
      }
      expect(simple, text).to.deep.equal(library);
    }
    expect(accepted, 'texts the subset covers').to.be.greaterThan(200);
  });

  it('covers what bind writes', () => {
    const text = [
      'tracker:',
      '  provider: github',
      '  workspace: acme/widgets',
      '  server_url: http://127.0.0.1:39605',
      '  doctrine:',
      '    mode: external_authoritative',
      '    field_owners: {}',
      '  egress: permitted',
      '  bulk_threshold: 50',
      '',
    ].join('\n');
    expect(parseSimpleYaml(text)).to.deep.equal(parse(text));
  });
});

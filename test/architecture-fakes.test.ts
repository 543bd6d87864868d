import {expect} from 'chai';
import {cruise} from 'dependency-cruiser';
import type {ICruiseOptions, ICruiseResult} from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';

const root = join(import.meta.dirname, '..');
const configFile = join(root, '.dependency-cruiser.cjs');

/** Cruise `test/fakes` under `baseDir` with the project's rule set, as `npm run lint` does. */
async function cruiseFakes(baseDir: string): Promise<ICruiseResult> {
  const options: ICruiseOptions = await extractDepcruiseOptions(configFile);
  options.baseDir = baseDir;
  options.tsConfig = {fileName: join(baseDir, 'tsconfig.json')};
  const tsConfig = extractTSConfig(join(baseDir, 'tsconfig.json'));
  const {output} = await cruise(['test/fakes'], options, {}, {tsConfig});
  if (typeof output === 'string') throw new Error('expected a cruise result object, got reporter text');
  return output;
}

const errorsOf = (result: ICruiseResult): string[] =>
  result.summary.violations
    .filter((v) => v.rule.severity === 'error')
    .map((v) => `${v.rule.name} ${v.from} -> ${v.to}`)
    .sort();

describe('architecture rules: fakes share no code with their connectors', () => {
  it('the project fakes import nothing from src/core/connectors', async () => {
    const result = await cruiseFakes(root);
    expect(errorsOf(result)).to.deep.equal([]);
    expect(result.summary.totalCruised).to.be.greaterThan(0);
  });

  it('reports a fake importing a connector module, and allows pure utilities', async () => {
    const tree = mkdtempSync(join(tmpdir(), 'tracker-arch-fakes-'));
    try {
      const files: Record<string, string> = {
        'tsconfig.json': JSON.stringify({
          compilerOptions: {module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true},
          include: ['src/**/*', 'test/**/*'],
        }),
        'src/core/connectors/jira/adf.ts': 'export const adfToText = (v: unknown): string => String(v);\n',
        'src/core/util/ulid.ts': 'export const ulid = (): string => "01";\n',
        'test/fakes/jira/bad.ts':
          "import {adfToText} from '../../../src/core/connectors/jira/adf.js';\nexport const t = adfToText;\n",
        'test/fakes/good.ts': "import {ulid} from '../../src/core/util/ulid.js';\nexport const u = ulid;\n",
      };
      for (const [rel, text] of Object.entries(files)) {
        mkdirSync(dirname(join(tree, rel)), {recursive: true});
        writeFileSync(join(tree, rel), text);
      }
      expect(errorsOf(await cruiseFakes(tree))).to.deep.equal([
        'fakes-no-connectors test/fakes/jira/bad.ts -> src/core/connectors/jira/adf.ts',
      ]);
    } finally {
      rmSync(tree, {recursive: true, force: true});
    }
  });
});

describe('fake jira: its own field selection and ADF reading', () => {
  it('selects fields as Jira documents the fields parameter', async () => {
    const {issueReadFields, selectFields} = await import('./fakes/jira/fake-jira-fields.js');
    const all = {summary: 's', description: 'd', comment: 'c', labels: []};
    expect(selectFields(all, issueReadFields(undefined))).to.deep.equal(all);
    expect(selectFields(all, issueReadFields('summary,labels'))).to.deep.equal({summary: 's', labels: []});
    expect(selectFields(all, issueReadFields(['*navigable', '-description']))).to.deep.equal({
      summary: 's',
      labels: [],
    });
    expect(selectFields(all, issueReadFields('-description'))).to.deep.equal({
      summary: 's',
      comment: 'c',
      labels: [],
    });
    expect(selectFields(all, null), 'a search without fields returns ids only').to.equal(null);
  });

  it('reads the text of an ADF document', async () => {
    const {adfPlainText} = await import('./fakes/jira/fake-adf-text.js');
    const doc = {
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'paragraph',
          content: [{type: 'text', text: 'one'}, {type: 'hardBreak'}, {type: 'text', text: 'two'}],
        },
        {
          type: 'bulletList',
          content: [
            {type: 'listItem', content: [{type: 'paragraph', content: [{type: 'text', text: 'a'}]}]},
            {
              type: 'listItem',
              content: [{type: 'paragraph', content: [{type: 'mention', attrs: {text: '@b'}}]}],
            },
          ],
        },
      ],
    };
    expect(adfPlainText(doc)).to.equal('one\ntwo\n\na\n@b');
    expect(adfPlainText('wiki text')).to.equal('wiki text');
  });
});

import {expect} from 'chai';
import {cruise} from 'dependency-cruiser';
import type {ICruiseOptions, ICruiseResult, IViolation} from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';

const root = join(import.meta.dirname, '..');
const configFile = join(root, '.dependency-cruiser.cjs');

/** Cruise `src` under `baseDir` with the project's rule set, as `npm run lint` does. */
async function cruiseSrc(baseDir: string): Promise<ICruiseResult> {
  const options: ICruiseOptions = await extractDepcruiseOptions(configFile);
  options.baseDir = baseDir;
  options.tsConfig = {fileName: join(baseDir, 'tsconfig.json')};
  const tsConfig = extractTSConfig(join(baseDir, 'tsconfig.json'));
  const {output} = await cruise(['src'], options, {}, {tsConfig});
  if (typeof output === 'string') throw new Error('expected a cruise result object, got reporter text');
  return output;
}

function describeViolation(v: IViolation): string {
  return `${v.rule.severity} ${v.rule.name}: ${v.from} -> ${v.to}`;
}

describe('architecture rules (.dependency-cruiser.cjs)', () => {
  it('the project source has no error-severity violations', async () => {
    const result = await cruiseSrc(root);
    const errors = result.summary.violations.filter((v) => v.rule.severity === 'error');
    expect(errors.map(describeViolation)).to.deep.equal([]);
    expect(result.summary.totalCruised).to.be.greaterThan(0);
  });

  describe('the rules catch what they are meant to', () => {
    let tree: string;

    before(() => {
      tree = mkdtempSync(join(tmpdir(), 'tracker-arch-'));
      const files: Record<string, string> = {
        'tsconfig.json': JSON.stringify({
          compilerOptions: {module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true},
          include: ['src/**/*'],
        }),
        'src/host/x.ts': 'export const z = 1;\nexport type Z = number;\n',
        'src/core/bad-fs.ts': "import {readFileSync} from 'node:fs';\nexport const x = readFileSync;\n",
        'src/core/bad-fs-bare.ts': "import {readdir} from 'fs/promises';\nexport const y = readdir;\n",
        'src/core/bad-lock.ts': "import lockfile from 'proper-lockfile';\nexport const y = lockfile;\n",
        'src/core/bad-host.ts': "import {z} from '../host/x.js';\nexport const w = z;\n",
        'src/core/bad-host-type.ts': "import type {Z} from '../host/x.js';\nexport const v: Z = 2;\n",
        'src/core/good.ts': "import {w} from './bad-host.js';\nexport const ok = String(w);\n",
        // A stand-in for the real package: the rule matches on the resolved node_modules path.
        'node_modules/proper-lockfile/package.json': JSON.stringify({
          name: 'proper-lockfile',
          main: 'index.js',
        }),
        'node_modules/proper-lockfile/index.js': 'module.exports = {lock() {}};\n',
      };
      for (const [rel, text] of Object.entries(files)) {
        mkdirSync(dirname(join(tree, rel)), {recursive: true});
        writeFileSync(join(tree, rel), text);
      }
    });

    after(() => rmSync(tree, {recursive: true, force: true}));

    it('reports node:fs, host libraries and host modules imported from src/core', async () => {
      const result = await cruiseSrc(tree);
      const found = result.summary.violations
        .filter((v) => v.rule.severity === 'error')
        .map((v) => `${v.rule.name} ${v.from}`)
        .sort();
      expect(found).to.deep.equal([
        'core-no-fs src/core/bad-fs-bare.ts',
        'core-no-fs src/core/bad-fs.ts',
        'core-no-host-libs src/core/bad-lock.ts',
        'core-no-host-modules src/core/bad-host-type.ts',
        'core-no-host-modules src/core/bad-host.ts',
      ]);
    });
  });
});

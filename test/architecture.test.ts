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
    let errors: IViolation[];

    /** The files that break `rule`, sorted. */
    const offenders = (rule: string): string[] =>
      errors
        .filter((v) => v.rule.name === rule)
        .map((v) => v.from)
        .sort();

    before(async () => {
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
        // host-no-cli: only commands (and the CLI layer itself) use src/host/cli.
        'src/host/cli/usage.ts':
          "import {s} from '../shared/mask.js';\nexport class U extends Error {}\nexport const m = s;\n",
        'src/host/shared/mask.ts': 'export const s = 1;\n',
        'src/host/services/bad-cli.ts': "import {U} from '../cli/usage.js';\nexport const e = new U();\n",
        'src/host/config/bad-cli-type.ts':
          "import type {U} from '../cli/usage.js';\nexport let e: U | null = null;\n",
        'src/host/services/good-shared.ts': "import {s} from '../shared/mask.js';\nexport const t = s;\n",
        'src/host/fs/bad-up.ts': "import {e} from '../services/bad-cli.js';\nexport const f = e;\n",
        'src/host/fs/good-down.ts': "import {s} from '../shared/mask.js';\nexport const f = s;\n",
        'src/commands/good-cli.ts': "import {U} from '../host/cli/usage.js';\nexport const e = new U();\n",
        // connectors-independent: no connector imports another; shared code is allowed.
        'src/core/connectors/registry.ts': 'export const providers: string[] = [];\n',
        'src/core/connectors/shared/marker.ts': 'export const marker = 1;\n',
        'src/core/connectors/local-cli/invoker.ts': 'export const invoke = 1;\n',
        'src/core/connectors/github/mapper.ts':
          "import {marker} from '../shared/marker.js';\nexport const g = marker;\n",
        'src/core/connectors/github/connector.ts':
          "import {g} from './mapper.js';\nimport {providers} from '../registry.js';\nexport const c = [g, providers];\n",
        'src/core/connectors/gitlab/bad-cross.ts':
          "import {g} from '../github/mapper.js';\nexport const c = g;\n",
        'src/core/connectors/beads/good.ts':
          "import {invoke} from '../local-cli/invoker.js';\nimport {marker} from '../shared/marker.js';\nexport const c = invoke + marker;\n",
        'src/core/connectors/shared/bad-up.ts':
          "import {g} from '../github/mapper.js';\nexport const c = g;\n",
        // domain-below-sync: model, policy and log never import sync, connectors or http.
        'src/core/model/m.ts': 'export const m = 1;\n',
        'src/core/sync/engine.ts': "import {m} from '../model/m.js';\nexport const e = m;\n",
        'src/core/http/client.ts': "import {m} from '../model/m.js';\nexport const h = m;\n",
        'src/core/model/bad-sync.ts': "import {e} from '../sync/engine.js';\nexport const b = e;\n",
        'src/core/policy/bad-connector.ts':
          "import {g} from '../connectors/github/mapper.js';\nexport const b = g;\n",
        'src/core/log/bad-http.ts':
          "import type {h} from '../http/client.js';\nexport const b: typeof h = 1;\n",
        // src-no-fakes: the fakes live under test/ and never ship.
        'test/fakes/fake-server.ts': 'export const fake = 1;\n',
        'src/host/bad-fake.ts':
          "import {fake} from '../../test/fakes/fake-server.js';\nexport const f = fake;\n",
        // no-circular: two modules importing each other (types count: load order stays fragile).
        'src/host/services/bad-cycle-a.ts':
          "import type {B} from './bad-cycle-b.js';\nexport type A = {b?: B};\n",
        'src/host/services/bad-cycle-b.ts':
          "import type {A} from './bad-cycle-a.js';\nexport type B = {a?: A};\n",
      };
      for (const [rel, text] of Object.entries(files)) {
        mkdirSync(dirname(join(tree, rel)), {recursive: true});
        writeFileSync(join(tree, rel), text);
      }
      const result = await cruiseSrc(tree);
      errors = result.summary.violations.filter((v) => v.rule.severity === 'error');
    });

    after(() => rmSync(tree, {recursive: true, force: true}));

    // INV-12: src/core does no I/O.
    it('reports node:fs, host libraries and host modules imported from src/core', () => {
      expect(offenders('core-no-fs')).to.deep.equal(['src/core/bad-fs-bare.ts', 'src/core/bad-fs.ts']);
      expect(offenders('core-no-host-libs')).to.deep.equal(['src/core/bad-lock.ts']);
      expect(offenders('core-no-host-modules')).to.deep.equal([
        'src/core/bad-host-type.ts',
        'src/core/bad-host.ts',
      ]);
    });

    it('reports a host module other than the CLI layer importing src/host/cli', () => {
      expect(offenders('host-no-cli')).to.deep.equal([
        'src/host/config/bad-cli-type.ts',
        'src/host/services/bad-cli.ts',
      ]);
    });

    it('reports host/shared or host/fs importing a host layer above them', () => {
      expect(offenders('host-shared-at-bottom')).to.deep.equal(['src/host/fs/bad-up.ts']);
    });

    it('reports a connector (or the shared connector code) importing another connector', () => {
      expect(offenders('connectors-independent')).to.deep.equal([
        'src/core/connectors/gitlab/bad-cross.ts',
        'src/core/connectors/shared/bad-up.ts',
      ]);
    });

    it('reports model, policy or log importing sync, connectors or http', () => {
      expect(offenders('domain-below-sync')).to.deep.equal([
        'src/core/log/bad-http.ts',
        'src/core/model/bad-sync.ts',
        'src/core/policy/bad-connector.ts',
      ]);
    });

    it('reports src importing the fakes under test/', () => {
      expect(offenders('src-no-fakes')).to.deep.equal(['src/host/bad-fake.ts']);
    });

    it('reports two modules importing each other', () => {
      // dependency-cruiser reports a cycle once, from the module where it finds it first.
      expect(offenders('no-circular')).to.deep.equal(['src/host/services/bad-cycle-a.ts']);
    });

    it('reports nothing else: the allowed imports beside each probe pass, and every rule has a probe', async () => {
      const probes = new Set(errors.map((v) => v.from));
      expect([...probes].filter((file) => !/\/bad-[^/]*\.ts$/.test(file))).to.deep.equal([]);
      const {forbidden = []} = (await extractDepcruiseOptions(configFile)).ruleSet ?? {};
      // Rules about test/fakes have their probes in architecture-fakes.test.ts (it cruises test/fakes).
      const errorRules = forbidden
        .filter((rule) => rule.severity === 'error' && rule.name !== 'fakes-no-connectors')
        .map((rule) => rule.name);
      expect([...new Set(errors.map((v) => v.rule.name))].sort()).to.deep.equal([...errorRules].sort());
    });
  });
});

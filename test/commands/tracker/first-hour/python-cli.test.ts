import {readFileSync, writeFileSync} from 'node:fs';
import {expect} from 'chai';
import {parse} from 'yaml';

import {installFakeTool, type FakeTool} from '../../../support/fake-executables/index.js';
import {exitCode, makeProject, run, type TestProject} from '../helpers.js';

/** `tracker:` as the Python spec-kitty CLI writes it for a SaaS binding (no workspace, no egress). */
const PYTHON_SAAS = `project: demo
tracker:
  provider: github
  binding_ref: br_01HX
  project_slug: demo-project
  display_label: acme/widgets (GitHub)
  provider_context:
    workspace_name: acme
  workspace:
  doctrine:
    mode: external_authoritative
    field_owners: {}
`;

describe('beside the Python spec-kitty CLI', () => {
  let project: TestProject;
  let tool: FakeTool | null = null;
  afterEach(() => {
    tool?.remove();
    tool = null;
    project.cleanup();
  });

  it('a beads binding the Python CLI wrote (no egress key) syncs: a local program needs no egress consent', async () => {
    project = makeProject();
    tool = installFakeTool('bd');
    const bound = await run([
      'tracker',
      'bind',
      '--provider',
      'beads',
      '--workspace',
      'acme-ws',
      '--credential',
      `command=${tool.command}`,
    ]);
    expect(bound.error, bound.stderr).to.equal(undefined);
    writeFileSync(
      project.configPath,
      'tracker:\n  provider: beads\n  binding_ref:\n  project_slug:\n  display_label:\n  provider_context:\n  workspace: acme-ws\n  doctrine:\n    mode: external_authoritative\n    field_owners: {}\n',
    );
    const pulled = await run(['tracker', 'sync', 'pull']);
    expect(pulled.error, pulled.stderr).to.equal(undefined);
    expect(tool.calls()).to.deep.equal([[tool.command, '--json', 'list', '--all', '--limit', '0']]);
    expect((await run(['tracker', 'status'])).stdout).to.include(
      '- egress: absent (not needed: beads runs on this machine)',
    );
    // An explicit refusal still holds.
    writeFileSync(project.configPath, `${readFileSync(project.configPath, 'utf8')}  egress: refused\n`);
    expect(exitCode(await run(['tracker', 'sync', 'pull']))).to.equal(1);
  });

  it("a SaaS binding: status says it is served by spec-kitty's SaaS and how to add a direct one", async () => {
    project = makeProject({config: PYTHON_SAAS});
    const r = await run(['tracker', 'status']);
    expect(exitCode(r)).to.equal(1);
    expect(r.stderr).to.include("binding (binding_ref br_01HX) is served by spec-kitty's SaaS");
    expect(r.stderr).to.include('spec-kitty tracker bind --provider github --workspace <workspace>');
    expect(r.stderr).not.to.include('has no workspace');
  });

  it('bind keeps every key the Python CLI wrote', async () => {
    project = makeProject({config: PYTHON_SAAS});
    const r = await run(['tracker', 'bind', '--provider', 'github', '--workspace', 'acme/widgets']);
    expect(r.error, r.stderr).to.equal(undefined);
    const config = parse(readFileSync(project.configPath, 'utf8')) as {
      project: string;
      tracker: Record<string, unknown>;
    };
    expect(config.project).to.equal('demo');
    expect(config.tracker).to.deep.include({
      provider: 'github',
      workspace: 'acme/widgets',
      binding_ref: 'br_01HX',
      project_slug: 'demo-project',
      display_label: 'acme/widgets (GitHub)',
      provider_context: {workspace_name: 'acme'},
    });
  });

  it('outside a project, the hint says `spec-kitty init` is the Python CLI command', async () => {
    project = makeProject({kittify: false});
    const r = await run(['tracker', 'status']);
    expect(exitCode(r)).to.equal(1);
    expect(r.stderr).to.include(
      '`spec-kitty init` (a command of the Python spec-kitty CLI, `pip install spec-kitty-cli`)',
    );
  });
});

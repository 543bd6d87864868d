import {expect} from 'chai';
import {mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, symlinkSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {
  clearTrackerBinding,
  readTrackerBinding,
  writeEgress,
  writeTrackerBinding,
  type TrackerBindingUpdate,
} from '../../../src/host/config/tracker-config.js';

const UPDATE: TrackerBindingUpdate = {
  provider: 'github',
  workspace: 'acme/app',
  serverUrl: null,
  doctrineMode: 'split_ownership',
  fieldOwners: {status: 'local', title: 'external'},
  options: {},
  egressIfAbsent: 'permitted',
};

describe('tracker config (.kittify/config.yaml)', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sk-cfg-'));
    file = join(dir, 'config.yaml');
  });
  afterEach(() => rmSync(dir, {recursive: true, force: true}));

  it('rewrites only the tracker block: every other byte, comment and quote style is kept', () => {
    const before = `# leading comment\nproject:\n  name: 'demo'   # trailing\n  quoted: "x: y"\n  list: [a, b]\n\n# tracker below\ntracker:\n  provider: jira   # old\n  future_key: {nested: 1}\n  workspace: OLD\n\nsync:\n    enabled: yes\n    odd_indent: 'kept'\n`;
    writeFileSync(file, before);
    writeTrackerBinding(file, UPDATE);
    const after = readFileSync(file, 'utf8');
    const head = `# leading comment\nproject:\n  name: 'demo'   # trailing\n  quoted: "x: y"\n  list: [a, b]\n\n# tracker below\ntracker:\n`;
    const tail = `\nsync:\n    enabled: yes\n    odd_indent: 'kept'\n`;
    expect(after.startsWith(head)).to.equal(true);
    expect(after.endsWith(tail)).to.equal(true);
    expect(after.match(/# tracker below/g)).to.have.length(1);
    const binding = readTrackerBinding(file);
    expect(binding).to.deep.include({provider: 'github', workspace: 'acme/app'});
    expect(binding.doctrine).to.deep.equal({
      mode: 'split_ownership',
      fieldOwners: {status: 'local', title: 'external'},
    });
    expect(binding.unknownKeys).to.deep.equal(['future_key']);
    expect(after).to.include('future_key: { nested: 1 }');
    expect(binding.egress).to.deep.equal({state: 'permitted'});
  });

  it('creates the file, appends to a file without tracker:, and is a no-op when nothing changes', () => {
    writeTrackerBinding(file, UPDATE);
    expect(readFileSync(file, 'utf8')).to.match(/^tracker:\n {2}provider: github\n/);
    writeFileSync(file, 'project:\n  name: x'); // no final newline
    writeTrackerBinding(file, UPDATE);
    expect(readFileSync(file, 'utf8')).to.match(/^project:\n {2}name: x\ntracker:\n {2}provider: github\n/);
    const bytes = readFileSync(file, 'utf8');
    writeTrackerBinding(file, UPDATE);
    expect(readFileSync(file, 'utf8')).to.equal(bytes);
  });

  it('keeps a recorded egress (refused or illegal) and reports it', () => {
    writeFileSync(file, 'tracker:\n  egress: refused\n');
    expect(writeTrackerBinding(file, UPDATE).egress).to.deep.equal({state: 'refused'});
    writeFileSync(file, 'tracker:\n  egress: Refused\n');
    expect(writeTrackerBinding(file, UPDATE).egress).to.deep.equal({state: 'fault', raw: 'Refused'});
    expect(readTrackerBinding(file).egress).to.deep.equal({state: 'fault', raw: 'Refused'});
    expect(writeEgress(file, 'refused').egress).to.deep.equal({state: 'refused'});
  });

  it('clear keeps only a recorded egress, or removes the block', () => {
    writeFileSync(file, 'a: 1\ntracker:\n  provider: github\n  workspace: x/y\n  egress: refused\nb: 2\n');
    clearTrackerBinding(file);
    expect(readFileSync(file, 'utf8')).to.equal('a: 1\ntracker:\n  egress: refused\nb: 2\n');
    writeFileSync(file, 'a: 1\ntracker:\n  provider: github\nb: 2\n');
    clearTrackerBinding(file);
    expect(readFileSync(file, 'utf8')).to.equal('a: 1\nb: 2\n');
  });

  it('reads leniently: blank strings are null, a missing file is an empty binding', () => {
    expect(readTrackerBinding(join(dir, 'missing.yaml')).provider).to.equal(null);
    writeFileSync(
      file,
      'tracker:\n  provider: "  GitHub "\n  workspace: "   "\n  bulk_threshold: 5\n  lanes: {doing: in_progress}\n',
    );
    const b = readTrackerBinding(file);
    expect(b).to.deep.include({provider: 'github', workspace: null, bulkThreshold: 5});
    expect(b.lanes).to.deep.equal({doing: 'in_progress'});
  });

  it('names file and line for malformed YAML and refuses to rewrite it', () => {
    writeFileSync(file, 'project:\n  name: x\n  bad: [unclosed\n');
    expect(() => readTrackerBinding(file, dir)).to.throw(/^Malformed YAML in config\.yaml:\d+:\d+/);
    expect(() => writeTrackerBinding(file, UPDATE, dir)).to.throw(/Malformed YAML/);
    expect(readFileSync(file, 'utf8')).to.equal('project:\n  name: x\n  bad: [unclosed\n');
  });

  it('refuses to write through a symbolic link', () => {
    const real = join(dir, 'real.yaml');
    writeFileSync(real, 'a: 1\n');
    symlinkSync(real, file);
    expect(() => writeTrackerBinding(file, UPDATE)).to.throw(/symbolic link/);
    expect(readFileSync(real, 'utf8')).to.equal('a: 1\n');
    expect(existsSync(file)).to.equal(true);
  });
});

import {expect} from 'chai';
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

import {createProcessRunner, ProcessStartError} from '../../../src/host/process/index.js';
import {makeTempDir, removeDir, writeNodeScript} from '../../support/fake-executables/index.js';

describe('host ProcessRunner (node:child_process, argv list, no shell)', () => {
  let dir: string;
  const runner = createProcessRunner();

  beforeEach(() => {
    dir = makeTempDir('sk-runner-');
  });
  afterEach(() => removeDir(dir));

  it('rejects a missing executable with ENOENT and a message naming it', async () => {
    const missing = join(dir, 'no-such-bd');
    const error = await runner.run(missing, ['--json', 'list'], {cwd: null, timeoutMs: 5000}).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ProcessStartError);
    expect((error as ProcessStartError).code).to.equal('ENOENT');
    expect((error as Error).message).to.equal(`executable not found: ${missing}`);
  });

  it('rejects a file that is not executable with EACCES', async () => {
    const path = join(dir, 'not-executable');
    writeFileSync(path, '#!/bin/sh\necho hi\n', {mode: 0o644});
    const error = await runner.run(path, [], {cwd: null, timeoutMs: 5000}).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as ProcessStartError).code).to.equal('EACCES');
  });

  it('rejects a missing working directory without blaming the executable', async () => {
    const script = writeNodeScript(dir, 'ok', 'process.stdout.write("fine")');
    const error = await runner.run(script, [], {cwd: join(dir, 'gone'), timeoutMs: 5000}).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as ProcessStartError).code).to.equal('ENOTDIR');
    expect((error as Error).message).to.contain('working directory not found');
  });

  it('resolves a non-zero exit with its code, stdout and stderr (never throws for it)', async () => {
    const script = writeNodeScript(
      dir,
      'fails',
      'process.stdout.write("partial"); process.stderr.write("Error: database is locked\\n"); process.exit(3);',
    );
    const result = await runner.run(script, [], {cwd: null, timeoutMs: 5000});
    expect(result.exitCode).to.equal(3);
    expect(result.signal).to.equal(null);
    expect(result.stdout).to.equal('partial');
    expect(result.stderr).to.equal('Error: database is locked\n');
    expect(result.timedOut).to.equal(false);
  });

  it('runs in the given working directory', async () => {
    const script = writeNodeScript(dir, 'pwd', 'process.stdout.write(process.cwd())');
    const result = await runner.run(script, [], {cwd: dir, timeoutMs: 5000});
    expect(readFileSync(join(result.stdout, 'pwd'), 'utf8')).to.contain('process.cwd()');
  });

  it('stops a process that outlives the timeout and says so', async () => {
    const script = writeNodeScript(dir, 'sleeps', 'setTimeout(() => process.stdout.write("late"), 10000);');
    const started = Date.now();
    const result = await createProcessRunner({killGraceMs: 200}).run(script, [], {cwd: null, timeoutMs: 300});
    expect(result.timedOut).to.equal(true);
    expect(result.stdout).to.equal('');
    expect(result.exitCode === 0).to.equal(false);
    expect(Date.now() - started).to.be.below(5000);
  });

  it('kills a process that ignores SIGTERM after the grace period', async function () {
    if (process.platform === 'win32') this.skip();
    // A shell ignores SIGTERM from its first instruction; a Node script needs its start-up time
    // first, and on a loaded machine the SIGTERM could arrive before its handler.
    const script = join(dir, 'stubborn.sh');
    writeFileSync(script, "#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 0.05; done\n", {mode: 0o755});
    const result = await createProcessRunner({killGraceMs: 200}).run(script, [], {cwd: null, timeoutMs: 300});
    expect(result.timedOut).to.equal(true);
    expect(result.signal).to.equal('SIGKILL');
  });

  it('passes arguments literally: spaces, quotes, $(...), backticks, globs, newlines, unicode', async () => {
    const script = writeNodeScript(
      dir,
      'echo-argv',
      'process.stdout.write(JSON.stringify(process.argv.slice(2)))',
    );
    const marker = join(dir, 'pwned');
    const args = [
      'two words',
      `it's "quoted"`,
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      '; touch ' + marker,
      '*',
      '--flag=a b',
      'line1\nline2',
      'ünïcødé ✓',
      '',
    ];
    const result = await runner.run(script, args, {cwd: dir, timeoutMs: 5000});
    expect(result.exitCode).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal(args);
    expect(() => readFileSync(marker)).to.throw();
  });

  it('caps output and flags the overflow instead of buffering without bound', async () => {
    const script = writeNodeScript(
      dir,
      'floods',
      'const chunk = "x".repeat(65536); const loop = () => { if (process.stdout.write(chunk)) setImmediate(loop); else process.stdout.once("drain", loop); }; loop();',
    );
    const result = await createProcessRunner({maxOutputBytes: 100_000, killGraceMs: 200}).run(script, [], {
      cwd: null,
      timeoutMs: 5000,
    });
    expect(result.outputLimitExceeded).to.equal(true);
    expect(result.timedOut).to.equal(false);
    expect(result.stdout.length).to.equal(100_000);
  });

  it('decodes multi-byte UTF-8 split across chunks', async () => {
    const script = writeNodeScript(
      dir,
      'utf8',
      'const b = Buffer.from("é✓".repeat(40000)); process.stdout.write(b.subarray(0, 1)); setTimeout(() => process.stdout.write(b.subarray(1)), 20);',
    );
    const result = await runner.run(script, [], {cwd: null, timeoutMs: 5000});
    expect(result.stdout).to.equal('é✓'.repeat(40000));
  });
});

import {spawn} from 'node:child_process';
import {EventEmitter} from 'node:events';
import {join} from 'node:path';
import {expect} from 'chai';

import {installInterruptHandler} from '../../../../src/host/cli/interrupt.js';
import {ProgressDisplay} from '../../../../src/host/cli/progress-display.js';
import {FakeGitHubServer} from '../../../fakes/github/index.js';
import {bindToFake, makeProject, packageRoot, run, type TestProject} from '../helpers.js';

describe('Ctrl-C during a sync', () => {
  it('clears the progress line, says what was kept and how to resume, and exits 130', () => {
    const written: string[] = [];
    const progress = new ProgressDisplay(
      {isTTY: true, write: (t: string) => written.push(t)},
      {json: false, minIntervalMs: 0},
    );
    progress.onEvent({type: 'progress', phase: 'pull', done: 3, total: null});
    const host = Object.assign(new EventEmitter(), {
      code: null as number | null,
      exit(code: number) {
        this.code = code;
      },
    });
    const uninstall = installInterruptHandler({
      mode: 'pull',
      clearProgress: () => progress.finish(),
      write: (t) => written.push(t),
      host: host as never,
    });
    host.emit('SIGINT');
    expect(host.code).to.equal(130);
    const drawn = written.findIndex((t) => t.includes('Pulling: 3'));
    const cleared = written.findIndex((t, i) => i > drawn && t === '\r\u001B[2K');
    const said = written.findIndex((t) => t.includes('Interrupted: the pull stopped.'));
    expect(drawn).to.be.greaterThan(-1);
    expect(cleared).to.be.greaterThan(drawn);
    expect(said).to.be.greaterThan(cleared);
    expect(written[said]).to.include('Run `spec-kitty tracker sync pull` again to resume');
    uninstall();
    expect(host.listenerCount('SIGINT')).to.equal(0);
  });

  describe('the built CLI', () => {
    let project: TestProject;
    let fake: FakeGitHubServer;
    beforeEach(async () => {
      project = makeProject();
      fake = await FakeGitHubServer.start();
      fake.seedRealisticIssues(250);
      process.env.GITHUB_TOKEN = fake.token;
    });
    afterEach(async () => {
      await fake.close();
      project.cleanup();
    });

    it('a pull interrupted while waiting for a page exits 130 with the message, and the next pull completes', async () => {
      const bound = await bindToFake(fake);
      expect(bound.error, bound.stderr).to.equal(undefined);
      // The second page takes 10 s: the interrupt lands while the pull waits for it.
      // The second page: GitHub's listing is walked by `since` (keyset); the first request has none.
      const secondPage = (r: {path: string; query: Readonly<Record<string, unknown>>}) =>
        r.path.endsWith('/issues') && 'since' in r.query;
      fake.script({on: secondPage, respond: {status: 503, delayMs: 10_000}});
      const child = spawn(process.execPath, [join(packageRoot, 'bin', 'run.js'), 'tracker', 'sync', 'pull'], {
        cwd: project.root,
        env: {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true'},
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      // Listening from the start: a child that ends before the interrupt is a failure to report.
      let exited = false;
      const exit = new Promise<number | null>((resolve) =>
        child.on('exit', (c) => {
          exited = true;
          resolve(c);
        }),
      );
      const deadline = Date.now() + 8000;
      // Interrupt once the pull waits for the held page, not merely after two requests.
      while (!exited && !fake.requests.some(secondPage) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(
        exited,
        `the pull ended before the interrupt: ${stdout} ${stderr} ${fake.requests.map((r) => `${r.path}?${JSON.stringify(r.query)}`).join(' ')}`,
      ).to.equal(false);
      child.kill('SIGINT');
      const code = await exit;
      expect(code, stderr).to.equal(130);
      expect(stderr).to.include('Interrupted: the pull stopped.');
      expect(stderr).to.include('Run `spec-kitty tracker sync pull` again');
      const again = await run(['tracker', 'sync', 'pull']);
      expect(again.error, again.stderr).to.equal(undefined);
    });
  });
});

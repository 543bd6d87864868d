import {spawn, type ChildProcess} from 'node:child_process';
import * as path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');

/** Starts a fixture script under `node --import tsx`, collecting stdout lines. */
export function startFixture(
  script: string,
  args: string[],
): {
  child: ChildProcess;
  lines: string[];
  stderr: () => string;
  exited: Promise<number | null>;
  waitFor: (line: string, ms: number) => Promise<void>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures', script), ...args], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const waiters: {line: string; resolve: () => void}[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.line === line)) waiter.resolve();
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    waitFor: (line, ms) =>
      new Promise<void>((resolve, reject) => {
        if (lines.includes(line)) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`fixture ${script} did not print ${line} within ${ms} ms: ${stderr}`)),
          ms,
        );
        waiters.push({line, resolve: () => (clearTimeout(timer), resolve())});
        void exited.then(() => {
          clearTimeout(timer);
          if (lines.includes(line)) resolve();
          else reject(new Error(`fixture ${script} exited before printing ${line}: ${stderr}`));
        });
      }),
  };
}

/** Event ids a fixture reported as acknowledged. */
export function ackedIds(lines: readonly string[]): string[] {
  return lines.filter((line) => line.startsWith('ack ')).flatMap((line) => line.slice(4).split(' '));
}

/**
 * The demo and the benchmarks run the real CLI (`bin/run.js`, which loads the bundle in
 * `dist/cli/`). On a fresh clone there is no `dist/`, and in a working tree it may be older than
 * `src/`: build first then.
 */
import {spawn} from 'node:child_process';
import {existsSync, readdirSync, statSync} from 'node:fs';
import * as path from 'node:path';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** Why a build is needed, or null when `dist/` and the manifest are newer than every source. */
export function buildReason(root: string): string | null {
  const manifest = path.join(root, 'oclif.manifest.json');
  if (!existsSync(path.join(root, 'dist', 'cli', 'tracker.cjs')) || !existsSync(manifest))
    return 'no build yet (dist/ is missing)';
  const built = statSync(manifest).mtimeMs;
  const sources = newestMtime(path.join(root, 'src'));
  return sources > built ? 'src/ changed since the last build' : null;
}

/** Runs `npm run build` when needed; rejects with the build's output when it fails. */
export async function ensureBuild(root: string, log: (line: string) => void): Promise<void> {
  const reason = buildReason(root);
  if (reason === null) return;
  log(`building the plugin (${reason}): npm run build`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  await new Promise<void>((resolve, reject) => {
    const child = spawn(npm, ['run', 'build', '--silent'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true'},
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`npm run build failed (exit ${code}):\n${output.trim()}`)),
    );
  });
}

import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {readFileNoFollow, writeFileAtomic, ensureRealDir} from '../fs/safe-fs.js';
import {trackerDir} from './scope.js';

/**
 * `.kittify/tracker/.gitignore`: per-clone state (checkpoints), derived caches, lock folders
 * and temp files stay out of git; only the immutable event segments are committed.
 */
export const IGNORE_RULES = [
  '# Maintained by spec-kitty tracker. Per-clone state, derived caches, locks and temp files stay',
  '# out of git; the event segments under */events/ are the committed, reviewable log (open',
  '# segments of a command still running are sealed into one when it ends).',
  '*/state/',
  '*/events/*.open-*.jsonl',
  '*/cache/',
  '*.lock',
  '.*.tmp',
  '',
].join('\n');

/** Writes the rules when the file is missing or differs; returns whether it wrote. */
export async function ensureIgnoreRules(root: string): Promise<boolean> {
  const dir = trackerDir(root);
  const file = path.join(dir, '.gitignore');
  const current = await readFileNoFollow(file).catch(() => null);
  if (current !== null && current.toString('utf8') === IGNORE_RULES) return false;
  await ensureRealDir(path.resolve(root), dir);
  await writeFileAtomic(file, IGNORE_RULES);
  return true;
}

/** True when the rules on disk are the current ones (doctor reports drift). */
export async function ignoreRulesCurrent(root: string): Promise<boolean> {
  const current = await fs.readFile(path.join(trackerDir(root), '.gitignore'), 'utf8').catch(() => null);
  return current === IGNORE_RULES;
}

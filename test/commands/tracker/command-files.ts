import {expect} from 'chai';
import {createHash} from 'node:crypto';
import {existsSync, lstatSync, readFileSync, readdirSync, statSync} from 'node:fs';
import {join} from 'node:path';

import {issue, run, seedCache, type TestProject} from './helpers.js';

/**
 * What the command tests below look at on disk: the tree a command may not touch, the scope's
 * segments, the CLI's JSON form.
 */
/** Every folder and file under `dir` (sha256 of each file): proves a command wrote, moved or removed nothing. */
export function treeHashes(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, {recursive: true, encoding: 'utf8'}).sort()) {
    const p = join(dir, name);
    const stat = lstatSync(p);
    out[name] = stat.isDirectory()
      ? 'dir'
      : stat.isSymbolicLink()
        ? 'link'
        : createHash('sha256').update(readFileSync(p)).digest('hex');
  }
  return out;
}

export function kittify(project: TestProject): string {
  return join(project.root, '.kittify');
}

export function scopeEventsDir(root: string): string {
  const tracker = join(root, '.kittify', 'tracker');
  const scope = readdirSync(tracker).find((f) => statSync(join(tracker, f)).isDirectory())!;
  return join(tracker, scope, 'events');
}

export function segmentFiles(root: string): string[] {
  return readdirSync(scopeEventsDir(root)).filter((f) => f.endsWith('.jsonl'));
}

export function logText(root: string): string {
  const dir = scopeEventsDir(root);
  return segmentFiles(root)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('');
}

/** The JSON text of `value` as the CLI prints it: keys sorted recursively, two-space indent. */
export function stable(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

export async function seedThree(root: string): Promise<void> {
  await seedCache(
    root,
    [1, 2, 3].map((n) => issue(n, {labels: ['bug']})),
  );
}

export async function ticketIds(): Promise<string[]> {
  const list = await run(['tracker', 'list-tickets', '--json']);
  expect(list.error, list.stderr).to.equal(undefined);
  return (JSON.parse(list.stdout) as {tickets: {identifier: string}[]}).tickets.map((t) => t.identifier);
}

export const NO_STACK = /\n\s+at /;

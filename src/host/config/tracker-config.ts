import {existsSync, mkdirSync, readFileSync} from 'node:fs';
import {dirname, relative} from 'node:path';
import {Document, isMap, isScalar, LineCounter, parseDocument, Scalar, visit, YAMLMap, type Pair} from 'yaml';

import {TrackerError} from '../../core/errors.js';
import {isJsonObject, type JsonValue} from '../../core/model/json.js';
import {writeFileAtomicSync} from '../fs/safe-fs.js';
import {assertNoSecrets} from './secret-guard.js';
import {parseSimpleYaml} from './simple-yaml.js';

/**
 * The project binding in `.kittify/config.yaml` under `tracker:`: the keys spec-kitty's Python
 * tracker also reads (`provider`, `workspace`, `doctrine`, `egress`) plus ours (`server_url`,
 * `options`, `lanes`, `bulk_threshold`). Reading is lenient, as the Python tracker's is, so a file
 * either one wrote reads the same in both (blank strings are null); writing touches only the
 * `tracker:` block, so every other key, comment and quote style stays byte-for-byte, and unknown
 * `tracker:` keys (the Python tracker's own among them) survive.
 */

/** Egress consent as recorded: absent, one of the two legal values, or anything else (a fault). */
export type EgressSetting =
  | {readonly state: 'absent'}
  | {readonly state: 'permitted'}
  | {readonly state: 'refused'}
  | {readonly state: 'fault'; readonly raw: unknown};

export const DEFAULT_DOCTRINE_MODE = 'external_authoritative';

export interface TrackerBinding {
  readonly provider: string | null;
  readonly workspace: string | null;
  readonly serverUrl: string | null;
  readonly doctrine: {readonly mode: string; readonly fieldOwners: Readonly<Record<string, string>>};
  readonly egress: EgressSetting;
  /** Provider-specific non-secret options for the connector. */
  readonly options: Readonly<Record<string, JsonValue>>;
  /** spec-kitty lane -> canonical status, for the work-package columns. */
  readonly lanes: Readonly<Record<string, string>>;
  /** Above this many remote writes, a push asks for `--yes`. */
  readonly bulkThreshold: number | null;
  /** `tracker:` keys we do not know, kept as they are on every rewrite. */
  readonly unknownKeys: readonly string[];
  /**
   * The Python spec-kitty CLI's SaaS binding (`binding_ref`, else the older `project_slug`):
   * the tracker is reached through spec-kitty's service, not directly. Null for a direct binding.
   */
  readonly saasBindingRef: string | null;
}

/** What `bind` writes; egress and unknown keys are carried over from the file. */
export interface TrackerBindingUpdate {
  readonly provider: string;
  readonly workspace: string;
  readonly serverUrl: string | null;
  readonly doctrineMode: string;
  readonly fieldOwners: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, JsonValue>>;
  /** Recorded only when no egress value is recorded yet. */
  readonly egressIfAbsent: 'permitted' | 'refused' | null;
}

export class ConfigFileError extends TrackerError {}

const KNOWN_KEYS = new Set([
  'provider',
  'workspace',
  'server_url',
  'doctrine',
  'egress',
  'options',
  'lanes',
  'bulk_threshold',
]);

/** An empty binding: what a project without `tracker:` has. */
export function emptyBinding(): TrackerBinding {
  return {
    provider: null,
    workspace: null,
    serverUrl: null,
    doctrine: {mode: DEFAULT_DOCTRINE_MODE, fieldOwners: {}},
    egress: {state: 'absent'},
    options: {},
    lanes: {},
    bulkThreshold: null,
    unknownKeys: [],
    saasBindingRef: null,
  };
}

/** Reads the binding. A missing file is an empty binding; malformed YAML names the file and line. */
export function readTrackerBinding(configPath: string, projectRoot?: string): TrackerBinding {
  if (!existsSync(configPath)) return emptyBinding();
  // Every command reads the binding: the plain YAML the tracker writes is read without the
  // library (see simple-yaml.ts); anything else, errors included, goes through it.
  const simple = parseSimpleYaml(readFileSync(configPath, 'utf8'));
  if (simple !== undefined) return bindingFromJs(simple);
  const doc = parseConfig(configPath, projectRoot);
  return bindingFromDocument(doc);
}

/** True when the binding names a provider and a workspace. */
export function isBound(
  binding: TrackerBinding,
): binding is TrackerBinding & {provider: string; workspace: string} {
  return binding.provider !== null && binding.workspace !== null;
}

function parseConfig(configPath: string, projectRoot?: string): Document {
  const text = readFileSync(configPath, 'utf8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {prettyErrors: false, lineCounter});
  const shown = projectRoot ? relative(projectRoot, configPath) : configPath;
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    const pos = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
    const where = pos ? `${shown}:${pos.line}:${pos.col}` : shown;
    throw new ConfigFileError(`Malformed YAML in ${where}: ${error.message.split('\n')[0]}`, {
      hint: `Fix the YAML syntax in ${shown} (line ${pos?.line ?? '?'}), then run the command again.`,
    });
  }
  assertAliasesBounded(doc, shown, lineCounter);
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new ConfigFileError(`${shown} does not hold a mapping at the top level.`, {
      hint: `Make ${shown} a YAML mapping (key: value lines), or move it aside and run \`spec-kitty tracker bind\` again.`,
    });
  }
  return doc;
}

/**
 * Refuses a document whose aliases expand beyond the yaml library's bound (an "alias bomb":
 * a few lines that would expand to billions of nodes). The library stops it with a bare
 * ReferenceError; this names the file and the first alias, and says what to do.
 */
function assertAliasesBounded(doc: Document, shown: string, lineCounter: LineCounter): void {
  try {
    doc.toJS();
  } catch (error) {
    if (!(error instanceof ReferenceError) || !/alias/i.test(error.message)) throw error;
    let at: number | undefined;
    visit(doc, {
      Alias(_, node) {
        at = node.range?.[0];
        return visit.BREAK;
      },
    });
    const pos = at === undefined ? undefined : lineCounter.linePos(at);
    const where = pos ? `${shown}:${pos.line}:${pos.col}` : shown;
    throw new ConfigFileError(
      `${where}: the YAML aliases (*name) expand to too many nodes to read safely (${error.message.split('\n')[0]}).`,
      {
        hint: `Write the values out in ${shown} instead of repeating them through aliases (spec-kitty tracker itself writes none), then run the command again.`,
      },
    );
  }
}

function bindingFromDocument(doc: Document): TrackerBinding {
  return bindingFromJs(doc.toJS() as unknown);
}

function bindingFromJs(root: unknown): TrackerBinding {
  const tracker = isJsonObject(root as JsonValue) ? (root as Record<string, unknown>).tracker : undefined;
  if (!isJsonObject(tracker as JsonValue)) return emptyBinding();
  const t = tracker as Record<string, unknown>;
  const doctrine = isJsonObject(t.doctrine as JsonValue) ? (t.doctrine as Record<string, unknown>) : {};
  const egress: EgressSetting = !('egress' in t)
    ? {state: 'absent'}
    : t.egress === 'permitted'
      ? {state: 'permitted'}
      : t.egress === 'refused'
        ? {state: 'refused'}
        : {state: 'fault', raw: t.egress};
  const threshold = t.bulk_threshold;
  return {
    provider: text(t.provider)?.toLowerCase() ?? null,
    workspace: text(t.workspace),
    serverUrl: text(t.server_url),
    doctrine: {
      mode: text(doctrine.mode) ?? DEFAULT_DOCTRINE_MODE,
      fieldOwners: stringMap(doctrine.field_owners),
    },
    egress,
    options: isJsonObject(t.options as JsonValue) ? (t.options as Record<string, JsonValue>) : {},
    lanes: stringMap(t.lanes),
    bulkThreshold:
      typeof threshold === 'number' && Number.isInteger(threshold) && threshold >= 0 ? threshold : null,
    unknownKeys: Object.keys(t)
      .filter((key) => !KNOWN_KEYS.has(key))
      .sort(),
    saasBindingRef: text(t.binding_ref) ?? text(t.project_slug),
  };
}

function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function stringMap(value: unknown): Record<string, string> {
  if (!isJsonObject(value as JsonValue)) return {};
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const k = key.trim();
    const v = raw === null || raw === undefined ? '' : String(raw).trim();
    if (k !== '' && v !== '') out[k] = v;
  }
  return out;
}

/** Writes the binding, keeping unknown `tracker:` keys and a recorded egress value. */
export function writeTrackerBinding(
  configPath: string,
  update: TrackerBindingUpdate,
  projectRoot?: string,
): TrackerBinding {
  return rewriteTrackerBlock(
    configPath,
    (doc) => {
      const tracker = ensureTrackerMap(doc);
      setOrDelete(tracker, 'provider', update.provider);
      setOrDelete(tracker, 'workspace', update.workspace);
      setOrDelete(tracker, 'server_url', update.serverUrl);
      const doctrine = tracker.get('doctrine', true);
      const doctrineMap = isMap(doctrine) ? doctrine : new YAMLMap();
      doctrineMap.set('mode', update.doctrineMode);
      doctrineMap.set('field_owners', doc.createNode(sortedObject(update.fieldOwners)));
      tracker.set('doctrine', doctrineMap);
      if (Object.keys(update.options).length > 0)
        tracker.set('options', doc.createNode(sortedObject(update.options)));
      else tracker.delete('options');
      if (!tracker.has('egress') && update.egressIfAbsent !== null)
        tracker.set('egress', update.egressIfAbsent);
    },
    projectRoot,
  );
}

/**
 * Removes the binding. A recorded egress value is kept (a refusal must survive unbind/rebind);
 * without one the `tracker:` block goes away entirely.
 */
export function clearTrackerBinding(configPath: string, projectRoot?: string): TrackerBinding {
  if (!existsSync(configPath)) return emptyBinding();
  return rewriteTrackerBlock(
    configPath,
    (doc) => {
      const tracker = doc.get('tracker', true);
      if (!isMap(tracker)) {
        doc.delete('tracker');
        return;
      }
      const egress = tracker.get('egress', true);
      if (!tracker.has('egress')) {
        doc.delete('tracker');
        return;
      }
      const kept = new YAMLMap();
      kept.set('egress', egress);
      doc.set('tracker', kept);
    },
    projectRoot,
  );
}

/** Records egress consent (`permitted` or `refused`), replacing any recorded value. */
export function writeEgress(
  configPath: string,
  value: 'permitted' | 'refused',
  projectRoot?: string,
): TrackerBinding {
  return rewriteTrackerBlock(configPath, (doc) => ensureTrackerMap(doc).set('egress', value), projectRoot);
}

function ensureTrackerMap(doc: Document): YAMLMap {
  const current = doc.get('tracker', true);
  if (isMap(current)) return current;
  const created = new YAMLMap();
  doc.set('tracker', created);
  return created;
}

function setOrDelete(map: YAMLMap, key: string, value: string | null): void {
  if (value === null) {
    map.delete(key);
    return;
  }
  const existing = map.get(key, true);
  // Keep the user's quote style when the value is unchanged.
  if (isScalar(existing) && existing.value === value) return;
  map.set(key, value);
}

function sortedObject<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, record[key]]),
  );
}

/**
 * Applies `mutate` to the parsed file, then splices only the re-rendered `tracker:` entry into
 * the original text: everything outside that entry keeps its exact bytes. Checked by the secret
 * guard and written atomically.
 */
function rewriteTrackerBlock(
  configPath: string,
  mutate: (doc: Document) => void,
  projectRoot?: string,
): TrackerBinding {
  const exists = existsSync(configPath);
  const original = exists ? readFileSync(configPath, 'utf8') : '';
  const doc = exists ? parseConfig(configPath, projectRoot) : parseDocument('');
  if (doc.contents === null) doc.contents = new YAMLMap() as never;
  const before = findTrackerPair(doc);
  const span = before ? pairSpan(original, before) : null;
  mutate(doc);
  const after = findTrackerPair(doc);
  const rendered = after ? renderTrackerPair(after) : '';

  let next: string;
  if (span) {
    next = original.slice(0, span.start) + rendered + original.slice(span.end);
  } else if (isMap(doc.contents) && (doc.contents as YAMLMap).flow) {
    next = doc.toString({lineWidth: 0}); // a flow-style top level: nothing to splice into
  } else if (rendered === '') {
    next = original;
  } else {
    const separator = original === '' || original.endsWith('\n') ? '' : '\n';
    next = original + separator + rendered;
  }

  if (next !== original) {
    assertNoSecrets(configPath, next, {root: projectRoot});
    mkdirSync(dirname(configPath), {recursive: true});
    writeFileAtomicSync(configPath, next);
  }
  return bindingFromDocument(parseDocument(next));
}

function findTrackerPair(doc: Document): Pair | undefined {
  if (!isMap(doc.contents)) return undefined;
  // Parsed keys are Scalars; keys added with `set` are plain strings.
  return (doc.contents as YAMLMap).items.find(
    (pair) => (isScalar(pair.key) ? pair.key.value : pair.key) === 'tracker',
  ) as Pair | undefined;
}

/** The character span of a top-level pair in the source, including its line break. */
function pairSpan(source: string, pair: Pair): {start: number; end: number} | null {
  const key = pair.key as Scalar | null;
  if (!key?.range) return null;
  const value = pair.value as {range?: [number, number, number]} | null;
  let end = value?.range ? value.range[2] : key.range[2];
  if (end < key.range[1]) end = key.range[1];
  if (source[end - 1] !== '\n') {
    // Skip the rest of the line (a trailing comment) and its line break.
    const newline = source.indexOf('\n', end);
    end = newline === -1 ? source.length : newline + 1;
  }
  return {start: key.range[0], end};
}

function renderTrackerPair(pair: Pair): string {
  const single = new Document({});
  // A fresh key: a comment above `tracker:` lives outside the spliced span and must not repeat.
  (single.contents as YAMLMap).set(new Scalar('tracker'), pair.value);
  return single.toString({lineWidth: 0});
}

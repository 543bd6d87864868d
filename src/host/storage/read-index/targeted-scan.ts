import * as fs from 'node:fs';
import * as path from 'node:path';

import {compareEvents, type TrackerEvent} from '../../../core/log/events.js';
import {TrackerState} from '../../../core/log/tracker-state.js';
import {canonicalJson} from '../../../core/serialization/canonical-json.js';
import {parseSegment} from '../segment-file.js';
import {listSegments} from '../segment-listing.js';
import {
  holdsKelvinSign,
  linesHolding,
  linesHoldingCaseless,
  type LineSpan,
  type MatchStart,
} from './byte-search.js';
import {identitiesOf} from './event-identities.js';
import {globalOf, recordOf} from './index-builder.js';
import {INDEX_FORMAT, INDEX_VERSION, type OverlayFile} from './index-format.js';
import {ReadIndexView} from './read-index.js';

/**
 * `show KEY` in a clone without a read index, answered without folding the whole log: the
 * segments are read as bytes and searched for the lines naming the issue (its id or key as
 * canonical JSON ends it, `12"` or `proj-7"` in any case, which also ends its identity), its
 * neighbours by any relation, the issues claiming a neighbour as their child (that decides whose
 * child it is), the drafts they were created from, their comments' and conflicts' later events,
 * every mapping event and every draft's creation. Only those lines are parsed, deduplicated by
 * event id (first in listing order wins) and applied with `TrackerState.apply` in fold order, as
 * the full fold applies them. The entries of an issue depend only on events naming it, so these entries are
 * the full fold's; the result is a view as the index gives, and `show` reads it the same way.
 *
 * Keys match as `resolveIssueKey` matches them: an identity exactly, a key or id in any case,
 * `#` or not. Null whenever the answer could differ from the full fold's: an identity
 * (`system:workspace:id`) that is not a live issue's (a key might then be meant), a key with
 * characters outside printable ASCII (their lower case is not a byte rule), a key holding `k`
 * in a log holding the Kelvin sign (its lower case is `k`), an event kind this code does not
 * know, a bad or torn line, too many neighbours.
 */
export function targetedShowView(root: string, eventsDir: string, key: string): ReadIndexView | null {
  const wanted = key.trim();
  if (wanted.split(':').length >= 3) return identityView(root, eventsDir, wanted);
  const bare = wanted.toLowerCase().replace(/^#/, '');
  if (!/^[\x20-\x7e]+$/.test(bare)) return null;
  const scan = openScan(root, eventsDir, bare);
  if (scan === null || (bare.includes('k') && holdsKelvinSign(scan.buffers))) return null;
  // `proj-7"` in any case finds `"PROJ-7"` and `"#PROJ-7"` (keys), `"proj-7"` (an id) and the
  // end of an identity: every string that a key or id matching `PROJ-7` ends.
  return scan.run([{text: closing(bare), level: KEY_LEVEL, start: 'key', caseless: true}]);
}

/** A full identity: answered only when it names a live issue, for then it wins over any key. */
function identityView(root: string, eventsDir: string, identity: string): ReadIndexView | null {
  const id = idOf(identity);
  if (id === '') return null;
  const scan = openScan(root, eventsDir, id.toLowerCase());
  const view = scan && scan.run([{text: closing(id), level: KEY_LEVEL, start: 'key'}]);
  return view !== null && view.liveIssue(identity) !== null ? view : null;
}

/** The segments read for a scan about `key` (lower case), or null when they cannot be. */
function openScan(root: string, eventsDir: string, key: string): TargetedScan | null {
  try {
    const scan = new TargetedScan(root, eventsDir, key);
    return scan.usable ? scan : null;
  } catch {
    return null;
  }
}

/** Neighbour levels gathered: the issue (0), its neighbours (1), theirs (2). */
const MAX_LEVEL = 2;
/** Lines found by the key: what they name is level 0. */
const KEY_LEVEL = -1;
/** Lines applied but not followed: every mapping event and every draft's creation. */
const NO_FOLLOW = MAX_LEVEL + 1;
/**
 * Each needle is one pass over the segments' bytes (about 0.3 ms per MB; parsing and folding
 * them costs about 24): past this many distinct needles (an issue with many neighbours, such
 * as an epic's child) the scan would cost about what the build costs, so the build answers.
 */
const MAX_NEEDLES = 128;

interface Needle {
  readonly text: string;
  readonly level: number;
  /** Where a match may start (a ref's id or key, an identity's id); anywhere if not said. */
  readonly start?: MatchStart;
  /** Letters in any case (the key's needle); else byte for byte. */
  readonly caseless?: boolean;
}

/** What tells needles apart: their text, where it may start, whether its letters match in any case. */
function needleName(needle: Needle): string {
  return [needle.caseless ? 'caseless' : 'exact', needle.start ?? 'anywhere', needle.text].join('\u0001');
}

interface Found {
  readonly event: TrackerEvent;
  /** Segment and byte start of the line: the first in listing order wins. */
  readonly position: number;
  level: number;
}

class TargetedScan {
  private readonly names: string[];
  readonly buffers: Buffer[];
  /** Needles searched, as `name NUL level`. */
  private readonly searched = new Set<string>();
  /** Lines found per needle name. */
  private readonly hits = new Map<string, LineSpan[]>();
  /** Identities the key may name (by id or key). */
  private readonly keyMatches = new Set<string>();
  /** Ids of gathered comments and conflicts (later events name them). */
  private readonly eventIds = new Set<string>();
  /** Gathered identities and the level they were reached at. */
  private readonly levels = new Map<string, number>();
  readonly usable: boolean;

  constructor(
    root: string,
    eventsDir: string,
    private readonly key: string,
  ) {
    const display = (name: string): string =>
      path.relative(root, path.join(eventsDir, name)).split(path.sep).join('/');
    this.names = [...listSegments(root, eventsDir, display).segments.keys()];
    this.buffers = this.names.map((name) => readNoFollow(path.join(eventsDir, name)));
    // A torn last line is a warning of the full fold's: let it say so.
    this.usable = this.buffers.every((b) => b.length === 0 || b[b.length - 1] === 10);
  }

  run(keyNeedles: Needle[]): ReadIndexView | null {
    const events = new Map<string, Found>();
    let needles: Needle[] = keyNeedles;
    for (let round = 0; needles.length > 0; round += 1) {
      const texts = new Set([...this.hits.keys(), ...needles.map(needleName)]);
      if (texts.size > MAX_NEEDLES || round > 16) return null;
      const next: Needle[] = [];
      for (const found of this.search(needles)) {
        if (found === null) return null;
        const relevant = this.relevant(found.event, found.level);
        if (relevant === null) return null;
        if (!relevant) continue;
        const seen = events.get(found.event.event_id);
        if (seen === undefined) {
          events.set(found.event.event_id, found);
        } else {
          // The same id on two lines: the first in listing order wins; other content, then only
          // the full fold can tell which one that is.
          if (seen.position !== found.position && canonicalJson(seen.event) !== canonicalJson(found.event))
            return null;
          if (seen.level <= found.level) continue;
          seen.level = found.level;
        }
        const more = this.follow(found.event, found.level);
        if (more === null) return null;
        next.push(...more);
      }
      if (round === 0) {
        // No line names an issue the key may mean: an unknown key, which the build explains;
        // one pass over the bytes, not the mapping and draft passes, before it does.
        if (this.keyMatches.size === 0) return null;
        next.push(
          {text: '"kind": "mapping_', level: NO_FOLLOW},
          {text: '"kind": "remote_created"', level: NO_FOLLOW},
        );
      }
      needles = next.filter((n) => !this.searched.has(`${needleName(n)}\u0000${n.level}`));
    }
    return this.view([...events.values()].map((e) => e.event));
  }

  /**
   * Whether a line a needle found is about what is gathered (a needle is found by its bytes:
   * `12"` also ends a label `"area:12"`): it names or refers to a gathered identity, or to the
   * key, or is the later event of a gathered comment or conflict. Null for an event kind this
   * code does not know.
   */
  private relevant(event: TrackerEvent, level: number): boolean | null {
    if (level === NO_FOLLOW) return true;
    if (event.kind === 'comment_sent') return this.eventIds.has(event.comment_id);
    if (event.kind === 'conflict_closed') return event.conflict_ids.some((id) => this.eventIds.has(id));
    const names = this.namesOf(event);
    if (names === null) return null;
    if (level === KEY_LEVEL) return names.some((identity) => this.keyMatches.has(identity));
    return names.some((identity) => this.levels.has(identity));
  }

  /** Identities `event` names, then those of the refs in it; null for an unknown kind. */
  private namesOf(event: TrackerEvent): string[] | null {
    const named: string[] = [];
    for (const identity of identitiesOf(event)) {
      if (identity === null) return null;
      named.push(identity);
    }
    const refs = refsIn(event, this.key, this.keyMatches);
    for (const identity of named)
      if (idOf(identity).toLowerCase() === this.key) this.keyMatches.add(identity);
    return [...named, ...[...refs].filter((identity) => !named.includes(identity))];
  }

  /**
   * Needles for what `event` names: the identities it names (their lines, one level on; a
   * draft and the issue it became are one node, so the same level), refs anywhere in it
   * (relations, one level on), its id when later events name it by id. From a line the key
   * found, the issues the key may mean are level 0 and the rest level 1.
   */
  private follow(event: TrackerEvent, level: number): Needle[] | null {
    if (level === NO_FOLLOW) return [];
    const out: Needle[] = [];
    const names = this.namesOf(event);
    if (names === null) return null;
    const named = new Set(identitiesOf(event) as Iterable<string>);
    const created = event.kind === 'remote_created';
    const keyed = level === KEY_LEVEL && created && names.some((i) => named.has(i) && this.keyMatches.has(i));
    const claims = level >= 1 && claimsChild(event, (identity) => (this.levels.get(identity) ?? 9) <= 1);
    for (const identity of names) {
      let at: number;
      if (level === KEY_LEVEL) at = this.keyMatches.has(identity) || (keyed && named.has(identity)) ? 0 : 1;
      else if (named.has(identity) && created) at = level;
      else if (level === 0 || (named.has(identity) && claims)) at = level + 1;
      else continue;
      const needles = this.gather(identity, at);
      if (needles === null) return null;
      out.push(...needles);
    }
    if (event.kind === 'comment_added' || event.kind === 'conflict_recorded') {
      this.eventIds.add(event.event_id);
      out.push({text: closing(event.event_id), level: Math.max(level, 0)});
    }
    return out;
  }

  /**
   * The needle of an identity's lines: its id (the part after the last colon) and the closing
   * quote, as canonical JSON writes them. Every line naming the issue holds it: a ref's
   * `"id": "12"`, an identity's `"github:acme/app:12"`. Starting after the quote keeps the
   * search fast (a quote starts every string) and one needle finds both forms; a match must
   * start a ref's id or follow a colon, which leaves out `"112"` before its line is parsed.
   */
  private gather(identity: string, level: number): Needle[] | null {
    if (level > MAX_LEVEL) return [];
    const known = this.levels.get(identity);
    if (known !== undefined && known <= level) return [];
    this.levels.set(identity, level);
    const id = idOf(identity);
    return id === '' ? null : [{text: closing(id), level, start: 'id'}];
  }

  /** The lines holding any of `needles`, parsed (null for a bad line), with their level. */
  private search(needles: Needle[]): (Found | null)[] {
    const out: (Found | null)[] = [];
    const byLevel = new Map<number, Needle[]>();
    for (const needle of needles) {
      const name = `${needleName(needle)}\u0000${needle.level}`;
      if (this.searched.has(name)) continue;
      this.searched.add(name);
      if (!byLevel.has(needle.level)) byLevel.set(needle.level, []);
      byLevel.get(needle.level)!.push(needle);
    }
    for (const [level, texts] of [...byLevel].sort((a, b) => a[0] - b[0])) {
      const starts = this.names.map(() => new Map<number, number>());
      for (const needle of texts)
        for (const [s, start, end] of this.linesOf(needle)) starts[s]!.set(start, end);
      for (let s = 0; s < this.buffers.length; s += 1) {
        if (starts[s]!.size === 0) continue;
        const lines = [...starts[s]!].sort((a, b) => a[0] - b[0]);
        const events = this.parse(s, lines);
        if (events === null || events.length !== lines.length) return [null];
        events.forEach((event, i) => out.push({event, position: s * 2 ** 32 + lines[i]![0], level}));
      }
    }
    return out;
  }

  /** The lines holding `needle` (segment, byte start, end), found once however often asked. */
  private linesOf(needle: Needle): LineSpan[] {
    const name = needleName(needle);
    let lines = this.hits.get(name);
    if (lines === undefined) {
      lines = needle.caseless
        ? linesHoldingCaseless(this.buffers, needle.text, needle.start)
        : linesHolding(this.buffers, needle.text, needle.start);
      this.hits.set(name, lines);
    }
    return lines;
  }

  /** The lines, parsed with the fold's strict parser; null for a bad one. */
  private parse(s: number, lines: [number, number][]): TrackerEvent[] | null {
    const bytes = this.buffers[s]!;
    const text = lines.map(([start, end]) => bytes.toString('utf8', start, end)).join('\n');
    try {
      return parseSegment(this.names[s]!, `${text}\n`, this.names[s]!).events;
    } catch {
      return null;
    }
  }

  /**
   * The gathered events folded: deduplicated by id in listing order (the full fold's first seen),
   * applied in fold order; every entry goes into the view, as an overlay with no base.
   */
  private view(gathered: TrackerEvent[]): ReadIndexView {
    const state = new TrackerState();
    for (const event of [...gathered].sort(compareEvents)) state.apply(event);
    const overlay: OverlayFile = {
      format: INDEX_FORMAT,
      version: INDEX_VERSION,
      baseId: '',
      seq: 0,
      listing: '',
      global: globalOf(state, new Set(), []),
      entries: [...state.issues.values()].map((entry) => [-1, recordOf(entry)]),
    };
    return new ReadIndexView(null, overlay, {update: 'none', listed: true});
  }
}

/**
 * Identities of every ref-shaped object (system, workspace, id) anywhere in `value`; those whose
 * id or key (`#` aside, in any case) is `key` also go to `keyMatches`.
 */
function refsIn(value: unknown, key: string, keyMatches: Set<string>, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) refsIn(item, key, keyMatches, out);
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const {system, workspace, id} = record;
    if (typeof system === 'string' && typeof workspace === 'string' && typeof id === 'string') {
      const identity = [system, workspace, id].join(':');
      out.add(identity);
      const refKey = typeof record.key === 'string' ? record.key.toLowerCase().replace(/^#/, '') : null;
      if (id.toLowerCase() === key || refKey === key) keyMatches.add(identity);
    }
    for (const item of Object.values(record)) refsIn(item, key, keyMatches, out);
  }
  return out;
}

/**
 * Whether `event` has an issue claim another as its child (`parent_of`) that `wanted` says is a
 * neighbour: the one relation of an issue two steps away that decides what `show` prints (whose
 * child a neighbour is); the rest of its relations touch neither the issue nor its neighbours.
 */
function claimsChild(value: unknown, wanted: (identity: string) => boolean): boolean {
  if (Array.isArray(value)) return value.some((item) => claimsChild(item, wanted));
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  if (record.type === 'parent_of') {
    for (const identity of refsIn(record.target, '', new Set())) if (wanted(identity)) return true;
  }
  return Object.values(record).some((item) => claimsChild(item, wanted));
}

function idOf(identity: string): string {
  return identity.slice(identity.lastIndexOf(':') + 1);
}

/** A string as canonical JSON writes it, without its opening quote. */
function closing(text: string): string {
  return canonicalJson(text).slice(1);
}

function readNoFollow(file: string): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

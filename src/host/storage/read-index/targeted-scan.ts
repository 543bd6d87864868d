import * as fs from 'node:fs';
import * as path from 'node:path';

import {compareEvents, type TrackerEvent} from '../../../core/log/events.js';
import {TrackerState} from '../../../core/log/tracker-state.js';
import {canonicalJson} from '../../../core/serialization/canonical-json.js';
import {parseSegment} from '../segment-file.js';
import {listSegments} from '../segment-listing.js';
import {identitiesOf} from './event-identities.js';
import {globalOf, recordOf} from './index-builder.js';
import {INDEX_FORMAT, INDEX_VERSION, type OverlayFile} from './index-format.js';
import {ReadIndexView} from './read-index.js';

/**
 * `show KEY` in a clone without a read index, answered without folding the whole log: the
 * segments are read as bytes and searched for the lines naming the issue (its key or id as a
 * JSON string, its identity), its relations' neighbours and theirs (whose other parents decide
 * whose children they are), drafts that became them, their comments' and conflicts' later
 * events, and every mapping event. Only those lines are parsed, deduplicated by event id (first
 * in listing order wins) and applied with `TrackerState.apply` in fold order, as the full fold
 * applies them. The entries of an issue depend only on events naming it, so these entries are
 * the full fold's; the result is a view as the index gives, and `show` reads it the same way.
 *
 * Null whenever the answer could differ from the full fold's: a key that is not a number (keys
 * match case-insensitively, which a byte search cannot bound), an identity whose id cannot be
 * told apart, an event kind this code does not know, a bad or torn line, too many neighbours.
 */
export function targetedShowView(root: string, eventsDir: string, key: string): ReadIndexView | null {
  const wanted = key.trim();
  if (!/^#?\d+$/.test(wanted)) return null;
  const bare = wanted.replace(/^#/, '');
  let scan: TargetedScan;
  try {
    scan = new TargetedScan(root, eventsDir);
  } catch {
    return null;
  }
  if (!scan.usable) return null;
  return scan.run([quoted(bare), quoted(`#${bare}`)]);
}

/** Neighbour levels gathered: the issue (0), its neighbours (1), theirs (2). */
const MAX_LEVEL = 2;
/** Lines found by the key: what they name is level 0. */
const KEY_LEVEL = -1;
/** Lines applied but not followed: every mapping event and every draft's creation. */
const NO_FOLLOW = MAX_LEVEL + 1;
/** Beyond this many needles the targeted answer costs what a build costs: build instead. */
const MAX_NEEDLES = 400;

interface Needle {
  readonly text: string;
  readonly level: number;
}

interface Found {
  readonly event: TrackerEvent;
  /** Segment and byte start of the line: the first in listing order wins. */
  readonly position: number;
  level: number;
}

class TargetedScan {
  private readonly names: string[];
  private readonly buffers: Buffer[];
  /** Needles searched, as `text NUL level`. */
  private readonly searched = new Set<string>();
  /** Gathered identities and the level they were reached at. */
  private readonly levels = new Map<string, number>();
  readonly usable: boolean;

  constructor(root: string, eventsDir: string) {
    const display = (name: string): string =>
      path.relative(root, path.join(eventsDir, name)).split(path.sep).join('/');
    this.names = [...listSegments(root, eventsDir, display).segments.keys()];
    this.buffers = this.names.map((name) => readNoFollow(path.join(eventsDir, name)));
    // A torn last line is a warning of the full fold's: let it say so.
    this.usable = this.buffers.every((b) => b.length === 0 || b[b.length - 1] === 10);
  }

  run(keyNeedles: string[]): ReadIndexView | null {
    const events = new Map<string, Found>();
    let needles: Needle[] = [
      ...keyNeedles.map((text) => ({text, level: KEY_LEVEL})),
      {text: '"kind": "mapping_', level: NO_FOLLOW},
      {text: '"kind": "remote_created"', level: NO_FOLLOW},
    ];
    for (let round = 0; needles.length > 0; round += 1) {
      if (this.searched.size + needles.length > MAX_NEEDLES || round > 16) return null;
      const next: Needle[] = [];
      for (const found of this.search(needles)) {
        if (found === null) return null;
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
      needles = next.filter((n) => !this.searched.has(`${n.text}\u0000${n.level}`));
    }
    return this.view([...events.values()].map((e) => e.event));
  }

  /**
   * Needles for what `event` names: the identities it names (their lines, one level on; a
   * draft and the issue it became are one node, so the same level), refs anywhere in it
   * (relations, one level on), its id when later events name it by id.
   */
  private follow(event: TrackerEvent, level: number): Needle[] | null {
    if (level === NO_FOLLOW) return [];
    const out: Needle[] = [];
    const named: string[] = [];
    for (const identity of identitiesOf(event)) {
      if (identity === null) return null;
      named.push(identity);
    }
    const namedLevel = event.kind === 'remote_created' ? Math.max(level, 0) : level + 1;
    for (const identity of [...named, ...refsIn(event)]) {
      const needles = this.gather(identity, named.includes(identity) ? namedLevel : Math.max(level + 1, 1));
      if (needles === null) return null;
      out.push(...needles);
    }
    if (event.kind === 'comment_added' || event.kind === 'conflict_recorded')
      out.push({text: quoted(event.event_id), level: Math.max(level, 0)});
    return out;
  }

  /** The needles of an identity's lines: the identity and its id, as JSON strings. */
  private gather(identity: string, level: number): Needle[] | null {
    if (level > MAX_LEVEL) return [];
    const known = this.levels.get(identity);
    if (known !== undefined && known <= level) return [];
    this.levels.set(identity, level);
    const parts = identity.split(':');
    if (parts.length !== 3 || parts[2] === '') return null;
    return [
      {text: quoted(identity), level},
      {text: quoted(parts[2]!), level},
    ];
  }

  /** The lines holding any of `needles`, parsed (null for a bad line), with their level. */
  private search(needles: Needle[]): (Found | null)[] {
    const out: (Found | null)[] = [];
    const byLevel = new Map<number, Set<string>>();
    for (const {text, level} of needles) {
      this.searched.add(`${text}\u0000${level}`);
      if (!byLevel.has(level)) byLevel.set(level, new Set());
      byLevel.get(level)!.add(text);
    }
    for (const [level, texts] of [...byLevel].sort((a, b) => a[0] - b[0])) {
      for (let s = 0; s < this.buffers.length; s += 1) {
        const starts = new Map<number, number>();
        for (const text of texts) this.findLines(s, Buffer.from(text, 'utf8'), starts);
        if (starts.size === 0) continue;
        const lines = [...starts].sort((a, b) => a[0] - b[0]);
        const events = this.parse(s, lines);
        if (events === null || events.length !== lines.length) return [null];
        events.forEach((event, i) => out.push({event, position: s * 2 ** 32 + lines[i]![0], level}));
      }
    }
    return out;
  }

  /** Adds the lines of segment `s` holding `needle` to `starts` (byte start -> end). */
  private findLines(s: number, needle: Buffer, starts: Map<number, number>): void {
    const bytes = this.buffers[s]!;
    for (let at = bytes.indexOf(needle); at !== -1;) {
      const start = bytes.lastIndexOf(10, at) + 1;
      const end = bytes.indexOf(10, at);
      starts.set(start, end);
      at = bytes.indexOf(needle, end);
    }
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

/** Identities of every ref-shaped object (system, workspace, id) anywhere in `value`. */
function refsIn(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) refsIn(item, out);
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const {system, workspace, id} = record;
    if (typeof system === 'string' && typeof workspace === 'string' && typeof id === 'string')
      out.add([system, workspace, id].join(':'));
    for (const item of Object.values(record)) refsIn(item, out);
  }
  return out;
}

function quoted(text: string): string {
  return canonicalJson(text);
}

function readNoFollow(file: string): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

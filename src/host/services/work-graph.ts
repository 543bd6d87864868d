import {isLiveEntry, localViewOf, type IssueEntry} from '../../core/log/tracker-state.js';
import type {CanonicalIssue} from '../../core/model/canonical-issue.js';
import {CANONICAL_STATUSES} from '../../core/model/enums.js';
import {refIdentity} from '../../core/model/external-ref.js';

/**
 * The work graph of the cached issues: who is whose parent, who blocks whom. A relation may be
 * recorded on either side (A `blocked_by` B, or B `blocks` A; C's `parent` field, C `child_of` P,
 * or P `parent_of` C), by one tracker or another: the graph is the union of what every cached
 * issue says, as one set of directed edges. Nodes are numbers the caller assigns (a read index
 * record, or a position in the fold); the graph asks the caller for a node's state and identity.
 *
 * Every answer looks one step away (a blocker, a parent, a child), never walks paths: a cycle
 * (A blocks B blocks A) needs no special case and cannot hang a read.
 */

/** How an issue states a relation (its own side of it), as the read index stores it. */
export const DECLARED = {blockedBy: 0, blocks: 1, parentField: 2, childOf: 3, parentOf: 4} as const;
export type Declared = (typeof DECLARED)[keyof typeof DECLARED];

/** The relations `issue` states itself: [how, the other issue's identity]; none to itself. */
export function declaredRelations(issue: CanonicalIssue): [Declared, string][] {
  const self = refIdentity(issue.ref);
  const out: [Declared, string][] = [];
  if (issue.parent !== null) out.push([DECLARED.parentField, refIdentity(issue.parent)]);
  for (const link of issue.links) {
    const how = LINK_DECLARED[link.type];
    if (how !== undefined) out.push([how, refIdentity(link.target)]);
  }
  return out.filter(([, target]) => target !== self);
}

const LINK_DECLARED: Partial<Record<string, Declared>> = {
  blocked_by: DECLARED.blockedBy,
  blocks: DECLARED.blocks,
  child_of: DECLARED.childOf,
  parent_of: DECLARED.parentOf,
};

/** A node's state: an index into `CANONICAL_STATUSES`, or one of these. */
export const STATE_DELETED = 254;
/** Not in the cache (another repository's issue, or one never pulled). */
export const STATE_UNKNOWN = 255;

const DONE = CANONICAL_STATUSES.indexOf('done');
const CANCELED = CANONICAL_STATUSES.indexOf('canceled');
const BLOCKED = CANONICAL_STATUSES.indexOf('blocked');

export function stateCode(status: string): number {
  const code = CANONICAL_STATUSES.indexOf(status as (typeof CANONICAL_STATUSES)[number]);
  return code === -1 ? STATE_UNKNOWN : code;
}

/** Open: a cached issue that is neither done nor canceled. */
export function isOpenState(state: number): boolean {
  return state < CANONICAL_STATUSES.length && state !== DONE && state !== CANCELED;
}

/**
 * Whether a blocker in this state still holds its issue back: an open one, and one the cache
 * does not hold (nothing says it is finished; an agent should not start on the strength of a
 * blocker it cannot see). A deleted blocker no longer does: the tracker dropped its relations
 * with it.
 */
export function stillBlocks(state: number): boolean {
  return state === STATE_UNKNOWN || isOpenState(state);
}

/** Finished, for a parent's done/total: done or canceled. */
export function isFinishedState(state: number): boolean {
  return state === DONE || state === CANCELED;
}

const EDGE_BLOCK = 0;
const EDGE_PARENT = 1;

export interface GraphNodes {
  /** The node's state (see `STATE_*`). */
  stateOf(node: number): number;
  /** The node's identity (ties between parents, and output). */
  identityOf(node: number): string;
}

export class WorkGraph {
  // Edges in typed arrays (100k issues state about as many relations): kind, from, to, and for
  // a parent edge its rank: 0 the child's own field, 1 its `child_of` link, 2 the parent's `parent_of`.
  private kinds = new Uint8Array(64);
  private ranks = new Uint8Array(64);
  private froms = new Uint32Array(64);
  private tos = new Uint32Array(64);
  private size = 0;

  constructor(private readonly nodes: GraphNodes) {}

  /** Records what `declarer` says of `target` (see `DECLARED`). */
  addDeclared(declarer: number, how: number, target: number): void {
    if (declarer === target) return;
    switch (how) {
      case DECLARED.blockedBy:
        return this.push(EDGE_BLOCK, target, declarer, 0);
      case DECLARED.blocks:
        return this.push(EDGE_BLOCK, declarer, target, 0);
      case DECLARED.parentField:
        return this.push(EDGE_PARENT, target, declarer, 0);
      case DECLARED.childOf:
        return this.push(EDGE_PARENT, target, declarer, 1);
      case DECLARED.parentOf:
        return this.push(EDGE_PARENT, declarer, target, 2);
      default:
    }
  }

  private push(kind: number, from: number, to: number, rank: number): void {
    if (this.size === this.kinds.length) {
      const grow = <T extends Uint8Array | Uint32Array>(a: T): T => {
        const next = new (a.constructor as new (n: number) => T)(a.length * 2);
        next.set(a);
        return next;
      };
      this.kinds = grow(this.kinds);
      this.ranks = grow(this.ranks);
      this.froms = grow(this.froms);
      this.tos = grow(this.tos);
    }
    const e = this.size++;
    this.kinds[e] = kind;
    this.froms[e] = from;
    this.tos[e] = to;
    this.ranks[e] = rank;
  }

  /** Nodes held back by at least one blocker that still blocks (one pass over the edges). */
  heldBack(): Set<number> {
    const out = new Set<number>();
    for (let e = 0; e < this.size; e += 1) {
      if (this.kinds[e] === EDGE_BLOCK && stillBlocks(this.nodes.stateOf(this.froms[e]!)))
        out.add(this.tos[e]!);
    }
    return out;
  }

  /**
   * Ready: open, not marked blocked by a person, and no blocker that still blocks.
   * Blocked: open, and marked blocked or held back by a blocker. Every open issue is one or the other.
   */
  static isReady(state: number, heldBack: boolean): boolean {
    return isOpenState(state) && state !== BLOCKED && !heldBack;
  }

  static isBlocked(state: number, heldBack: boolean): boolean {
    return isOpenState(state) && (state === BLOCKED || heldBack);
  }

  /** The issues that block `node` (distinct). */
  blockersOf(node: number): number[] {
    return this.ends(EDGE_BLOCK, this.tos, node, this.froms);
  }

  /** The issues `node` blocks (distinct). */
  blockedBy(node: number): number[] {
    return this.ends(EDGE_BLOCK, this.froms, node, this.tos);
  }

  /**
   * `node`'s parent. An issue has one: when the sides disagree, the child's own `parent` field
   * wins, then its `child_of` link, then a `parent_of` of another issue; ties go by identity.
   */
  parentOf(node: number): number | null {
    return this.parentsOf([node]).get(node) ?? null;
  }

  /** The issues whose parent (as `parentOf` decides) is `node`. */
  childrenOf(node: number): number[] {
    const candidates = this.ends(EDGE_PARENT, this.froms, node, this.tos);
    const parents = this.parentsOf(candidates);
    return candidates.filter((child) => parents.get(child) === node);
  }

  private parentsOf(children: readonly number[]): Map<number, number> {
    const wanted = new Set(children);
    const best = new Map<number, {parent: number; rank: number}>();
    for (let e = 0; e < this.size; e += 1) {
      const child = this.tos[e]!;
      if (this.kinds[e] !== EDGE_PARENT || !wanted.has(child)) continue;
      const parent = this.froms[e]!;
      const rank = this.ranks[e]!;
      const held = best.get(child);
      if (
        held === undefined ||
        rank < held.rank ||
        (rank === held.rank &&
          held.parent !== parent &&
          this.nodes.identityOf(parent) < this.nodes.identityOf(held.parent))
      )
        best.set(child, {parent, rank});
    }
    return new Map([...best].map(([child, {parent}]) => [child, parent]));
  }

  private ends(kind: number, match: Uint32Array, node: number, other: Uint32Array): number[] {
    const out = new Set<number>();
    for (let e = 0; e < this.size; e += 1) {
      if (this.kinds[e] === kind && match[e] === node) out.add(other[e]!);
    }
    return [...out];
  }
}

/** The work graph of the cached issues, and how to name and print its nodes. */
export interface GraphSource {
  readonly graph: WorkGraph;
  /** The node of an identity (a new one for an identity the cache does not hold). */
  nodeOf(identity: string): number;
  stateOf(node: number): number;
  identityOf(node: number): string;
  /** What to print of these nodes: the issue (its last version when deleted), or null when unknown. */
  issuesOf(nodes: readonly number[]): Map<number, CanonicalIssue | null>;
}

/** A cached entry's state (`STATE_*`), from its local view. */
export function entryState(entry: IssueEntry | null): number {
  if (entry === null) return STATE_UNKNOWN;
  if (isLiveEntry(entry)) return stateCode(localViewOf(entry)!.status);
  return entry.deleted && entry.base !== null ? STATE_DELETED : STATE_UNKNOWN;
}

/** The issue to print for an entry: its local view when live, its last version when deleted. */
export function printable(entry: IssueEntry | null): CanonicalIssue | null {
  if (entry === null) return null;
  if (isLiveEntry(entry)) return localViewOf(entry);
  return entry.deleted ? entry.base : null;
}

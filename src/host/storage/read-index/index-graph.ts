import type {IssueEntry} from '../../../core/log/tracker-state.js';
import type {CanonicalIssue} from '../../../core/model/canonical-issue.js';
import {
  DECLARED,
  declaredRelations,
  entryState,
  printable,
  STATE_DELETED,
  STATE_UNKNOWN,
  WorkGraph,
  type GraphSource,
} from '../../services/work-graph.js';
import {SnapshotDamage} from '../packed-issue.js';
import {decodeRecord, type IndexFile} from './index-file.js';
import {FLAG_DELETED, FLAG_LIVE, identityTerm, type IndexRecord} from './index-format.js';
import type {IndexedIssue, ReadIndexView} from './read-index.js';

/**
 * The work graph from the read index: base records are nodes 0..count-1 (their states from the
 * `columns`, their relations from the `relations` section, nothing decoded), overlay entries
 * replace theirs, and identities the base lacks get nodes from `count` on. Building it costs one
 * pass over the relations; printing a node decodes that record only.
 */
export function indexGraph(view: ReadIndexView, scope: GraphScope): GraphSource {
  return new IndexGraph(view, scope);
}

/**
 * What a read needs of the graph: a listing only the blocking relations; `show` only the
 * relations that touch the issue or its neighbours (the neighbours' other parents decide whose
 * children they are). The rest is never added, so neither costs more than one pass over the
 * relations section.
 */
export type GraphScope = {readonly blocking: true} | {readonly around: string};

class IndexGraph implements GraphSource {
  readonly graph: WorkGraph;
  private readonly base: IndexFile | null;
  private readonly count: number;
  private readonly columns: Uint8Array;
  /** Overlay entries by the base record they replace. */
  private readonly replacing = new Map<number, IssueEntry>();
  /** Identities the base does not hold, node `count + k` for the k-th. */
  private readonly outside: string[] = [];
  private readonly outsideNodes = new Map<string, number>();
  /** Identities looked up, and identities of base records read: each record is read once. */
  private readonly named = new Map<string, number>();
  private readonly identities = new Map<number, string>();
  /** The relations sections and the overlay's live entries, read once. */
  private section: {
    triples: Uint32Array;
    byTarget: Uint32Array;
    names: string[];
    overlay: IndexedIssue[];
  } | null = null;
  private nameIndex: Map<string, number> | null = null;
  private overlayStated: Triple[] | null = null;

  constructor(
    private readonly view: ReadIndexView,
    scope: GraphScope,
  ) {
    this.base = view.base;
    this.count = view.base?.header.count ?? 0;
    this.columns = view.base?.columns() ?? new Uint8Array(0);
    for (const {base: number, entry} of view.overlay.values())
      if (number >= 0) this.replacing.set(number, entry);
    this.graph = new WorkGraph({stateOf: (n) => this.stateOf(n), identityOf: (n) => this.identityOf(n)});
    if ('around' in scope) {
      this.addAround(scope.around);
    } else {
      this.eachStated((declarer, how, target) => {
        if (how <= DECLARED.blocks) this.graph.addDeclared(declarer, how, target);
      });
    }
  }

  /**
   * Every relation as (declaring node, how, target node): the base's, but those of records the
   * overlay replaces (it states theirs anew), then the overlay's. A tight loop over the section.
   */
  private eachStated(visit: (declarer: number, how: number, target: number) => void): void {
    const {triples} = this.sections();
    for (let k = 0; k < triples.length / 3; k += 1) {
      const stated = this.baseTriple(k);
      if (stated) visit(stated[0], stated[1], stated[2]);
    }
    for (const [declarer, how, target] of this.overlayTriples()) visit(declarer, how, target);
  }

  private sections(): NonNullable<IndexGraph['section']> {
    this.section ??= {
      triples: this.base?.relations() ?? new Uint32Array(0),
      byTarget: this.base?.relationsByTarget() ?? new Uint32Array(0),
      names: this.base?.relationTargets() ?? [],
      overlay: this.view.overlayLive(),
    };
    return this.section;
  }

  /** Base relation `k` as nodes; null when the overlay replaces its declaring record. */
  private baseTriple(k: number): Triple | null {
    const {triples, names} = this.sections();
    const declarer = triples[3 * k]!;
    if (this.replacing.size > 0 && this.replacing.has(declarer)) return null;
    const to = triples[3 * k + 2]!;
    if (declarer >= this.count || (to >= this.count && to - this.count >= names.length))
      throw new SnapshotDamage('bad relations');
    const target = to < this.count ? to : this.absentNode(names[to - this.count]!);
    return [declarer, triples[3 * k + 1]!, this.resolve(target)];
  }

  private overlayTriples(): Triple[] {
    if (this.overlayStated === null) {
      this.overlayStated = [];
      for (const {entry, issue} of this.sections().overlay) {
        const declarer = this.nodeOf(entry.identity);
        for (const [how, target] of declaredRelations(issue))
          this.overlayStated.push([declarer, how, this.resolve(this.nodeOf(target))]);
      }
    }
    return this.overlayStated;
  }

  /**
   * `show`: the relations touching the issue, then those touching its neighbours (their other
   * parents decide whose children they are), each found by binary search, not by a pass.
   */
  private addAround(identity: string): void {
    const focus = this.nodeOf(identity);
    const near = new Set([focus]);
    for (const [declarer, , target] of this.touching(focus)) near.add(declarer === focus ? target : declarer);
    const added = new Set<string>();
    for (const node of near) {
      for (const [declarer, how, target] of this.touching(node)) {
        const key = `${declarer} ${how} ${target}`;
        if (added.has(key)) continue;
        added.add(key);
        this.graph.addDeclared(declarer, how, target);
      }
    }
  }

  /** The relations `node` states or is named by. */
  private touching(node: number): Triple[] {
    const {triples, byTarget} = this.sections();
    const found = new Set<number>();
    if (node < this.count) {
      const n = triples.length / 3;
      for (let k = lowerBound(n, (k) => triples[3 * k]! < node); k < n && triples[3 * k] === node; k += 1)
        found.add(k);
    }
    for (const raw of this.rawTargets(node)) {
      const n = byTarget.length;
      const at = (j: number) => triples[3 * byTarget[j]! + 2]!;
      for (let j = lowerBound(n, (j) => at(j) < raw); j < n && at(j) === raw; j += 1) found.add(byTarget[j]!);
    }
    const out: Triple[] = [];
    for (const k of found) {
      const stated = this.baseTriple(k);
      if (stated && (stated[0] === node || stated[2] === node)) out.push(stated);
    }
    for (const stated of this.overlayTriples())
      if (stated[0] === node || stated[2] === node) out.push(stated);
    return out;
  }

  /** How the relations section names `node` as a target: itself, and drafts since created as it. */
  private rawTargets(node: number): number[] {
    const raw = [this.rawTarget(node)];
    const created = this.view.global.createdDrafts;
    if (created.length > 0) {
      const identity = this.identityOf(node);
      for (const [draft, remote] of created)
        if (remote === identity) raw.push(this.rawTarget(this.nodeOf(draft)));
    }
    return raw.filter((r) => r !== -1);
  }

  /** The target number of `node` in the relations section (-1: no relation names it). */
  private rawTarget(node: number): number {
    if (node < this.count) return node;
    this.nameIndex ??= new Map(this.sections().names.map((name, k) => [name, this.count + k]));
    return this.nameIndex.get(this.outside[node - this.count]!) ?? -1;
  }

  nodeOf(identity: string): number {
    let node = this.named.get(identity);
    if (node !== undefined) return node;
    const inOverlay = this.view.overlay.get(identity);
    if (inOverlay && inOverlay.base >= 0) node = inOverlay.base;
    else if (!inOverlay && this.base !== null) {
      for (const number of this.base.lookupTerms([identityTerm(identity)])) {
        if (this.base.record(number)[0] === identity) node = number;
      }
    }
    node ??= this.absentNode(identity);
    this.named.set(identity, node);
    this.identities.set(node, identity);
    return node;
  }

  stateOf(node: number): number {
    if (node < this.count && !this.replacing.has(node)) {
      const flags = this.columns[4 * node]!;
      if (flags & FLAG_LIVE) return this.columns[4 * node + 1]!;
      return flags & FLAG_DELETED ? STATE_DELETED : STATE_UNKNOWN;
    }
    return entryState(this.entryOf(node));
  }

  identityOf(node: number): string {
    if (node >= this.count) return this.outside[node - this.count]!;
    let identity = this.replacing.get(node)?.identity ?? this.identities.get(node);
    if (identity === undefined) this.identities.set(node, (identity = this.base!.record(node)[0]));
    return identity;
  }

  issuesOf(wanted: readonly number[]): Map<number, CanonicalIssue | null> {
    const out = new Map<number, CanonicalIssue | null>();
    const plain = wanted.filter((node) => node < this.count && !this.replacing.has(node));
    const decoded = plain.length > 0 ? this.base!.records(plain) : new Map<number, IndexRecord>();
    for (const node of wanted) {
      const record = decoded.get(node);
      if (record) this.identities.set(node, record[0]);
      out.set(node, printable(record ? decodeRecord(record) : this.entryOf(node)));
    }
    return out;
  }

  private absentNode(identity: string): number {
    let node = this.outsideNodes.get(identity);
    if (node === undefined) {
      node = this.count + this.outside.length;
      this.outside.push(identity);
      this.outsideNodes.set(identity, node);
    }
    return node;
  }

  private entryOf(node: number): IssueEntry | null {
    if (node < this.count) return this.replacing.get(node) ?? decodeRecord(this.base!.record(node));
    return this.view.overlay.get(this.outside[node - this.count]!)?.entry ?? null;
  }

  /** A draft pushed since a relation named it: the relation is the created issue's. */
  private resolve(node: number): number {
    const plain = node < this.count && this.columns[4 * node] !== 0;
    if (plain && (this.replacing.size === 0 || !this.replacing.has(node))) return node;
    const createdAs = this.entryOf(node)?.createdAs;
    return createdAs ? this.nodeOf(createdAs) : node;
  }
}

type Triple = [declarer: number, how: number, target: number];

/** The first of 0..n-1 for which `before` is false (`before` holds for a prefix). */
function lowerBound(n: number, before: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

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
  /** The relations section and the overlay's live entries, read once. */
  private section: {triples: Uint32Array; names: string[]; overlay: IndexedIssue[]} | null = null;

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
      const focus = this.nodeOf(scope.around);
      const near = new Set([focus]);
      this.eachStated((declarer, _how, target) => {
        if (declarer === focus) near.add(target);
        else if (target === focus) near.add(declarer);
      });
      this.eachStated((declarer, how, target) => {
        if (near.has(declarer) || near.has(target)) this.graph.addDeclared(declarer, how, target);
      });
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
    this.section ??= {
      triples: this.base?.relations() ?? new Uint32Array(0),
      names: this.base?.relationTargets() ?? [],
      overlay: this.view.overlayLive(),
    };
    const {triples, names, overlay} = this.section;
    const anyReplaced = this.replacing.size > 0;
    for (let k = 0; k < triples.length; k += 3) {
      const declarer = triples[k]!;
      if (anyReplaced && this.replacing.has(declarer)) continue;
      const to = triples[k + 2]!;
      if (declarer >= this.count || (to >= this.count && to - this.count >= names.length))
        throw new SnapshotDamage('bad relations');
      const target = to < this.count ? to : this.absentNode(names[to - this.count]!);
      visit(declarer, triples[k + 1]!, this.resolve(target));
    }
    for (const {entry, issue} of overlay) {
      const declarer = this.nodeOf(entry.identity);
      for (const [how, target] of declaredRelations(issue))
        visit(declarer, how, this.resolve(this.nodeOf(target)));
    }
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

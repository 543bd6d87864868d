import type {IssueEntry} from '../../../core/log/tracker-state.js';
import type {CanonicalIssue} from '../../../core/model/canonical-issue.js';
import {
  declaredRelations,
  entryState,
  printable,
  STATE_DELETED,
  STATE_UNKNOWN,
  WorkGraph,
  type GraphNodes,
  type GraphSource,
} from '../../services/work-graph.js';
import {decodeRecord} from './index-file.js';
import {FLAG_DELETED, FLAG_LIVE, identityTerm} from './index-format.js';
import type {ReadIndexView} from './read-index.js';

/**
 * The work graph from the read index: base records are nodes 0..count-1 (their states from the
 * `columns`, their relations from the `relations` section, nothing decoded), overlay entries
 * replace theirs, and identities the base lacks get nodes from `count` on. Building it costs one
 * pass over the relations; printing a node decodes that record only.
 */
export function indexGraph(view: ReadIndexView): GraphSource {
  const base = view.base;
  const count = base?.header.count ?? 0;
  const columns = base?.columns() ?? new Uint8Array(0);
  const replacing = new Map<number, IssueEntry>();
  for (const {base: number, entry} of view.overlay.values()) if (number >= 0) replacing.set(number, entry);
  const outside: string[] = [];
  const outsideNodes = new Map<string, number>();
  const absentNode = (identity: string): number => {
    let node = outsideNodes.get(identity);
    if (node === undefined) {
      node = count + outside.length;
      outside.push(identity);
      outsideNodes.set(identity, node);
    }
    return node;
  };
  const nodeOf = (identity: string): number => {
    const inOverlay = view.overlay.get(identity);
    if (inOverlay && inOverlay.base >= 0) return inOverlay.base;
    if (!inOverlay && base !== null) {
      for (const number of base.lookupTerms([identityTerm(identity)])) {
        if (base.record(number)[0] === identity) return number;
      }
    }
    return absentNode(identity);
  };
  const entryOf = (node: number): IssueEntry | null => {
    if (node < count) return replacing.get(node) ?? decodeRecord(base!.record(node));
    return view.overlay.get(outside[node - count]!)?.entry ?? null;
  };
  const stateOf = (node: number): number => {
    if (node < count && !replacing.has(node)) {
      const flags = columns[4 * node]!;
      if (flags & FLAG_LIVE) return columns[4 * node + 1]!;
      return flags & FLAG_DELETED ? STATE_DELETED : STATE_UNKNOWN;
    }
    return entryState(entryOf(node));
  };
  // A draft pushed since a relation named it: the relation is the created issue's.
  const resolve = (node: number): number => {
    if (node < count && !replacing.has(node) && columns[4 * node] !== 0) return node;
    const createdAs = entryOf(node)?.createdAs;
    return createdAs ? nodeOf(createdAs) : node;
  };
  const nodes: GraphNodes = {
    stateOf,
    identityOf: (node) =>
      node < count ? (replacing.get(node)?.identity ?? base!.record(node)[0]) : outside[node - count]!,
  };
  const graph = new WorkGraph(nodes);
  if (base !== null) {
    const triples = base.relations();
    const targets = base.relationTargets();
    for (let k = 0; k < triples.length; k += 3) {
      const declarer = triples[k]!;
      if (replacing.has(declarer)) continue;
      const to = triples[k + 2]!;
      const target = to < count ? to : absentNode(targets[to - count] ?? '');
      graph.addDeclared(declarer, triples[k + 1]!, resolve(target));
    }
  }
  for (const {entry, issue} of view.overlayLive()) {
    const declarer = nodeOf(entry.identity);
    for (const [how, target] of declaredRelations(issue))
      graph.addDeclared(declarer, how, resolve(nodeOf(target)));
  }
  return {
    graph,
    nodeOf,
    stateOf,
    identityOf: nodes.identityOf,
    issuesOf(wanted) {
      const out = new Map<number, CanonicalIssue | null>();
      const plain = wanted.filter((node) => node < count && !replacing.has(node));
      const decoded = plain.length > 0 && base !== null ? base.records(plain) : new Map();
      for (const node of wanted) {
        const record = decoded.get(node);
        out.set(node, printable(record ? decodeRecord(record) : entryOf(node)));
      }
      return out;
    },
  };
}

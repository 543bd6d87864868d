import {isLiveEntry, localViewOf, type IssueEntry, type TrackerState} from '../../core/log/tracker-state.js';
import type {CanonicalIssue} from '../../core/model/canonical-issue.js';
import {declaredRelations, entryState, printable, WorkGraph, type GraphSource} from './work-graph.js';

/**
 * The work graph from the folded log (small caches, which keep no read index): the same graph
 * `indexGraph` builds from the index, node per identity.
 */
export function foldGraph(state: TrackerState): GraphSource {
  const identities: string[] = [];
  const numbers = new Map<string, number>();
  const nodeOf = (identity: string): number => {
    let node = numbers.get(identity);
    if (node === undefined) {
      node = identities.length;
      identities.push(identity);
      numbers.set(identity, node);
    }
    return node;
  };
  const entryOf = (node: number): IssueEntry | null => state.issues.get(identities[node]!) ?? null;
  const resolve = (node: number): number => {
    const createdAs = entryOf(node)?.createdAs;
    return createdAs ? nodeOf(createdAs) : node;
  };
  const stateOf = (node: number): number => entryState(entryOf(node));
  const identityOf = (node: number): string => identities[node]!;
  const graph = new WorkGraph({stateOf, identityOf});
  for (const entry of state.issues.values()) {
    if (!isLiveEntry(entry)) continue;
    const issue = localViewOf(entry)!;
    const declarer = nodeOf(entry.identity);
    for (const [how, target] of declaredRelations(issue))
      graph.addDeclared(declarer, how, resolve(nodeOf(target)));
  }
  return {
    graph,
    nodeOf,
    stateOf,
    identityOf,
    issuesOf: (nodes) =>
      new Map(nodes.map((node): [number, CanonicalIssue | null] => [node, printable(entryOf(node))])),
  };
}

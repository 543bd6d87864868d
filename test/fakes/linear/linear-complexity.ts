/**
 * Linear's complexity score of a GraphQL request, as Linear documents it: every field costs
 * 0.1 point, every object 1 point, and whatever is inside a connection counts once per item
 * the connection may return — its `first` or `last` argument, 50 when neither is given.
 * Scores add up over nested connections (50 issues with 50 labels each score 2,500 labels)
 * and the total is rounded up. Linear refuses a request scoring above `LINEAR_MAX_COMPLEXITY`.
 *
 * Written from Linear's rate-limiting documentation, independently of the connector; the
 * schema says which fields are objects and which are connections (they take `first`).
 */
import {
  Kind,
  getNamedType,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

export const LINEAR_MAX_COMPLEXITY = 10_000;
/** Items a connection is assumed to return when neither `first` nor `last` is given. */
export const LINEAR_DEFAULT_PAGE = 50;

type Variables = Readonly<Record<string, unknown>>;

interface Walk {
  readonly schema: GraphQLSchema;
  readonly variables: Variables;
  readonly defaults: Readonly<Record<string, unknown>>;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
}

function intArgument(node: ValueNode | undefined, walk: Walk): number | null {
  if (node === undefined) return null;
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) {
    const name = node.name.value;
    const value = name in walk.variables ? walk.variables[name] : walk.defaults[name];
    return typeof value === 'number' ? value : null;
  }
  return null;
}

/** Score in tenths of a point, so that sums of 0.1 stay exact. */
function scoreSelections(set: SelectionSetNode, parent: GraphQLCompositeType, walk: Walk): number {
  let tenths = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const on = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : parent;
      tenths += scoreSelections(selection.selectionSet, on as GraphQLCompositeType, walk);
      continue;
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = walk.fragments.get(selection.name.value);
      if (!fragment) continue;
      const on = walk.schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType;
      tenths += scoreSelections(fragment.selectionSet, on, walk);
      continue;
    }
    const name = selection.name.value;
    if (name.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) {
      tenths += 1;
      continue;
    }
    const field = parent.getFields()[name];
    const type = field ? getNamedType(field.type) : null;
    if (!field || !type || !isCompositeType(type) || !selection.selectionSet) {
      tenths += 1;
      continue;
    }
    const children = scoreSelections(selection.selectionSet, type, walk);
    const isConnection = field.args.some((a) => a.name === 'first');
    const arg = (n: string): ValueNode | undefined =>
      selection.arguments?.find((a) => a.name.value === n)?.value;
    const size = intArgument(arg('first'), walk) ?? intArgument(arg('last'), walk);
    const multiplier = isConnection ? (size ?? LINEAR_DEFAULT_PAGE) : 1;
    tenths += 10 + multiplier * children;
  }
  return tenths;
}

/** The score of one operation of `document` (the named one, or the only one). */
export function linearComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Variables,
  operationName?: string | null,
): number {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) return 0;
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const defaults: Record<string, unknown> = {};
  for (const v of operation.variableDefinitions ?? []) {
    if (v.defaultValue?.kind === Kind.INT) defaults[v.variable.name.value] = Number(v.defaultValue.value);
  }
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const tenths = scoreSelections(operation.selectionSet, root, {schema, variables, defaults, fragments});
  return Math.ceil(tenths / 10);
}

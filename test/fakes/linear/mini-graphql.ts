/**
 * Just enough GraphQL for the fake Linear: parses one operation (query/mutation, variable
 * definitions, fields with aliases and arguments, nested selections; no fragments or
 * directives), validates every field and argument against a small allow-list schema, and
 * projects resolved objects onto the selection, so a client only gets what it asked for.
 */

export type GqlValue = null | boolean | number | string | GqlValue[] | {[key: string]: GqlValue};

export type ArgValue =
  | {kind: 'variable'; name: string}
  | {kind: 'literal'; value: GqlValue}
  | {kind: 'list'; items: ArgValue[]}
  | {kind: 'object'; fields: Record<string, ArgValue>};

export interface FieldNode {
  readonly alias: string | null;
  readonly name: string;
  readonly args: Record<string, ArgValue>;
  readonly selections: FieldNode[];
}

export interface OperationNode {
  readonly kind: 'query' | 'mutation';
  readonly name: string | null;
  readonly variables: readonly string[];
  readonly selections: FieldNode[];
}

export class GraphQLSyntaxError extends Error {}

/** `type -> field -> {type of the field, allowed argument names}`. */
export type AllowListSchema = Readonly<
  Record<string, Readonly<Record<string, {readonly type: string; readonly args?: readonly string[]}>>>
>;

export function parseOperation(source: string): OperationNode {
  const tokens = tokenize(source);
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const next = (): string => {
    const token = tokens[i++];
    if (token === undefined) throw new GraphQLSyntaxError('Syntax Error: Unexpected <EOF>.');
    return token;
  };
  const expect = (value: string): void => {
    const token = next();
    if (token !== value) throw new GraphQLSyntaxError(`Syntax Error: Expected "${value}", found "${token}".`);
  };
  const isName = (t: string | undefined): boolean => t !== undefined && /^[_A-Za-z][_0-9A-Za-z]*$/.test(t);

  const parseValue = (): ArgValue => {
    const token = next();
    if (token === '$') return {kind: 'variable', name: next()};
    if (token === '[') {
      const items: ArgValue[] = [];
      while (peek() !== ']') items.push(parseValue());
      expect(']');
      return {kind: 'list', items};
    }
    if (token === '{') {
      const fields: Record<string, ArgValue> = {};
      while (peek() !== '}') {
        const name = next();
        expect(':');
        fields[name] = parseValue();
      }
      expect('}');
      return {kind: 'object', fields};
    }
    if (token.startsWith('"')) return {kind: 'literal', value: JSON.parse(token) as string};
    if (/^-?\d/.test(token)) return {kind: 'literal', value: Number(token)};
    if (token === 'true' || token === 'false') return {kind: 'literal', value: token === 'true'};
    if (token === 'null') return {kind: 'literal', value: null};
    if (isName(token)) return {kind: 'literal', value: token}; // enum value
    throw new GraphQLSyntaxError(`Syntax Error: Unexpected "${token}".`);
  };

  const parseSelections = (): FieldNode[] => {
    expect('{');
    const fields: FieldNode[] = [];
    while (peek() !== '}') {
      if (peek() === '...') throw new GraphQLSyntaxError('The fake Linear does not support fragments.');
      let name = next();
      if (!isName(name)) throw new GraphQLSyntaxError(`Syntax Error: Expected Name, found "${name}".`);
      let alias: string | null = null;
      if (peek() === ':') {
        next();
        alias = name;
        name = next();
      }
      const args: Record<string, ArgValue> = {};
      if (peek() === '(') {
        next();
        while (peek() !== ')') {
          const argName = next();
          expect(':');
          args[argName] = parseValue();
        }
        expect(')');
      }
      const selections = peek() === '{' ? parseSelections() : [];
      fields.push({alias, name, args, selections});
    }
    expect('}');
    return fields;
  };

  let kind: 'query' | 'mutation' = 'query';
  let name: string | null = null;
  const variables: string[] = [];
  if (peek() === 'query' || peek() === 'mutation') {
    kind = next() as 'query' | 'mutation';
    if (isName(peek())) name = next();
    if (peek() === '(') {
      next();
      while (peek() !== ')') {
        expect('$');
        variables.push(next());
        expect(':');
        // The type: a name, list brackets and `!`, up to the next `$` or `)`.
        while (peek() !== '$' && peek() !== ')' && peek() !== '=') next();
        if (peek() === '=') {
          next();
          parseValue();
        }
      }
      expect(')');
    }
  }
  const selections = parseSelections();
  if (i !== tokens.length)
    throw new GraphQLSyntaxError(
      'Syntax Error: Unexpected content after the operation (one operation per request).',
    );
  return {kind, name, variables, selections};
}

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  const pattern =
    /\s+|,|#[^\n]*|("(?:[^"\\]|\\.)*")|(\.\.\.)|([{}()[\]:!$=@])|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([_A-Za-z][_0-9A-Za-z]*)/y;
  let index = 0;
  while (index < source.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(source);
    if (!match) throw new GraphQLSyntaxError(`Syntax Error: Unexpected character "${source[index]}".`);
    const token = match[1] ?? match[2] ?? match[3] ?? match[4] ?? match[5];
    if (token !== undefined) tokens.push(token);
    index = pattern.lastIndex;
  }
  return tokens;
}

/** Every field and argument must exist in the allow-list; returns GraphQL-style messages. */
export function validateOperation(operation: OperationNode, schema: AllowListSchema): string[] {
  const errors: string[] = [];
  const used = new Set<string>();
  const walkArgs = (value: ArgValue): void => {
    if (value.kind === 'variable') used.add(value.name);
    else if (value.kind === 'list') value.items.forEach(walkArgs);
    else if (value.kind === 'object') Object.values(value.fields).forEach(walkArgs);
  };
  const walk = (typeName: string, fields: FieldNode[]): void => {
    const type = schema[typeName];
    for (const field of fields) {
      if (field.name === '__typename') continue;
      const def = type?.[field.name];
      if (!def) {
        errors.push(`Cannot query field "${field.name}" on type "${typeName}".`);
        continue;
      }
      for (const [arg, value] of Object.entries(field.args)) {
        if (!(def.args ?? []).includes(arg))
          errors.push(`Unknown argument "${arg}" on field "${typeName}.${field.name}".`);
        walkArgs(value);
      }
      const isObject = schema[def.type] !== undefined;
      if (isObject && field.selections.length === 0)
        errors.push(`Field "${field.name}" of type "${def.type}" must have a selection of subfields.`);
      if (!isObject && field.selections.length > 0)
        errors.push(
          `Field "${field.name}" must not have a selection since type "${def.type}" has no subfields.`,
        );
      if (isObject) walk(def.type, field.selections);
    }
  };
  walk(operation.kind === 'query' ? 'Query' : 'Mutation', operation.selections);
  for (const name of used)
    if (!operation.variables.includes(name)) errors.push(`Variable "$${name}" is not defined.`);
  return errors;
}

export function resolveArgs(
  args: Record<string, ArgValue>,
  variables: Record<string, GqlValue>,
): Record<string, GqlValue> {
  const resolve = (value: ArgValue): GqlValue => {
    switch (value.kind) {
      case 'variable':
        return variables[value.name] ?? null;
      case 'literal':
        return value.value;
      case 'list':
        return value.items.map(resolve);
      case 'object':
        return Object.fromEntries(Object.entries(value.fields).map(([k, v]) => [k, resolve(v)]));
    }
  };
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, resolve(v)]));
}

/** Keeps only the selected fields of a resolved value (arrays element by element). */
export function project(value: unknown, selections: FieldNode[]): GqlValue {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((item) => project(item, selections));
  if (selections.length === 0 || typeof value !== 'object') return value as GqlValue;
  const out: {[key: string]: GqlValue} = {};
  for (const field of selections) {
    const source = (value as Record<string, unknown>)[field.name];
    out[field.alias ?? field.name] = project(
      typeof source === 'function' ? (source as () => unknown)() : source,
      field.selections,
    );
  }
  return out;
}

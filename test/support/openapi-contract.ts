/**
 * Checks recorded requests against an OpenAPI 3 description: the operation exists (method and
 * path template), every query parameter is one it declares, and the JSON body fits the request
 * schema (types, required properties, `additionalProperties: false`, enums; `$ref` and `allOf`
 * followed). Small on purpose: enough to catch a connector sending a field or shape the vendor
 * does not take, without a schema library.
 */
import {readFileSync} from 'node:fs';

type Schema = Record<string, unknown>;

export interface ContractRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string | string[]>>;
  readonly body: unknown;
}

export class OpenApiContract {
  private readonly doc: {
    paths: Record<string, Record<string, Schema>>;
    components: {schemas: Record<string, Schema>};
  };

  constructor(file: string) {
    this.doc = JSON.parse(readFileSync(file, 'utf8')) as OpenApiContract['doc'];
  }

  /** The problems found with `request`, empty when it fits the description. */
  check(request: ContractRequest): string[] {
    const found = this.operation(request.method.toLowerCase(), request.path);
    if (found === null) return [`${request.method} ${request.path}: no such operation`];
    const {operation, template} = found;
    const where = `${request.method} ${template}`;
    const problems: string[] = [];
    const parameters = ((operation.parameters ?? []) as Schema[]).map((p) => this.resolve(p));
    const known = new Set(parameters.filter((p) => p.in === 'query').map((p) => String(p.name)));
    for (const name of Object.keys(request.query))
      if (!known.has(name)) problems.push(`${where}: undeclared query parameter ${name}`);
    const body = operation.requestBody as Schema | undefined;
    const schema = body
      ? ((this.resolve(body).content as Record<string, Schema>)?.['application/json']?.schema as Schema)
      : undefined;
    if (request.body !== null && request.body !== undefined) {
      if (!schema) problems.push(`${where}: takes no body`);
      else this.validate(request.body, schema, `${where} body`, problems);
    }
    return problems;
  }

  private operation(method: string, path: string): {operation: Schema; template: string} | null {
    for (const [template, operations] of Object.entries(this.doc.paths)) {
      const pattern = new RegExp(
        `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`,
      );
      if (pattern.test(path) && operations[method]) return {operation: operations[method], template};
    }
    return null;
  }

  private resolve(schema: Schema): Schema {
    let current = schema;
    for (let i = 0; i < 20 && typeof current.$ref === 'string'; i++) {
      const name = current.$ref.split('/').pop()!;
      current = this.doc.components.schemas[name] ?? {};
    }
    return current;
  }

  private validate(value: unknown, raw: Schema, at: string, problems: string[]): void {
    const schema = this.resolve(raw);
    for (const part of (schema.allOf ?? []) as Schema[]) this.validate(value, part, at, problems);
    if (Array.isArray(schema.enum) && !schema.enum.includes(value))
      problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
    const type = schema.type as string | undefined;
    if (type === undefined || value === null) return;
    const actual = Array.isArray(value) ? 'array' : typeof value;
    const fits =
      type === 'integer'
        ? Number.isInteger(value)
        : type === 'number'
          ? actual === 'number'
          : actual === type;
    if (!fits) {
      problems.push(`${at}: expected ${type}, got ${actual}`);
      return;
    }
    if (type === 'array' && schema.items)
      (value as unknown[]).forEach((v, i) =>
        this.validate(v, schema.items as Schema, `${at}[${i}]`, problems),
      );
    if (type === 'object') this.validateObject(value as Record<string, unknown>, schema, at, problems);
  }

  private validateObject(
    value: Record<string, unknown>,
    schema: Schema,
    at: string,
    problems: string[],
  ): void {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const name of (schema.required ?? []) as string[])
      if (!(name in value)) problems.push(`${at}: missing required ${name}`);
    for (const [name, v] of Object.entries(value)) {
      if (properties[name]) this.validate(v, properties[name], `${at}.${name}`, problems);
      else if (schema.additionalProperties === false) problems.push(`${at}: unknown property ${name}`);
    }
  }
}

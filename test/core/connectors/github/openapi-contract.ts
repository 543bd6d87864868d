/**
 * Checks requests against GitHub's published OpenAPI description (the subset in
 * `github-openapi-subset.json`, written by `scripts/trim-github-openapi.ts`): the operation exists
 * for that method and path, path parameters have their type, query parameters are known and of
 * their type (and enum), and a JSON body has only the documented properties, each of its type,
 * with the required ones present. Returns one line per violation.
 */
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

import type {RecordedRequest} from '../../../fakes/fake-http-server.js';

interface TrimmedType {
  types: string[];
  nullable?: boolean;
  enum?: unknown[];
  items?: TrimmedType;
  properties?: Record<string, TrimmedType>;
  required?: string[];
}

interface Parameter extends Omit<TrimmedType, 'required'> {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
}

interface Operation {
  operationId: string;
  parameters: Parameter[];
  body: TrimmedType | null;
}

export interface OpenApiSubset {
  source: string;
  paths: Record<string, Record<string, Operation>>;
  issue: {required: string[]; properties: Record<string, TrimmedType>};
}

export const GITHUB_OPENAPI: OpenApiSubset = JSON.parse(
  readFileSync(fileURLToPath(new URL('./github-openapi-subset.json', import.meta.url)), 'utf8'),
) as OpenApiSubset;

/** Whether `value` has one of the types (JSON Schema names); integers are numbers without a fraction. */
export function matchesType(value: unknown, type: TrimmedType): boolean {
  if (value === null) return type.nullable === true;
  const ok = type.types.some((t) => {
    if (t === 'integer') return Number.isInteger(value);
    if (t === 'number') return typeof value === 'number';
    if (t === 'array') return Array.isArray(value);
    if (t === 'object') return typeof value === 'object' && !Array.isArray(value);
    return typeof value === t;
  });
  if (!ok) return false;
  if (type.enum && !type.enum.includes(value)) return false;
  if (Array.isArray(value) && type.items) return value.every((v) => matchesType(v, type.items!));
  return true;
}

/** Violations of the description's `object` schema by `value` (`where` prefixes each line). */
export function objectViolations(value: unknown, schema: TrimmedType, where: string): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return [`${where}: not a JSON object`];
  const out: string[] = [];
  const properties = schema.properties ?? {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    const type = properties[key];
    if (type === undefined) out.push(`${where}: '${key}' is not a documented property`);
    else if (!matchesType(field, type))
      out.push(`${where}: '${key}' = ${JSON.stringify(field)} is not ${type.types.join('|')}`);
  }
  for (const key of schema.required ?? [])
    if (!(key in (value as object))) out.push(`${where}: required '${key}' is missing`);
  return out;
}

/** The query/path parameter text as its type wants it (`'3'` for an integer, `'all'` for an enum). */
function parameterOk(text: string, parameter: Parameter): boolean {
  if (parameter.types.includes('integer')) return /^\d+$/.test(text);
  if (parameter.types.includes('boolean')) return text === 'true' || text === 'false';
  return parameter.enum === undefined || parameter.enum.includes(text);
}

/** The violations of one request (empty: it is what the description documents). */
export function requestViolations(request: RecordedRequest, spec: OpenApiSubset = GITHUB_OPENAPI): string[] {
  const method = request.method.toLowerCase();
  // A `Link` or redirect may name the repository by id; it stands for `/repos/{owner}/{repo}`.
  const path = request.path.replace(/^\/repositories\/\d+(?=\/|$)/, '/repos/_owner_/_repo_');
  const where = `${request.method} ${request.path}`;
  for (const [template, operations] of Object.entries(spec.paths)) {
    const names: string[] = [];
    const pattern = new RegExp(
      `^${template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
        names.push(name);
        return '([^/]+)';
      })}$`,
    );
    const match = pattern.exec(path);
    if (!match) continue;
    const operation = operations[method];
    if (!operation) return [`${where}: ${template} has no ${request.method} in the description`];
    const out: string[] = [];
    names.forEach((name, i) => {
      const parameter = operation.parameters.find((p) => p.in === 'path' && p.name === name);
      if (parameter && !parameterOk(decodeURIComponent(match[i + 1]), parameter))
        out.push(`${where}: path parameter ${name} = '${match[i + 1]}' is not ${parameter.types.join('|')}`);
    });
    for (const [key, raw] of Object.entries(request.query)) {
      const parameter = operation.parameters.find((p) => p.in === 'query' && p.name === key);
      if (!parameter) out.push(`${where}: query parameter '${key}' is not documented`);
      else
        for (const text of Array.isArray(raw) ? raw : [raw])
          if (!parameterOk(text, parameter))
            out.push(`${where}: query ${key}=${text} is not ${parameter.types.join('|')}`);
    }
    if (operation.body === null) {
      if (request.body !== null && request.body !== undefined)
        out.push(`${where}: sends a body, none is documented`);
    } else if (request.body !== null && request.body !== undefined) {
      out.push(...objectViolations(request.body, operation.body, where));
    } else if ((operation.body.required ?? []).length > 0)
      out.push(`${where}: the documented body is missing`);
    return out;
  }
  return [`${where}: no such path in the description`];
}

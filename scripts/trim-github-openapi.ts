/**
 * Writes test/core/connectors/github/github-openapi-subset.json: GitHub's published OpenAPI
 * description (npm `@octokit/openapi`, `generated/api.github.com.json`) cut down to the operations
 * the GitHub connector calls and the issue fields it reads, with only what a request check needs:
 * each parameter's name, place, type and enum, and each JSON body's properties, their types and
 * the required ones. The contract test checks the connector's requests against it offline.
 *
 *   cd /tmp && npm pack @octokit/openapi@23.0.2 && tar xzf octokit-openapi-23.0.2.tgz
 *   npx tsx scripts/trim-github-openapi.ts /tmp/package/generated/api.github.com.json
 */
import {readFileSync, writeFileSync} from 'node:fs';

/** The operations the connector (and the fake GitHub) use, by path template. */
const USED: Record<string, readonly string[]> = {
  '/repos/{owner}/{repo}/issues': ['get', 'post'],
  '/repos/{owner}/{repo}/issues/{issue_number}': ['get', 'patch'],
  '/repos/{owner}/{repo}/issues/{issue_number}/comments': ['get', 'post'],
  '/repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by': ['get', 'post'],
  '/repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by/{issue_id}': ['delete'],
  '/repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocking': ['get'],
  '/repos/{owner}/{repo}/issues/{issue_number}/sub_issues': ['get', 'post'],
  '/repos/{owner}/{repo}/issues/{issue_number}/sub_issue': ['delete'],
  '/repos/{owner}/{repo}/issues/{issue_number}/parent': ['get'],
  '/search/issues': ['get'],
};

/** Fields of the `issue` schema the connector reads for the graph. */
const ISSUE_FIELDS = ['id', 'number', 'parent_issue_url', 'sub_issues_summary', 'issue_dependencies_summary'];

type Json = null | boolean | number | string | Json[] | {[key: string]: Json};
type Obj = {[key: string]: Json};

interface TrimmedType {
  types: string[];
  nullable?: boolean;
  enum?: Json[];
  items?: TrimmedType;
  properties?: Record<string, TrimmedType>;
  required?: string[];
}

function main(): void {
  const source = process.argv[2];
  if (!source) {
    console.error('usage: npx tsx scripts/trim-github-openapi.ts <api.github.com.json>');
    process.exit(2);
  }
  const spec = JSON.parse(readFileSync(source, 'utf8')) as Obj;
  const resolve = (node: Json): Obj => {
    let current = node as Obj;
    for (let i = 0; i < 10 && typeof current.$ref === 'string'; i++) {
      const parts = (current.$ref as string).replace(/^#\//, '').split('/');
      current = parts.reduce<Json>((at, part) => (at as Obj)[part], spec) as Obj;
    }
    return current;
  };
  const trimType = (node: Json, depth = 0): TrimmedType => {
    const schema = resolve(node);
    const variants = Array.isArray(schema.oneOf) ? schema.oneOf.map(resolve) : [schema];
    const types = [...new Set(variants.map((v) => (typeof v.type === 'string' ? v.type : 'object')))];
    const out: TrimmedType = {types};
    if (schema.nullable === true) out.nullable = true;
    if (Array.isArray(schema.enum)) out.enum = schema.enum;
    if (schema.items !== undefined && depth < 1) out.items = trimType(schema.items, depth + 1);
    if (schema.properties && typeof schema.properties === 'object' && depth < 1 && types.includes('object')) {
      out.properties = Object.fromEntries(
        Object.entries(schema.properties as Obj).map(([name, value]) => [name, trimType(value, depth + 1)]),
      );
      if (Array.isArray(schema.required)) out.required = schema.required as string[];
    }
    return out;
  };
  const paths: Record<string, Record<string, Json>> = {};
  for (const [path, methods] of Object.entries(USED)) {
    const item = (spec.paths as Obj)[path] as Obj | undefined;
    if (!item) throw new Error(`${path} is not in the source description`);
    paths[path] = {};
    for (const method of methods) {
      const op = item[method] as Obj | undefined;
      if (!op) throw new Error(`${method.toUpperCase()} ${path} is not in the source description`);
      const parameters = ((op.parameters as Json[] | undefined) ?? []).map(resolve).map((p) => ({
        name: p.name,
        in: p.in,
        required: p.required === true,
        ...(trimType(p.schema ?? {}) as unknown as Obj),
      }));
      const body = ((op.requestBody as Obj | undefined)?.content as Obj | undefined)?.['application/json'] as
        Obj | undefined;
      paths[path][method] = {
        operationId: op.operationId,
        parameters,
        body: body ? (trimType(body.schema) as unknown as Json) : null,
      } as Json;
    }
  }
  const issue = resolve((spec.components as Obj).schemas && ((spec.components as Obj).schemas as Obj).issue);
  const issueFields = Object.fromEntries(
    ISSUE_FIELDS.map((name) => [name, trimType((issue.properties as Obj)[name])]),
  );
  const out = {
    source: `${(spec.info as Obj).title} ${(spec.info as Obj).version} (npm @octokit/openapi 23.0.2)`,
    paths,
    issue: {required: issue.required, properties: issueFields},
  };
  writeFileSync(
    'test/core/connectors/github/github-openapi-subset.json',
    `${JSON.stringify(out, null, 1)}\n`,
  );
}

main();

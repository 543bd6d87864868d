/**
 * Linear's published schema, cut down to what the fake serves (see
 * scripts/trim-linear-schema.ts), loaded once.
 */
import {readFileSync} from 'node:fs';
import {buildSchema, type GraphQLSchema} from 'graphql';

let schema: GraphQLSchema | null = null;

export function linearSchema(): GraphQLSchema {
  schema ??= buildSchema(readFileSync(new URL('linear-schema.graphql', import.meta.url), 'utf8'));
  return schema;
}

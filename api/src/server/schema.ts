import type { GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { RESOLVERS } from '../app/modules.js';
import { enforceAccess } from './access.js';
import { NodeResolver } from './node.resolver.js';

let built: Promise<GraphQLSchema> | undefined;

/** The schema, built once per process from every module's resolvers, with every root field behind its access rule. */
export function tierdeskSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: [NodeResolver, ...RESOLVERS] as never,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
    emitSchemaFile: false,
  }).then(enforceAccess);
  return built;
}

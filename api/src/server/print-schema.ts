import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';

/** The committed SDL: sorted, so the file changes only when the API does. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

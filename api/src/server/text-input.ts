import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';
import { AppError } from '../shared/errors.js';

/**
 * Text PostgreSQL cannot store, or would store as something else: NUL (refused by `text` columns, so a 500 deep in a
 * use case) and UTF-16 surrogates without their pair (silently turned into U+FFFD on the way to UTF-8).
 */
// eslint-disable-next-line no-control-regex -- matching NUL is the point of this rule
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path of the first string in a variables value that holds unstorable text, or null. */
function unstorablePath(value: unknown, path: readonly (string | number)[]): (string | number)[] | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? [...path] : null;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = unstorablePath(item, [...path, index]);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = unstorablePath(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

/** Whether any string literal written in the document itself holds unstorable text. */
function documentHasUnstorableText(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.STRING](node) {
      if (UNSTORABLE.test(node.value)) found = true;
    },
  });
  return found;
}

function refusal(where: string): GraphQLError {
  const error = new AppError(
    'INVALID_TEXT',
    `Text may not contain NUL characters or unpaired UTF-16 surrogates (${where}).`,
  ).toGraphQLError();
  return new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 400 } } });
}

/**
 * The one edge rule for text input: every string argument, whether a variable or a literal, is checked once the
 * operation is parsed and before any resolver runs, so no use case and no column ever sees such text.
 */
export const textInputPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ request, document }) {
        const path = unstorablePath(request.variables ?? {}, ['variables']);
        if (path) throw refusal(`at ${path.join('.')}`);
        if (documentHasUnstorableText(document)) throw refusal('in a string of the document');
      },
    };
  },
};

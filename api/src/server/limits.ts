import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  BREAK,
  GraphQLError,
  Kind,
  Lexer,
  parse,
  Source,
  TokenKind,
  validate,
  visit,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { RequestContext } from '../shared/context.js';
import { isStaffLike, type Principal } from '../shared/principal.js';
import { operationCost } from './query-cost.js';

/** What a request may ask for (docs/decisions/009-query-limits.md); each figure comes from the configuration. */
export interface QueryLimits {
  /** Nested fields below the first one: `{ viewer { kind } }` is 1 deep. */
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Lexical tokens of the document; parsing stops at the first one over. */
  maxTokens: number;
  /** See operationCost. */
  maxCost: number;
}

/**
 * The codes of the refusals below; each answers HTTP 400 with `limit` and, where it is known, `found` in extensions.
 * - TOO_MANY_TOKENS: the document has more lexical tokens than MAX_QUERY_TOKENS; it was not read further.
 * - QUERY_TOO_DEEP: fields nest deeper than MAX_QUERY_DEPTH (fragments count as the fields they hold).
 * - TOO_MANY_ALIASES / TOO_MANY_DIRECTIVES: an operation uses more than MAX_QUERY_ALIASES / MAX_QUERY_DIRECTIVES,
 *   counted through its fragments.
 * - QUERY_TOO_COMPLEX: the static cost of the operation (see operationCost) is over MAX_QUERY_COST.
 * - INTROSPECTION_DISABLED: the caller may not introspect the schema here (GRAPHQL_INTROSPECTION).
 */
type LimitCode =
  'TOO_MANY_TOKENS' | 'QUERY_TOO_DEEP' | 'TOO_MANY_ALIASES' | 'TOO_MANY_DIRECTIVES' | 'QUERY_TOO_COMPLEX' | 'INTROSPECTION_DISABLED';

/** GRAPHQL_INTROSPECTION: everyone, nobody, or staff only. */
export type IntrospectionMode = 'on' | 'off' | 'staff';

export function mayIntrospect(mode: IntrospectionMode, principal: Principal): boolean {
  return mode === 'on' || (mode === 'staff' && isStaffLike(principal));
}

function limitError(code: LimitCode, message: string, requestId: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions, requestId } });
}

/** Apollo answers an error thrown from didResolveOperation with the status it names. */
const BAD_REQUEST = { http: { status: 400 } };

/** Armor reports "… limit of N exceeded, found M."; the figure is read back to word the message our way. */
function armorFigure(error: GraphQLError): number {
  return Number(/found (\d+)\.$/.exec(error.message)?.[1]);
}

/**
 * GraphQL Armor's depth, alias and directive rules, reporting our codes. Armor prices each fragment once, so these
 * are linear in the document however its fragments fan out. Its depth counts the fields on a path (`{ a { b } }`
 * is 2); ours counts the levels below the first field (1), which is what MAX_QUERY_DEPTH has always meant.
 */
function limitRules(limits: QueryLimits, requestId: string): ValidationRule[] {
  const report =
    (code: LimitCode, message: (found: number) => string, limit: number, offset = 0) =>
    (context: ValidationContext | null, error: GraphQLError) => {
      const found = armorFigure(error) - offset;
      context?.reportError(limitError(code, message(found), requestId, { limit, found }));
    };
  return [
    maxDepthRule({
      n: limits.maxDepth + 1,
      flattenFragments: true,
      ignoreIntrospection: false,
      propagateOnRejection: false,
      onReject: [
        report('QUERY_TOO_DEEP', (found) => `The query is ${found} levels deep; the maximum is ${limits.maxDepth}.`, limits.maxDepth, 1),
      ],
    }),
    maxAliasesRule({
      n: limits.maxAliases,
      propagateOnRejection: false,
      onReject: [
        report('TOO_MANY_ALIASES', (found) => `The query has ${found} aliases; the maximum is ${limits.maxAliases}.`, limits.maxAliases),
      ],
    }),
    maxDirectivesRule({
      n: limits.maxDirectives,
      propagateOnRejection: false,
      onReject: [
        report(
          'TOO_MANY_DIRECTIVES',
          (found) => `The query has ${found} directives; the maximum is ${limits.maxDirectives}.`,
          limits.maxDirectives,
        ),
      ],
    }),
  ];
}

function asksForIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.FIELD](node) {
      if (node.name.value !== '__schema' && node.name.value !== '__type') return undefined;
      found = true;
      return BREAK;
    },
  });
  return found;
}

/** Whether the document has more than `max` lexical tokens; counting stops at the first one over. */
function overTokenLimit(query: string, max: number): boolean {
  const lexer = new Lexer(new Source(query));
  for (let count = 0; lexer.advance().kind !== TokenKind.EOF; count++) {
    if (count >= max) return true;
  }
  return false;
}

/**
 * The limits a document can be judged by alone (tokens, depth, aliases, directives), checked at the HTTP edge before
 * Apollo parses and validates it: some standard validation rules are superlinear in the document (1,000 aliases take
 * them about 100 ms, hundreds of repeats of one field far more), so a document over a limit must not reach them.
 * Parsing here and again in Apollo costs little because the token limit bounds it. A document that does not lex or
 * parse is left to Apollo, which reports the syntax error as usual.
 */
export function documentLimitError(schema: GraphQLSchema, query: string, limits: QueryLimits, requestId: string): GraphQLError | null {
  let document: DocumentNode;
  try {
    if (overTokenLimit(query, limits.maxTokens)) {
      return limitError(
        'TOO_MANY_TOKENS',
        `The query has more than ${limits.maxTokens} tokens (the maximum); it was not read further.`,
        requestId,
        {
          limit: limits.maxTokens,
        },
      );
    }
    document = parse(query);
  } catch {
    return null;
  }
  return validate(schema, document, limitRules(limits, requestId))[0] ?? null;
}

/**
 * The limits that need the caller or the variables, once Apollo knows the operation: introspection and cost (thrown
 * from didResolveOperation, which Apollo answers with the error's status). Field suggestions ("Did you mean …?") are
 * dropped for callers who may not introspect, as they leak the schema just the same.
 */
export function queryLimitsPlugin(limits: QueryLimits, introspection: IntrospectionMode): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      const { requestId } = contextValue;
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!mayIntrospect(introspection, contextValue.principal) && asksForIntrospection(document)) {
            throw limitError(
              'INTROSPECTION_DISABLED',
              introspection === 'off' ? 'Introspection is disabled on this server.' : 'Introspection is open to staff only on this server.',
              requestId,
              BAD_REQUEST,
            );
          }
          // Apollo has already answered a document without the requested operation; the type still allows none.
          const cost = operation ? operationCost(schema, document, operation, request.variables ?? {}) : 0;
          if (cost > limits.maxCost) {
            throw limitError('QUERY_TOO_COMPLEX', `The query costs ${cost}; the maximum is ${limits.maxCost}.`, requestId, {
              limit: limits.maxCost,
              found: cost,
              ...BAD_REQUEST,
            });
          }
        },
        async didEncounterErrors({ errors }) {
          if (mayIntrospect(introspection, contextValue.principal)) return;
          for (const error of errors) error.message = error.message.replace(/ ?Did you mean .*\?$/, '');
        },
      };
    },
  };
}

import { KbSuggestDocument, type KbHitFragment, type TypedDocumentNode } from '@tierdesk/schema';
import { redirect } from 'react-router';
import { ApiError, ApiUnavailableError, execute, failureResponse } from './api.server';
import { QUERY_MAX, SUGGEST_DESCRIPTION_MAX } from './kb';
import { endSession, sessionToken, type HandlerArgs } from './session.server';

/**
 * The knowledge base's typed input errors (`extensions.reason` of a BAD_USER_INPUT error). The help center
 * explains these on the page, in the API's words, instead of failing the page.
 */
const EXPLAINED_REASONS = new Set(['EMPTY_QUERY', 'QUERY_TOO_LONG', 'UNKNOWN_FILTER', 'INVALID_CURSOR', 'PAGE_SIZE_TOO_LARGE']);

export interface KbInputError {
  reason: string;
  message: string;
}

function explainedError(error: unknown): KbInputError | null {
  if (!(error instanceof ApiError) || error.code !== 'BAD_USER_INPUT') return null;
  const reason = error.errors[0]?.extensions?.reason;
  if (typeof reason !== 'string' || !EXPLAINED_REASONS.has(reason)) return null;
  return { reason, message: error.userMessage };
}

/**
 * The API for a page anyone may open: with the visitor's session token when there is one (customers see what their
 * tier entitles them to), anonymous otherwise. A session the API no longer accepts is dropped and the same page
 * reloads anonymously, rather than sending a reader of public articles to sign in.
 */
export class PublicApi {
  private constructor(
    private readonly args: HandlerArgs,
    readonly token: string | null,
  ) {}

  static async open(args: HandlerArgs): Promise<PublicApi> {
    return new PublicApi(args, await sessionToken(args.request));
  }

  get signedIn(): boolean {
    return this.token !== null;
  }

  private async staleSession(error: unknown): Promise<void> {
    if (this.token && error instanceof ApiError && error.code === 'UNAUTHENTICATED') {
      const { url, request } = this.args;
      throw redirect(`${url.pathname}${url.search}`, { headers: { 'Set-Cookie': await endSession(request) } });
    }
  }

  /** Runs an operation; GraphQL errors become the portal's standard responses. */
  async run<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, variables: TVariables): Promise<TData> {
    try {
      return await execute(document, variables, this.token);
    } catch (error) {
      await this.staleSession(error);
      return failureResponse(this.args, error);
    }
  }

  /** Like `run`, but the knowledge base's input errors (QUERY_TOO_LONG, …) come back as a value to show. */
  async attempt<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
  ): Promise<{ data: TData; error: null } | { data: null; error: KbInputError }> {
    try {
      return { data: await execute(document, variables, this.token), error: null };
    } catch (error) {
      const explained = explainedError(error);
      if (explained) return { data: null, error: explained };
      await this.staleSession(error);
      return failureResponse(this.args, error);
    }
  }
}

/** A hit as the pages need it: highlights (escaped HTML with <mark>) and where it leads. No score. */
export interface KbHitView {
  slug: string;
  title: string;
  titleHtml: string;
  summaryHtml: string;
  snippetHtml: string;
  productArea: string;
  tags: string[];
}

export function hitView(hit: KbHitFragment): KbHitView {
  return {
    slug: hit.article.slug,
    title: hit.article.title,
    titleHtml: hit.highlights.title,
    summaryHtml: hit.highlights.summary,
    snippetHtml: hit.highlights.snippet,
    productArea: hit.article.productArea,
    tags: hit.article.tags,
  };
}

export interface Suggestions {
  /** What was asked, so a late answer for an older text can be told apart. */
  subject: string;
  searchId: string | null;
  hits: KbHitView[];
}

const SUGGESTIONS = 5;

/**
 * Articles that may answer the ticket being written. A nicety beside the form: any failure (the API down, a
 * refused input, a stale session) gives no suggestions rather than an error page.
 */
export async function suggestArticles(token: string | null, subject: string, description: string): Promise<Suggestions> {
  const asked = subject.trim().slice(0, QUERY_MAX);
  const text = description.trim().slice(0, SUGGEST_DESCRIPTION_MAX);
  const none: Suggestions = { subject: asked, searchId: null, hits: [] };
  if (!asked && !text) return none;
  try {
    const { suggestArticles: result } = await execute(
      KbSuggestDocument,
      { subject: asked, description: text || null, first: SUGGESTIONS },
      token,
    );
    return { subject: asked, searchId: result.searchId, hits: result.hits.map(hitView) };
  } catch (error) {
    if (error instanceof ApiError && token && error.code === 'UNAUTHENTICATED') return suggestArticles(null, subject, description);
    if (!(error instanceof ApiError && error.code === 'BAD_USER_INPUT')) {
      console.error(
        `[portal] suggestions: ${error instanceof ApiUnavailableError || error instanceof ApiError ? error.message : String(error)}`,
      );
    }
    return none;
  }
}

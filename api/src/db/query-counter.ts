import { DefaultLogger, type LoggerOptions, type LogContext } from '@mikro-orm/core';

/** Requests whose statements are kept: enough for any test or benchmark to read its own, bounded for a long run. */
const MAX_REQUESTS = 10_000;

/**
 * Counts the SQL statements MikroORM sends, in all and, while a test or a benchmark records them, per request (the
 * `requestId` of the logger context every request's EntityManager carries). A DataLoader regression (N+1) shows up
 * as a request whose count grows with the page size; the tests and the benchmark read it per request, so background
 * jobs in the same process do not blur it. Printing the queries stays MikroORM's `debug` option.
 */
class QueryCounter {
  count = 0;
  /** The most recent statements, for the message of a failing budget test. */
  readonly recent: string[] = [];
  private readonly byRequest = new Map<string, string[]>();
  /**
   * Off unless recording: a served API would otherwise keep the text of every statement of its last MAX_REQUESTS
   * requests (a page's statements carry 100 inlined ids: megabytes held for nobody, and old-space the GC walks).
   */
  private recorders = 0;

  /** Keeps each request's statements from now until the returned function is called. */
  recordStatements(): () => void {
    this.recorders += 1;
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      this.recorders -= 1;
      if (this.recorders === 0) this.byRequest.clear();
    };
  }

  /** The statements the request with this id sent, in order (empty when none or no longer kept). */
  statementsOf(requestId: string): readonly string[] {
    return this.byRequest.get(requestId) ?? [];
  }

  private record(query: string, requestId: unknown): void {
    this.count += 1;
    this.recent.push(query);
    if (this.recent.length > 50) this.recent.shift();
    if (this.recorders === 0 || typeof requestId !== 'string') return;
    let statements = this.byRequest.get(requestId);
    if (!statements) {
      if (this.byRequest.size >= MAX_REQUESTS) this.byRequest.delete(this.byRequest.keys().next().value!);
      statements = [];
      this.byRequest.set(requestId, statements);
    }
    statements.push(query);
  }

  loggerFactory = (options: LoggerOptions) => {
    const record = (query: string, requestId: unknown) => this.record(query, requestId);
    return new (class extends DefaultLogger {
      override logQuery(context: { query: string } & LogContext): void {
        record(context.query, (context as Record<string, unknown>).requestId);
        super.logQuery(context);
      }
    })(options);
  };
}

export const queryCounter = new QueryCounter();

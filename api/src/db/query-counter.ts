import { DefaultLogger, type LoggerOptions, type LogContext } from '@mikro-orm/core';

/**
 * Counts the SQL statements MikroORM sends. A DataLoader regression (N+1) shows up as a count that grows with
 * the page size; the tests and the benchmark read it. Printing the queries stays MikroORM's `debug` option.
 */
class QueryCounter {
  count = 0;
  /** The most recent statements, for the message of a failing budget test. */
  readonly recent: string[] = [];

  private record(query: string): void {
    this.count += 1;
    this.recent.push(query);
    if (this.recent.length > 50) this.recent.shift();
  }

  loggerFactory = (options: LoggerOptions) => {
    const record = (query: string) => this.record(query);
    return new (class extends DefaultLogger {
      override logQuery(context: { query: string } & LogContext): void {
        record(context.query);
        super.logQuery(context);
      }
    })(options);
  };
}

export const queryCounter = new QueryCounter();

import { DefaultLogger, type LoggerOptions, type LogContext } from '@mikro-orm/core';

/**
 * Counts the SQL statements MikroORM sends. A DataLoader regression (N+1) shows up as a count that grows with
 * the page size; the tests and the benchmark read it. Printing the queries stays MikroORM's `debug` option.
 */
class QueryCounter {
  count = 0;
  /** The most recent statements, for the message of a failing budget test. */
  readonly recent: string[] = [];

  loggerFactory = (options: LoggerOptions) => {
    const counter = this;
    return new (class extends DefaultLogger {
      override logQuery(context: { query: string } & LogContext): void {
        counter.count += 1;
        counter.recent.push(context.query);
        if (counter.recent.length > 50) counter.recent.shift();
        super.logQuery(context);
      }
    })(options);
  };
}

export const queryCounter = new QueryCounter();

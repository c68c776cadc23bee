import { DefaultLogger, type LoggerOptions, type LogContext } from '@mikro-orm/core';

/**
 * Counts the SQL statements MikroORM sends. A DataLoader regression (N+1) shows up as a count that grows with
 * the page size; the tests and the benchmark read it. Printing the queries stays MikroORM's `debug` option.
 */
class QueryCounter {
  count = 0;

  loggerFactory = (options: LoggerOptions) => {
    const counter = this;
    return new (class extends DefaultLogger {
      override logQuery(context: { query: string } & LogContext): void {
        counter.count += 1;
        super.logQuery(context);
      }
    })(options);
  };
}

export const queryCounter = new QueryCounter();

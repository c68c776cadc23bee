import type { MikroORM } from '@mikro-orm/postgresql';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { SignInThrottle } from '../modules/identity/index.js';

/**
 * Every limiter keeps its figures in one table (`rate_limit`, created by a migration in the shape
 * rate-limiter-flexible expects) on the product's own PostgreSQL, so every API process counts against the same
 * figures and a restart forgets nothing (docs/decisions/010-rate-limits.md). The library's clock is the wall clock.
 */
function limiter(orm: MikroORM, keyPrefix: string, points: number, durationSeconds: number): RateLimiterPostgres {
  return new RateLimiterPostgres({
    storeClient: orm.em.getConnection().getKnex(),
    storeType: 'knex',
    tableName: 'rate_limit',
    tableCreated: true,
    keyPrefix,
    points,
    duration: durationSeconds,
  });
}

const isBlocked = (result: RateLimiterRes | null, points: number) => result !== null && result.consumedPoints > points;
const secondsOf = (result: RateLimiterRes) => Math.max(1, Math.ceil(result.msBeforeNext / 1000));

/** Failures an account may have before each further one makes it wait, 1 s, then 2 s, 4 s and so on. */
const FREE_FAILURES = 3;

/**
 * Sign-in throttling per account and per network address: after three failures each further one makes the account
 * wait twice as long before the next try, and the `lockAfter`-th failure within the lock period locks the account
 * for that period; an address that fails a hundred times in an hour (many accounts, one guesser) is locked for the
 * hour. A success clears the account's failures, not the address's.
 */
export function signInThrottle(orm: MikroORM, settings: { lockAfter: number; lockMinutes: number }): SignInThrottle {
  const lockSeconds = settings.lockMinutes * 60;
  const accountFailures = limiter(orm, 'signin_failures', settings.lockAfter, lockSeconds);
  const accountWait = limiter(orm, 'signin_wait', 1, 1);
  const accountLock = limiter(orm, 'signin_lock', 1, lockSeconds);
  const addressFailures = limiter(orm, 'signin_address_failures', 100, 3600);
  const addressLock = limiter(orm, 'signin_address_lock', 1, 3600);

  return {
    async refusal(account, address) {
      const [locked, waiting, addressLocked] = await Promise.all([
        accountLock.get(account),
        accountWait.get(account),
        address ? addressLock.get(address) : null,
      ]);
      if (isBlocked(locked, 1)) return { locked: true, retryAfterSeconds: secondsOf(locked!) };
      if (isBlocked(addressLocked, 1)) return { locked: true, retryAfterSeconds: secondsOf(addressLocked!) };
      if (isBlocked(waiting, 1)) return { locked: false, retryAfterSeconds: secondsOf(waiting!) };
      return null;
    },
    async failed(account, address) {
      const [failures, fromAddress] = await Promise.all([
        accountFailures.penalty(account),
        address ? addressFailures.penalty(address) : null,
      ]);
      if (fromAddress && fromAddress.consumedPoints >= 100) await addressLock.block(address!, 3600);
      if (failures.consumedPoints >= settings.lockAfter) await accountLock.block(account, lockSeconds);
      else if (failures.consumedPoints >= FREE_FAILURES) await accountWait.block(account, 2 ** (failures.consumedPoints - FREE_FAILURES));
    },
    async succeeded(account) {
      await Promise.all([accountFailures.delete(account), accountWait.delete(account)]);
    },
  };
}

/** A request budget per caller (anonymous: per address; customers: per user), counted per minute. */
export interface RequestBudget {
  /** Takes one request; returns the seconds to wait when the minute's budget is spent, else null. */
  take(key: string): Promise<number | null>;
}

export function requestBudget(orm: MikroORM, name: string, perMinute: number): RequestBudget {
  const budget = limiter(orm, `requests_${name}`, perMinute, 60);
  return {
    async take(key) {
      try {
        await budget.consume(key);
        return null;
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return secondsOf(refusal);
        throw refusal;
      }
    },
  };
}

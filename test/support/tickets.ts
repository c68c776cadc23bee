import { FixedClock } from '../../api/src/shared/clock.js';
import { User } from '../../api/src/modules/identity/index.js';
import { Organization } from '../../api/src/modules/organizations/index.js';
import { TicketPriority } from '../../api/src/modules/vocabulary/index.js';
import { openTicket } from '../../api/src/workflows/index.js';
import { testRuntime, type TestDatabase } from './db.js';

/**
 * Opens `count` urgent Northwind tickets (Enterprise: 15-minute first response warned at 12, 24×7) as if at `at`,
 * through the same workflow as the API, so their clocks and timers are the product's own.
 */
export async function openUrgentNorthwindTickets(db: TestDatabase, count: number, at: Date, subject: string): Promise<string[]> {
  const em = testRuntime(db).system('test').em;
  const northwind = await em.findOneOrFail(Organization, { slug: 'northwind' });
  const nancy = await em.findOneOrFail(User, { email: 'nancy@northwind.example' });
  const ctx = testRuntime(db, { clock: new FixedClock(at) }).context({
    kind: 'customer',
    userId: nancy.id,
    organizationId: northwind.id,
    role: 'ADMIN',
    sessionId: 'test',
  });
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const subjectOf = count === 1 ? subject : `${subject} ${index}`;
    ids.push((await openTicket(ctx, { subject: subjectOf, description: 'd', priority: TicketPriority.URGENT })).id);
  }
  return ids;
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testRuntime, type TestDatabase } from '../../../../test/support/db.js';
import type { Runtime } from '../../app/runtime.js';
import { FixedClock } from '../../shared/clock.js';
import { OutboundEvent } from '../outbox/index.js';
import { Organization } from '../organizations/index.js';
import { dismissUpgradeReminder, evaluateUpgradeEligibility } from './eligibility.service.js';
import { UpgradeReminder } from './upgrade-reminder.entity.js';

const DAY_MS = 86_400_000;
// Starts now: the seeded tickets count towards this month's figures, and later months only have fewer.
const clock = new FixedClock(new Date());
let database: TestDatabase;
let runtime: Runtime;

function systemEm() {
  const em = database.orm.em.fork();
  em.setFilterParams('tenant', { allTenants: true });
  return em;
}

async function reminders(organizationId: string) {
  return systemEm().find(UpgradeReminder, { organization: organizationId }, { orderBy: { createdAt: 'asc' } });
}

async function suggestions(organizationId: string) {
  return systemEm().count(OutboundEvent, { organization: organizationId, type: 'organization.upgrade_suggested' });
}

beforeAll(async () => {
  database = await createTestDatabase();
  runtime = testRuntime(database, { clock });
});

afterAll(async () => {
  await database?.drop();
});

describe('upgrade reminders after a dismissal', () => {
  it('stay quiet for 30 days after a dismissal, then remind again, once', async () => {
    const em = systemEm();
    const initech = await em.findOneOrFail(Organization, { slug: 'initech' });
    // Figures that fit Business while initech is on Growth; they do not change during the test.
    initech.contractValue = 60_000;
    initech.monthlyUsage = 1_500;
    await em.flush();
    const expected = [
      { organizationId: initech.id, tierKey: 'business', reasons: ['Your contract value and usage match the Business tier'] },
    ];

    expect((await evaluateUpgradeEligibility(runtime.system('billing.upgrade-check'))).created).toEqual(expected);
    const [reminder] = await reminders(initech.id);
    await dismissUpgradeReminder(runtime.system('test'), initech.id, reminder!.id);
    const dismissedAt = clock.now();

    clock.set(new Date(dismissedAt.getTime() + 29 * DAY_MS));
    expect((await evaluateUpgradeEligibility(runtime.system('billing.upgrade-check'))).created).toEqual([]);
    expect((await reminders(initech.id)).map((row) => row.dismissedAt)).toEqual([dismissedAt]);
    expect(await suggestions(initech.id)).toBe(1);

    clock.set(new Date(dismissedAt.getTime() + 31 * DAY_MS));
    expect((await evaluateUpgradeEligibility(runtime.system('billing.upgrade-check'))).created).toEqual(expected);
    expect((await reminders(initech.id)).map((row) => [row.suggestedTierKey, row.dismissedAt])).toEqual([
      ['business', dismissedAt],
      ['business', null],
    ]);
    expect(await suggestions(initech.id)).toBe(2);

    // The new reminder is not dismissed, so a later check leaves it as it is.
    expect((await evaluateUpgradeEligibility(runtime.system('billing.upgrade-check'))).created).toEqual([]);
    expect(await reminders(initech.id)).toHaveLength(2);
    expect(await suggestions(initech.id)).toBe(2);
  });
});

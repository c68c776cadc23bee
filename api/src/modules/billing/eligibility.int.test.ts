import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, signIn } from '../../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../../test/support/api.js';
import { FixedClock } from '../../shared/clock.js';
import { OutboundEvent } from '../outbox/index.js';
import { Organization } from '../organizations/index.js';
import { evaluateUpgradeEligibility } from './eligibility.service.js';
import { UpgradeReminder } from './upgrade-reminder.entity.js';

let api: TestApi;
let peter: string; // initech member
let hank: string; // globex admin
const clock = new FixedClock(new Date());

const REMINDER = '{ upgradeReminder { id suggestedTierKey reasons dismissedAt } }';
const DISMISS = 'mutation($id: ID!) { dismissUpgradeReminder(id: $id) { reminder { id dismissedAt } userErrors { code } } }';

function systemEm() {
  const em = api.orm.em.fork();
  em.setFilterParams('tenant', { allTenants: true });
  return em;
}

async function run() {
  return evaluateUpgradeEligibility(api.system('billing.upgrade-check').at(clock.now()));
}

async function reminders(slug: string) {
  const em = systemEm();
  const organization = await em.findOneOrFail(Organization, { slug });
  return em.find(UpgradeReminder, { organization });
}

async function events(slug: string) {
  const em = systemEm();
  const organization = await em.findOneOrFail(Organization, { slug });
  return em.find(OutboundEvent, { organization, type: 'organization.upgrade_suggested' });
}

beforeAll(async () => {
  api = await startTestApi({ clock });
  [peter, hank] = await Promise.all([signIn(api.url, 'peter@initech.example'), signIn(api.url, 'hank@globex.example')]);
});

afterAll(async () => {
  await api?.stop();
});

describe('upgrade eligibility', () => {
  it('suggests nothing for the seeded organizations, whose tiers fit', async () => {
    const report = await run();
    expect(report.checked).toBeGreaterThanOrEqual(4);
    expect(report.created).toEqual([]);
    expect(ok(await gql(api.url, REMINDER, {}, peter)).upgradeReminder).toBeNull();
  });

  it('reminds initech (growth) once its contract value meets Business, with an outbound event, and only once', async () => {
    const em = systemEm();
    const initech = await em.findOneOrFail(Organization, { slug: 'initech' });
    initech.contractValue = 60_000;
    initech.monthlyUsage = 1_500;
    await em.flush();

    const first = await run();
    expect(first.created.map((line) => line.tierKey)).toEqual(['business']);
    const reminder = ok(await gql(api.url, REMINDER, {}, peter)).upgradeReminder;
    expect(reminder).toMatchObject({ suggestedTierKey: 'business', dismissedAt: null });
    expect(reminder.reasons).toEqual(['Your contract value and usage match the Business tier']);
    const [event] = await events('initech');
    expect(event?.payload).toMatchObject({ fromTier: 'growth', suggestedTier: 'business', reasons: reminder.reasons });

    expect((await run()).created).toEqual([]);
    expect(await reminders('initech')).toHaveLength(1);
    expect(await events('initech')).toHaveLength(1);

    // Globex and the others are untouched, and globex sees nothing.
    for (const slug of ['globex', 'northwind', 'piedpiper']) {
      expect(await reminders(slug), slug).toEqual([]);
      expect(await events(slug), slug).toEqual([]);
    }
    expect(ok(await gql(api.url, REMINDER, {}, hank)).upgradeReminder).toBeNull();

    // Globex cannot dismiss it.
    const refused = ok(await gql(api.url, DISMISS, { id: reminder.id }, hank)).dismissUpgradeReminder;
    expect(refused).toEqual({ reminder: null, userErrors: [{ code: 'NOT_FOUND' }] });
    expect(ok(await gql(api.url, REMINDER, {}, peter)).upgradeReminder.id).toBe(reminder.id);

    // A member dismisses it: it is hidden, and the same suggestion stays quiet.
    const dismissed = ok(await gql(api.url, DISMISS, { id: reminder.id }, peter)).dismissUpgradeReminder;
    expect(dismissed.userErrors).toEqual([]);
    expect(dismissed.reminder.dismissedAt).not.toBeNull();
    expect(ok(await gql(api.url, REMINDER, {}, peter)).upgradeReminder).toBeNull();
    expect((await run()).created).toEqual([]);
    expect(await events('initech')).toHaveLength(1);
  });

  it('reminds initech again about a different tier, e.g. once it becomes business-critical', async () => {
    const em = systemEm();
    const initech = await em.findOneOrFail(Organization, { slug: 'initech' });
    initech.businessCritical = true;
    await em.flush();
    const report = await run();
    expect(report.created.map((line) => line.tierKey)).toEqual(['enterprise']);
    const reminder = ok(await gql(api.url, REMINDER, {}, peter)).upgradeReminder;
    expect(reminder.suggestedTierKey).toBe('enterprise');
    expect(reminder.reasons[0]).toBe('Support is business-critical for you; 24×7 coverage starts at Enterprise');
    expect(await events('initech')).toHaveLength(2);
  });
});

function ok(result: { data?: Record<string, any> | null; errors?: unknown }): Record<string, any> {
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!;
}

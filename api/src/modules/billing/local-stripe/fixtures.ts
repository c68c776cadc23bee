/**
 * Stripe's published example objects (stripe/openapi `fixtures3.json`, MIT, see FIXTURES-LICENSE), trimmed to the
 * resources this server renders. Every object we return starts as a copy of its fixture and then has ids, times,
 * amounts and statuses filled from state, so the field set and nesting are Stripe's, not our guess.
 *
 * `fixture()` keeps the JSON's own inferred type on purpose: the builders annotate their result with the SDK's
 * type (`Stripe.Subscription`, …), so tsc reports any fixture field whose type the SDK disagrees with and any field
 * the SDK requires that the fixture lacks. Fields that are well-typed but hold sample values (the fixture's
 * `pending_update`, `transfer_data`, discounts…) are overwritten explicitly in the builders.
 */
import type Stripe from 'stripe';
import fixtures from './fixtures.json' with { type: 'json' };

type Resources = typeof fixtures.resources;

export function fixture<K extends keyof Resources>(name: K): Resources[K] {
  return structuredClone(fixtures.resources[name]);
}

/**
 * Stripe sends decimals (`unit_amount_decimal`) as JSON strings; the SDK turns them into its `Decimal` on the way
 * in. The builders hold the wire value and this is the one place that says so to the type checker.
 */
export function wireDecimal(value: number | string): Stripe.Decimal {
  return String(value) as unknown as Stripe.Decimal;
}

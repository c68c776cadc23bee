import type Stripe from 'stripe';
import { z } from 'zod';

/**
 * The shape of a verified webhook body, checked before anything is read from it or written. A correct signature
 * says who sent the body, not that it is what its type promises (a bug, a replayed test payload, an API version we
 * do not know), so every field the handler reads is checked here:
 * - not an object with a Stripe-sized string `id` and `type`, or a handled type whose `data.object` lacks or
 *   mistypes a field the handler reads: `malformed` (400 EVENT_MALFORMED; Stripe's retry sends the same body, so
 *   a refusal is kept visible in its dashboard rather than hidden behind a 200);
 * - a type Tierdesk does not handle: `ignored` whatever its object looks like (200), since Stripe adds types and
 *   fields at will and we read none of them.
 * A customer Stripe does not know is a well-formed event about nobody: the handler acknowledges it as ignored.
 */
export type ParsedEvent =
  | { kind: 'handled'; event: Stripe.Event; refs: EventRefs }
  | { kind: 'ignored'; event: Stripe.Event }
  | { kind: 'malformed'; message: string };

/** What the handler may be given: a verified event that is not malformed. */
export type WellFormedEvent = Exclude<ParsedEvent, { kind: 'malformed' }>;

interface EventRefs {
  customerId: string | null;
  subscriptionId: string | null;
  organizationId: string | null;
}

/** Stripe ids are at most 255 characters (the `stripe_event.id` column is sized for it). */
const stripeId = z.string().min(1).max(255);
/** A reference is an id, or the object when expanded. */
const ref = z.union([stripeId, z.object({ id: stripeId })]).transform((value) => (typeof value === 'string' ? value : value.id));
const metadata = z.record(z.string(), z.string()).nullish();

const envelope = z.object({ id: stripeId, type: z.string().min(1).max(80), data: z.unknown() });
const withObject = z.object({ object: z.record(z.string(), z.unknown()) });

const checkoutSession = z.object({
  object: z.literal('checkout.session').optional(),
  customer: ref.nullish(),
  subscription: ref.nullish(),
  client_reference_id: z.string().nullish(),
  metadata,
});
const subscription = z.object({ id: stripeId, object: z.literal('subscription').optional(), customer: ref, metadata });
const invoice = z.object({
  object: z.literal('invoice').optional(),
  customer: ref.nullish(),
  parent: z.object({ subscription_details: z.object({ subscription: ref.nullish() }).nullish() }).nullish(),
});

const subscriptionRefs = subscription.transform((value) => ({
  customerId: value.customer,
  subscriptionId: value.id,
  organizationId: value.metadata?.organizationId ?? null,
}));
const invoiceRefs = invoice.transform((value) => ({
  customerId: value.customer ?? null,
  subscriptionId: value.parent?.subscription_details?.subscription ?? null,
  organizationId: null,
}));

/** The handled types, each with the fields of `data.object` the handler reads. */
const HANDLED = new Map<string, z.ZodType<EventRefs>>([
  [
    'checkout.session.completed',
    checkoutSession.transform((session) => ({
      customerId: session.customer ?? null,
      subscriptionId: session.subscription ?? null,
      organizationId: session.metadata?.organizationId ?? session.client_reference_id ?? null,
    })),
  ],
  ['customer.subscription.created', subscriptionRefs],
  ['customer.subscription.updated', subscriptionRefs],
  ['customer.subscription.deleted', subscriptionRefs],
  ['customer.subscription.trial_will_end', subscriptionRefs],
  ['invoice.paid', invoiceRefs],
  ['invoice.payment_failed', invoiceRefs],
]);

function shapeProblem(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0]!;
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  return `The event is not the shape its type promises: ${path || 'the body'}: ${issue.message}.`;
}

export function parseEvent(body: unknown): ParsedEvent {
  const head = envelope.safeParse(body);
  if (!head.success) return { kind: 'malformed', message: shapeProblem(head.error, '') };
  const event = body as Stripe.Event;
  const schema = HANDLED.get(head.data.type);
  if (!schema) return { kind: 'ignored', event };
  const data = withObject.safeParse(head.data.data);
  if (!data.success) return { kind: 'malformed', message: shapeProblem(data.error, 'data') };
  const refs = schema.safeParse(data.data.object);
  if (!refs.success) return { kind: 'malformed', message: shapeProblem(refs.error, 'data.object') };
  return { kind: 'handled', event, refs: refs.data };
}

/**
 * The `/v1` endpoints Tierdesk's billing code calls, plus `/__local` test helpers. Each handler reads Stripe's
 * form parameters through `Params` (unknown top-level parameters are rejected, as Stripe does), changes state
 * through the engine, and returns the Stripe object, expanded as `expand[]` asks.
 */
import type Stripe from 'stripe';
import { StripeApiError } from './errors.js';
import type { BillingEngine, ItemChange, SubscriptionChange } from './engine.js';
import { Params } from './form.js';
import { buildCheckoutLineItem, buildCheckoutSession, buildPortalSession, buildPrice, buildProduct, type PriceFields } from './objects.js';
import { newId, type LocalStripeStore } from './store.js';
import type { WebhookDispatcher } from './webhooks.js';

export interface Links {
  checkoutUrl(id: string): string;
  portalUrl(id: string): string;
  invoiceUrl(id: string): string;
}

export interface RouteContext {
  store: LocalStripeStore;
  engine: BillingEngine;
  webhooks: WebhookDispatcher;
  links: Links;
  advanceTime(seconds: number): void;
}

interface ApiCall {
  params: Params;
  /** the `:id` segments of the path, in order */
  ids: string[];
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  pattern: RegExp;
  handle(call: ApiCall): unknown;
}

const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'created', 'expand'] as const;
const CHECKOUT_SESSION_LIFETIME = 24 * 3600;
const PRORATION_BEHAVIORS = ['create_prorations', 'none', 'always_invoice'] as const;
const INTERVALS = ['day', 'week', 'month', 'year'] as const;
const TAX_BEHAVIORS = ['exclusive', 'inclusive', 'unspecified'] as const;

export function buildRoutes(ctx: RouteContext): Route[] {
  const { store, engine } = ctx;
  const routes: Route[] = [];
  const route = (method: Route['method'], path: string, handle: Route['handle']) => {
    const pattern = new RegExp(`^${path.replace(/:[a-z_]+/g, '([^/]+)')}$`);
    routes.push({ method, pattern, handle });
  };
  const id = (call: ApiCall, index = 0): string => call.ids[index] ?? '';

  // ------------------------------------------------------------ expansion and lists

  // Ids are looked up everywhere rather than by prefix: products may carry ids of the caller's choosing.
  const expandable: ReadonlyArray<Map<string, unknown>> = [
    store.customers,
    store.products,
    store.prices,
    store.subscriptions,
    store.invoices,
    store.checkoutSessions,
    store.events,
  ];
  const resolveId = (value: string): unknown => {
    for (const source of expandable) {
      const found = source.get(value);
      if (found !== undefined) return engine.render(found);
    }
    return undefined;
  };

  // Properties that exist only when expanded.
  const virtual = (object: Record<string, unknown>, field: string): unknown => {
    if (object.object === 'checkout.session' && field === 'line_items') return sessionLineItems(String(object.id));
    if (object.object === 'customer' && field === 'subscriptions') {
      const data = store.newestFirst([...store.subscriptions.values()].filter((s) => s.customer === object.id && s.status !== 'canceled'));
      return {
        object: 'list',
        data: data.map((s) => engine.render(s)),
        has_more: false,
        url: `/v1/customers/${String(object.id)}/subscriptions`,
      };
    }
    return undefined;
  };

  const expandPath = (value: unknown, segments: string[], path: string): unknown => {
    const [head, ...rest] = segments;
    if (head === undefined) return value;
    if (Array.isArray(value)) return value.map((entry) => expandPath(entry, segments, path));
    if (typeof value !== 'object' || value === null) return value;
    const object = value as Record<string, unknown>;
    let child = object[head] === undefined ? virtual(object, head) : object[head];
    if (child === undefined) throw StripeApiError.invalid(`This property cannot be expanded (${path}).`, 'expand');
    if (typeof child === 'string') {
      const resolved = resolveId(child);
      if (resolved === undefined) throw StripeApiError.invalid(`This property cannot be expanded (${path}).`, 'expand');
      child = resolved;
    }
    object[head] = expandPath(child, rest, path);
    return object;
  };

  /** The rendered object with `expand[]` applied. */
  const out = (object: unknown, params: Params, prefix: string[] = []): unknown => {
    const rendered = engine.render(object);
    for (const path of params.expand()) expandPath(rendered, [...prefix, ...path.split('.')], path);
    return rendered;
  };

  const list = <T extends { id: string; created: number }>(url: string, objects: Iterable<T>, params: Params): unknown => {
    let sorted = store.newestFirst(objects);
    const created = typeof params.raw.created === 'object' ? params.object('created') : undefined;
    const exactly = created ? undefined : params.int('created');
    if (exactly !== undefined) sorted = sorted.filter((o) => o.created === exactly);
    if (created) {
      const gt = created.int('gt');
      const gte = created.int('gte');
      const lt = created.int('lt');
      const lte = created.int('lte');
      sorted = sorted.filter(
        (o) =>
          (gt === undefined || o.created > gt) &&
          (gte === undefined || o.created >= gte) &&
          (lt === undefined || o.created < lt) &&
          (lte === undefined || o.created <= lte),
      );
    }
    const limit = params.int('limit') ?? 10;
    if (limit < 1 || limit > 100)
      throw StripeApiError.invalid('This value must be between 1 and 100.', 'limit', 'parameter_invalid_integer');
    const after = params.string('starting_after');
    const before = params.string('ending_before');
    let page: T[];
    let hasMore: boolean;
    if (after !== undefined) {
      const index = sorted.findIndex((o) => o.id === after);
      if (index < 0) throw StripeApiError.noSuch('object', after, 'starting_after');
      const rest = sorted.slice(index + 1);
      page = rest.slice(0, limit);
      hasMore = rest.length > limit;
    } else if (before !== undefined) {
      const index = sorted.findIndex((o) => o.id === before);
      if (index < 0) throw StripeApiError.noSuch('object', before, 'ending_before');
      const earlier = sorted.slice(0, index);
      page = earlier.slice(Math.max(0, earlier.length - limit));
      hasMore = earlier.length > limit;
    } else {
      page = sorted.slice(0, limit);
      hasMore = sorted.length > limit;
    }
    const rendered = { object: 'list', data: page.map((o) => engine.render(o)), has_more: hasMore, url };
    for (const path of params.expand()) {
      const segments = path.split('.');
      if (segments[0] !== 'data') throw StripeApiError.invalid(`This property cannot be expanded (${path}).`, 'expand');
      expandPath(rendered, segments, path);
    }
    return rendered;
  };

  const sessionLineItems = (sessionId: string) => {
    const lines = store.checkoutLines.get(sessionId) ?? [];
    return {
      object: 'list',
      data: lines.map((line) => {
        const price = engine.price(line.price);
        return buildCheckoutLineItem(line.id, price, engine.productName(price), line.quantity);
      }),
      has_more: false,
      url: `/v1/checkout/sessions/${sessionId}/line_items`,
    };
  };

  const emitUpdated = <T extends { id: string }>(type: Stripe.Event.Type, object: T, before: T) => {
    const previous: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(object)) {
      const old = (before as Record<string, unknown>)[key];
      if (JSON.stringify(old) !== JSON.stringify(value)) previous[key] = old ?? null;
    }
    if (Object.keys(previous).length > 0) engine.emit(type, object, { previous });
  };

  // ------------------------------------------------------------ customers

  const CUSTOMER_FIELDS = ['address', 'description', 'email', 'expand', 'metadata', 'name', 'phone', 'preferred_locales'];

  const applyCustomerFields = (customer: Stripe.Customer, params: Params) => {
    const email = params.nullableString('email');
    if (email !== undefined) customer.email = email;
    const name = params.nullableString('name');
    if (name !== undefined) customer.name = name;
    const description = params.nullableString('description');
    if (description !== undefined) customer.description = description;
    const phone = params.nullableString('phone');
    if (phone !== undefined) customer.phone = phone;
    const metadata = params.metadata(customer.metadata);
    if (metadata) customer.metadata = metadata;
    const locales = params.strings('preferred_locales');
    if (locales) customer.preferred_locales = locales;
    if (params.has('address')) {
      const address = params.string('address') === '' ? null : params.object('address');
      customer.address = address
        ? {
            city: address.string('city') ?? null,
            country: address.string('country') ?? null,
            line1: address.string('line1') ?? null,
            line2: address.string('line2') ?? null,
            postal_code: address.string('postal_code') ?? null,
            state: address.string('state') ?? null,
          }
        : null;
    }
  };

  route('POST', '/v1/customers', ({ params }) => {
    params.allowOnly(CUSTOMER_FIELDS);
    const customer = engine.createCustomer({ email: null, name: null, description: null, phone: null, metadata: {} }, (created) =>
      applyCustomerFields(created, params),
    );
    return out(customer, params);
  });
  route('GET', '/v1/customers/:id', (call) => out(engine.customer(id(call)), call.params));
  route('POST', '/v1/customers/:id', (call) => {
    call.params.allowOnly(CUSTOMER_FIELDS);
    const customer = engine.customer(id(call));
    const before = engine.render(customer);
    applyCustomerFields(customer, call.params);
    emitUpdated('customer.updated', customer, before);
    return out(customer, call.params);
  });
  route('GET', '/v1/customers', ({ params }) => {
    params.allowOnly([...LIST_PARAMS, 'email']);
    const email = params.string('email');
    const customers = [...store.customers.values()].filter((c) => email === undefined || c.email === email);
    return list('/v1/customers', customers, params);
  });

  // ------------------------------------------------------------ products

  const PRODUCT_FIELDS = [
    'active',
    'description',
    'expand',
    'images',
    'marketing_features',
    'metadata',
    'name',
    'statement_descriptor',
    'tax_code',
    'unit_label',
    'url',
  ];

  route('POST', '/v1/products', ({ params }) => {
    params.allowOnly([...PRODUCT_FIELDS, 'id', 'default_price_data', 'shippable', 'type']);
    const productId = params.string('id') ?? newId('prod', 14);
    if (store.products.has(productId)) throw StripeApiError.invalid('Product already exists.', 'id', 'resource_already_exists');
    const now = store.now();
    const product = buildProduct(now, productId, {
      name: params.requiredString('name'),
      active: params.bool('active') ?? true,
      description: params.nullableString('description') ?? null,
      metadata: params.metadata() ?? {},
      defaultPrice: null,
      marketingFeatures: (params.objects('marketing_features') ?? []).map((f) => f.requiredString('name')),
      statementDescriptor: params.nullableString('statement_descriptor') ?? null,
      unitLabel: params.nullableString('unit_label') ?? null,
      url: params.nullableString('url') ?? null,
      images: params.strings('images') ?? [],
    });
    const priceData = params.object('default_price_data');
    const price = priceData ? buildPrice(now, { ...priceFields(priceData, productId), lookupKey: null, nickname: null }) : null;
    if (price) product.default_price = price.id;
    store.remember(store.products, product);
    engine.emit('product.created', product);
    if (price) {
      store.remember(store.prices, price);
      engine.emit('price.created', price);
    }
    return out(product, params);
  });
  route('GET', '/v1/products/:id', (call) => out(engine.product(id(call)), call.params));
  route('POST', '/v1/products/:id', (call) => {
    const { params } = call;
    params.allowOnly([...PRODUCT_FIELDS, 'default_price']);
    const product = engine.product(id(call));
    const before = engine.render(product);
    const name = params.string('name');
    if (name !== undefined) product.name = name;
    const active = params.bool('active');
    if (active !== undefined) product.active = active;
    const description = params.nullableString('description');
    if (description !== undefined) product.description = description;
    const metadata = params.metadata(product.metadata);
    if (metadata) product.metadata = metadata;
    const defaultPrice = params.nullableString('default_price');
    if (defaultPrice) {
      const price = engine.price(defaultPrice, 'default_price');
      if (price.product !== product.id) throw StripeApiError.invalid('The default price must belong to this product.', 'default_price');
    }
    if (defaultPrice !== undefined) product.default_price = defaultPrice;
    const features = params.objects('marketing_features') ?? (params.string('marketing_features') === '' ? [] : undefined);
    if (features) product.marketing_features = features.map((f) => ({ name: f.requiredString('name') }));
    const images = params.strings('images');
    if (images) product.images = images;
    for (const field of ['statement_descriptor', 'unit_label', 'url'] as const) {
      const value = params.nullableString(field);
      if (value !== undefined) product[field] = value;
    }
    if (JSON.stringify(before) !== JSON.stringify(product)) product.updated = store.now();
    emitUpdated('product.updated', product, before);
    return out(product, params);
  });
  route('GET', '/v1/products', ({ params }) => {
    params.allowOnly([...LIST_PARAMS, 'active', 'ids', 'url', 'shippable']);
    const active = params.bool('active');
    const ids = params.strings('ids');
    const url = params.string('url');
    const products = [...store.products.values()].filter(
      (p) => (active === undefined || p.active === active) && (!ids || ids.includes(p.id)) && (url === undefined || p.url === url),
    );
    return list('/v1/products', products, params);
  });

  // ------------------------------------------------------------ prices

  function priceFields(params: Params, product: string): Omit<PriceFields, 'lookupKey' | 'nickname'> {
    const currency = params.requiredString('currency').toLowerCase();
    const decimal = params.string('unit_amount_decimal');
    if (decimal !== undefined && !/^\d+$/.test(decimal)) {
      throw StripeApiError.invalid('The local Stripe server supports whole-number unit amounts only.', params.name('unit_amount_decimal'));
    }
    const unitAmount = params.int('unit_amount') ?? (decimal === undefined ? undefined : Number(decimal));
    if (unitAmount === undefined) throw StripeApiError.missing(params.name('unit_amount'));
    if (unitAmount < 0) throw StripeApiError.invalid('This value must be greater than or equal to 0.', params.name('unit_amount'));
    const recurring = params.object('recurring');
    if (recurring) recurring.allowOnly(['interval', 'interval_count', 'trial_period_days', 'usage_type']);
    if (recurring && (recurring.string('usage_type') ?? 'licensed') !== 'licensed') {
      throw StripeApiError.invalid('The local Stripe server supports licensed (per-seat) prices only.', recurring.name('usage_type'));
    }
    const interval = recurring?.oneOf('interval', INTERVALS);
    if (recurring && !interval) throw StripeApiError.missing(recurring.name('interval'));
    return {
      product,
      currency,
      unitAmount,
      active: params.bool('active') ?? true,
      metadata: params.metadata() ?? {},
      recurring:
        recurring && interval
          ? { interval, intervalCount: recurring.int('interval_count') ?? 1, trialPeriodDays: recurring.int('trial_period_days') ?? null }
          : null,
      taxBehavior: params.oneOf('tax_behavior', TAX_BEHAVIORS) ?? 'unspecified',
    };
  }

  /** Stripe keeps lookup keys unique: taking one that is in use needs `transfer_lookup_key=true`. */
  const claimLookupKey = (lookupKey: string, forPrice: string | null, transfer: boolean) => {
    for (const other of store.prices.values()) {
      if (other.lookup_key !== lookupKey || other.id === forPrice) continue;
      if (!transfer) {
        throw StripeApiError.invalid(`A price (\`${other.id}\`) already uses that lookup key.`, 'lookup_key', 'lookup_key_already_exists');
      }
      const before = engine.render(other);
      other.lookup_key = null;
      emitUpdated('price.updated', other, before);
    }
  };

  route('POST', '/v1/prices', ({ params }) => {
    params.allowOnly([
      'active',
      'billing_scheme',
      'currency',
      'expand',
      'lookup_key',
      'metadata',
      'nickname',
      'product',
      'product_data',
      'recurring',
      'tax_behavior',
      'transfer_lookup_key',
      'unit_amount',
      'unit_amount_decimal',
    ]);
    if ((params.string('billing_scheme') ?? 'per_unit') !== 'per_unit') {
      throw StripeApiError.invalid('The local Stripe server supports billing_scheme=per_unit only.', 'billing_scheme');
    }
    const productData = params.object('product_data');
    let productId = params.string('product');
    if (productId !== undefined && productData)
      throw StripeApiError.invalid('You may only specify one of these parameters: product, product_data.', 'product');
    if (productId === undefined && !productData) throw StripeApiError.missing('product');
    if (productId !== undefined) engine.product(productId, 'product');
    const now = store.now();
    const fields = priceFields(params, productId ?? '');
    const lookupKey = params.nullableString('lookup_key') ?? null;
    if (lookupKey) claimLookupKey(lookupKey, null, params.bool('transfer_lookup_key') ?? false);
    if (productData) {
      productData.allowOnly(['active', 'id', 'metadata', 'name', 'statement_descriptor', 'tax_code', 'unit_label']);
      const product = buildProduct(now, productData.string('id') ?? newId('prod', 14), {
        name: productData.requiredString('name'),
        active: productData.bool('active') ?? true,
        description: null,
        metadata: productData.metadata() ?? {},
        defaultPrice: null,
        marketingFeatures: [],
        statementDescriptor: productData.string('statement_descriptor') ?? null,
        unitLabel: productData.string('unit_label') ?? null,
        url: null,
        images: [],
      });
      if (store.products.has(product.id))
        throw StripeApiError.invalid('Product already exists.', 'product_data[id]', 'resource_already_exists');
      store.remember(store.products, product);
      engine.emit('product.created', product);
      productId = product.id;
    }
    const price = store.remember(
      store.prices,
      buildPrice(now, { ...fields, product: productId ?? '', lookupKey, nickname: params.nullableString('nickname') ?? null }),
    );
    engine.emit('price.created', price);
    return out(price, params);
  });
  route('GET', '/v1/prices/:id', (call) => out(engine.price(id(call)), call.params));
  route('POST', '/v1/prices/:id', (call) => {
    const { params } = call;
    params.allowOnly(['active', 'expand', 'lookup_key', 'metadata', 'nickname', 'tax_behavior', 'transfer_lookup_key']);
    const price = engine.price(id(call));
    const before = engine.render(price);
    const active = params.bool('active');
    if (active !== undefined) price.active = active;
    const lookupKey = params.nullableString('lookup_key');
    if (lookupKey) claimLookupKey(lookupKey, price.id, params.bool('transfer_lookup_key') ?? false);
    if (lookupKey !== undefined) price.lookup_key = lookupKey;
    const nickname = params.nullableString('nickname');
    if (nickname !== undefined) price.nickname = nickname;
    const metadata = params.metadata(price.metadata);
    if (metadata) price.metadata = metadata;
    const taxBehavior = params.oneOf('tax_behavior', TAX_BEHAVIORS);
    if (taxBehavior) price.tax_behavior = taxBehavior;
    emitUpdated('price.updated', price, before);
    return out(price, params);
  });
  route('GET', '/v1/prices', ({ params }) => {
    params.allowOnly([...LIST_PARAMS, 'active', 'currency', 'lookup_keys', 'product', 'recurring', 'type']);
    const active = params.bool('active');
    const currency = params.string('currency')?.toLowerCase();
    const lookupKeys = params.strings('lookup_keys');
    if (lookupKeys && lookupKeys.length > 10) throw StripeApiError.invalid('You may pass at most 10 lookup keys.', 'lookup_keys');
    const product = params.string('product');
    const type = params.oneOf('type', ['one_time', 'recurring'] as const);
    const interval = params.object('recurring')?.oneOf('interval', INTERVALS);
    const prices = [...store.prices.values()].filter(
      (p) =>
        (active === undefined || p.active === active) &&
        (currency === undefined || p.currency === currency) &&
        (!lookupKeys || (p.lookup_key !== null && lookupKeys.includes(p.lookup_key))) &&
        (product === undefined || p.product === product) &&
        (type === undefined || p.type === type) &&
        (interval === undefined || p.recurring?.interval === interval),
    );
    return list('/v1/prices', prices, params);
  });

  // ------------------------------------------------------------ checkout sessions

  route('POST', '/v1/checkout/sessions', ({ params }) => {
    params.allowOnly([
      'allow_promotion_codes',
      'automatic_tax',
      'billing_address_collection',
      'cancel_url',
      'client_reference_id',
      'consent_collection',
      'currency',
      'customer',
      'customer_email',
      'customer_update',
      'expand',
      'expires_at',
      'line_items',
      'locale',
      'metadata',
      'mode',
      'payment_method_collection',
      'payment_method_types',
      'subscription_data',
      'success_url',
      'tax_id_collection',
      'ui_mode',
    ]);
    const mode = params.requiredString('mode');
    if (mode !== 'subscription') {
      throw StripeApiError.invalid('The local Stripe server supports Checkout in mode=subscription only.', 'mode');
    }
    const uiMode = params.string('ui_mode');
    if (uiMode !== undefined && uiMode !== 'hosted' && uiMode !== 'hosted_page') {
      throw StripeApiError.invalid('The local Stripe server supports hosted Checkout only.', 'ui_mode');
    }
    const successUrl = params.requiredString('success_url');
    const customerId = params.string('customer');
    const customerEmail = params.string('customer_email');
    if (customerId !== undefined && customerEmail !== undefined) {
      throw StripeApiError.invalid('You may only specify one of these parameters: customer, customer_email.', 'customer_email');
    }
    const customer = customerId === undefined ? null : engine.customer(customerId, 'customer');
    const lineParams = params.objects('line_items');
    if (!lineParams || lineParams.length === 0) throw StripeApiError.missing('line_items');
    const lines = lineParams.map((line) => {
      line.allowOnly(['price', 'quantity', 'adjustable_quantity', 'tax_rates']);
      if (line.has('price_data')) throw StripeApiError.invalid('The local Stripe server needs a `price` id.', line.name('price_data'));
      const quantity = line.int('quantity') ?? 1;
      if (quantity < 1) throw StripeApiError.invalid('Quantity must be at least 1.', line.name('quantity'));
      return { id: newId('li'), price: engine.subscribablePrice(line.requiredString('price'), line.name('price')), quantity };
    });
    const first = lines[0] as (typeof lines)[number];
    for (const line of lines) {
      if (line.price.currency !== first.price.currency)
        throw StripeApiError.invalid('All line items must use the same currency.', 'line_items');
      const a = line.price.recurring;
      const b = first.price.recurring;
      if (a?.interval !== b?.interval || a?.interval_count !== b?.interval_count) {
        throw StripeApiError.invalid('Checkout does not support multiple prices with different billing intervals.', 'line_items');
      }
    }
    const subscriptionData = params.object('subscription_data');
    subscriptionData?.allowOnly(['description', 'metadata', 'trial_end', 'trial_period_days', 'trial_settings']);
    const trialPeriodDays = subscriptionData?.int('trial_period_days') ?? null;
    if (trialPeriodDays !== null && (trialPeriodDays < 1 || trialPeriodDays > 730)) {
      throw StripeApiError.invalid('trial_period_days must be between 1 and 730.', 'subscription_data[trial_period_days]');
    }
    const trialEnd = subscriptionData?.int('trial_end') ?? null;
    const now = store.now();
    if (trialEnd !== null && trialEnd < now + 2 * 86_400) {
      throw StripeApiError.invalid('The `trial_end` date has to be at least 2 days in the future.', 'subscription_data[trial_end]');
    }
    const subtotal = lines.reduce((sum, line) => sum + (line.price.unit_amount ?? 0) * line.quantity, 0);
    const sessionId = `cs_test_${newId('x', 56).slice(2)}`;
    const session = buildCheckoutSession(now, {
      id: sessionId,
      url: ctx.links.checkoutUrl(sessionId),
      customer: customer?.id ?? null,
      customerEmail: customerEmail ?? null,
      clientReferenceId: params.string('client_reference_id') ?? null,
      currency: first.price.currency,
      amountSubtotal: subtotal,
      amountTotal: trialPeriodDays !== null || trialEnd !== null ? 0 : subtotal,
      metadata: params.metadata() ?? {},
      successUrl,
      cancelUrl: params.string('cancel_url') ?? null,
      expiresAt: params.int('expires_at') ?? now + CHECKOUT_SESSION_LIFETIME,
      locale: (params.string('locale') as Stripe.Checkout.Session.Locale | undefined) ?? null,
    });
    store.remember(store.checkoutSessions, session);
    store.checkoutLines.set(
      sessionId,
      lines.map((line) => ({ id: line.id, price: line.price.id, quantity: line.quantity })),
    );
    store.checkoutSubscriptionData.set(sessionId, {
      trialPeriodDays,
      trialEnd,
      metadata: subscriptionData?.metadata() ?? {},
      description: subscriptionData?.string('description') ?? null,
    });
    return out(session, params);
  });
  route('GET', '/v1/checkout/sessions/:id', (call) => out(engine.checkoutSession(id(call)), call.params));
  route('GET', '/v1/checkout/sessions/:id/line_items', (call) => {
    call.params.allowOnly([...LIST_PARAMS]);
    engine.checkoutSession(id(call));
    return sessionLineItems(id(call));
  });
  route('POST', '/v1/checkout/sessions/:id/expire', (call) => {
    const session = engine.checkoutSession(id(call));
    if (session.status !== 'open') {
      throw StripeApiError.invalid(
        `Only Checkout Sessions with a status of 'open' can be expired.`,
        undefined,
        'checkout_session_inactive',
      );
    }
    engine.expireSession(session, store.now());
    return out(session, call.params);
  });
  route('GET', '/v1/checkout/sessions', ({ params }) => {
    params.allowOnly([...LIST_PARAMS, 'customer', 'status', 'subscription']);
    const customer = params.string('customer');
    const status = params.string('status');
    const subscription = params.string('subscription');
    const sessions = [...store.checkoutSessions.values()].filter(
      (s) =>
        (customer === undefined || s.customer === customer) &&
        (status === undefined || s.status === status) &&
        (subscription === undefined || s.subscription === subscription),
    );
    return list('/v1/checkout/sessions', sessions, params);
  });

  // ------------------------------------------------------------ subscriptions

  const itemChanges = (params: Params, key: string): ItemChange[] =>
    (params.objects(key) ?? []).map((item) => {
      item.allowOnly(['id', 'price', 'quantity', 'deleted', 'metadata', 'clear_usage', 'tax_rates', 'discounts']);
      const change: ItemChange = { param: item.path };
      const itemId = item.string('id');
      if (itemId !== undefined) change.id = itemId;
      const price = item.string('price');
      if (price !== undefined) change.price = price;
      const quantity = item.int('quantity');
      if (quantity !== undefined) change.quantity = quantity;
      if (item.bool('deleted')) change.deleted = true;
      const metadata = item.metadata();
      if (metadata) change.metadata = metadata;
      return change;
    });

  const subscriptionChange = (params: Params): SubscriptionChange => {
    const change: SubscriptionChange = {
      items: itemChanges(params, 'items'),
      prorationBehavior: params.oneOf('proration_behavior', PRORATION_BEHAVIORS) ?? 'create_prorations',
    };
    const prorationDate = params.int('proration_date');
    if (prorationDate !== undefined) change.prorationDate = prorationDate;
    const cancelAtPeriodEnd = params.bool('cancel_at_period_end');
    if (cancelAtPeriodEnd !== undefined) change.cancelAtPeriodEnd = cancelAtPeriodEnd;
    const trialEnd = params.string('trial_end');
    if (trialEnd !== undefined) change.trialEnd = trialEnd === 'now' ? 'now' : (params.int('trial_end') as number);
    const anchor = params.oneOf('billing_cycle_anchor', ['now', 'unchanged'] as const);
    if (anchor === 'now') change.billingCycleAnchorNow = true;
    const cancelAt = params.string('cancel_at');
    if (cancelAt !== undefined && cancelAt !== '') {
      throw StripeApiError.invalid('The local Stripe server supports cancel_at_period_end, not cancel_at.', 'cancel_at');
    }
    if (cancelAt === '') change.cancelAtPeriodEnd ??= false;
    const details = params.object('cancellation_details');
    if (details) {
      details.allowOnly(['comment', 'feedback']);
      change.cancellationDetails = {};
      const comment = details.nullableString('comment');
      if (comment !== undefined) change.cancellationDetails.comment = comment;
      const feedback = details.nullableString('feedback');
      if (feedback !== undefined) change.cancellationDetails.feedback = feedback as Stripe.Subscription.CancellationDetails.Feedback | null;
    }
    const description = params.nullableString('description');
    if (description !== undefined) change.description = description;
    return change;
  };

  const IGNORED_SUBSCRIPTION_PARAMS = ['default_payment_method', 'off_session', 'payment_behavior', 'payment_settings'];

  route('POST', '/v1/subscriptions', ({ params }) => {
    params.allowOnly([
      ...IGNORED_SUBSCRIPTION_PARAMS,
      'cancel_at_period_end',
      'collection_method',
      'customer',
      'description',
      'expand',
      'items',
      'metadata',
      'proration_behavior',
      'trial_end',
      'trial_from_plan',
      'trial_period_days',
    ]);
    if ((params.string('collection_method') ?? 'charge_automatically') !== 'charge_automatically') {
      throw StripeApiError.invalid('The local Stripe server supports collection_method=charge_automatically only.', 'collection_method');
    }
    const customer = engine.customer(params.requiredString('customer'), 'customer');
    const items = (params.objects('items') ?? []).map((item) => {
      item.allowOnly(['price', 'quantity', 'metadata', 'tax_rates', 'discounts']);
      return {
        price: engine.subscribablePrice(item.requiredString('price'), item.name('price')),
        quantity: item.int('quantity') ?? 1,
        metadata: item.metadata() ?? {},
      };
    });
    if (items.length === 0) throw StripeApiError.missing('items');
    const now = store.now();
    const trialDays =
      params.int('trial_period_days') ?? (params.bool('trial_from_plan') ? items[0]?.price.recurring?.trial_period_days : null) ?? null;
    const trialEndParam = params.string('trial_end');
    const trialEnd =
      trialEndParam === undefined || trialEndParam === 'now'
        ? trialDays
          ? now + trialDays * 86_400
          : null
        : (params.int('trial_end') ?? null);
    if (params.string('payment_behavior') === 'error_if_incomplete' && store.decliningCustomers.has(customer.id) && trialEnd === null) {
      throw StripeApiError.cardDeclined();
    }
    const { subscription } = engine.startSubscription({
      customer,
      items,
      metadata: params.metadata() ?? {},
      description: params.string('description') ?? null,
      trialEnd,
      cancelAtPeriodEnd: params.bool('cancel_at_period_end') ?? false,
    });
    return out(subscription, params);
  });
  route('GET', '/v1/subscriptions/:id', (call) => out(engine.subscription(id(call)), call.params));
  route('POST', '/v1/subscriptions/:id', (call) => {
    const { params } = call;
    params.allowOnly([
      ...IGNORED_SUBSCRIPTION_PARAMS,
      'billing_cycle_anchor',
      'cancel_at',
      'cancel_at_period_end',
      'cancellation_details',
      'description',
      'expand',
      'items',
      'metadata',
      'proration_behavior',
      'proration_date',
      'trial_end',
    ]);
    const subscription = engine.subscription(id(call));
    const change = subscriptionChange(params);
    const metadata = params.metadata(subscription.metadata);
    if (metadata) change.metadata = metadata;
    engine.updateSubscription(subscription, change);
    return out(subscription, params);
  });
  route('DELETE', '/v1/subscriptions/:id', (call) => {
    const { params } = call;
    params.allowOnly(['cancellation_details', 'expand', 'invoice_now', 'prorate']);
    const subscription = engine.subscription(id(call));
    const details = params.object('cancellation_details');
    engine.cancelSubscription(subscription, {
      invoiceNow: params.bool('invoice_now') ?? false,
      prorate: params.bool('prorate') ?? false,
      comment: details?.nullableString('comment') ?? null,
      feedback: (details?.nullableString('feedback') ?? null) as Stripe.Subscription.CancellationDetails.Feedback | null,
    });
    return out(subscription, params);
  });
  route('GET', '/v1/subscriptions', ({ params }) => {
    params.allowOnly([...LIST_PARAMS, 'customer', 'price', 'status']);
    const customer = params.string('customer');
    const price = params.string('price');
    const status = params.string('status');
    const subscriptions = [...store.subscriptions.values()].filter(
      (s) =>
        (customer === undefined || s.customer === customer) &&
        (price === undefined || s.items.data.some((item) => item.price.id === price)) &&
        // Stripe leaves canceled subscriptions out unless asked for them (status=canceled, ended or all).
        (status === 'all' ||
          (status === 'ended' && (s.status === 'canceled' || s.status === 'incomplete_expired')) ||
          (status === undefined ? s.status !== 'canceled' : s.status === status)),
    );
    return list('/v1/subscriptions', subscriptions, params);
  });

  // ------------------------------------------------------------ invoices

  route('POST', '/v1/invoices/create_preview', ({ params }) => {
    params.allowOnly(['automatic_tax', 'currency', 'customer', 'expand', 'preview_mode', 'subscription', 'subscription_details']);
    const subscriptionId = params.string('subscription');
    const subscription = subscriptionId === undefined ? null : engine.subscription(subscriptionId, 'subscription');
    const customerId = params.string('customer') ?? (subscription?.customer as string | undefined);
    if (customerId === undefined) throw StripeApiError.missing('customer');
    const customer = engine.customer(customerId, 'customer');
    if (subscription && subscription.customer !== customer.id) {
      throw StripeApiError.invalid(`The subscription ${subscription.id} does not belong to customer ${customer.id}.`, 'subscription');
    }
    const details = params.object('subscription_details');
    details?.allowOnly([
      'billing_cycle_anchor',
      'cancel_at_period_end',
      'items',
      'metadata',
      'proration_behavior',
      'proration_date',
      'trial_end',
      'default_tax_rates',
    ]);
    let preview: Stripe.Invoice;
    if (subscription) {
      const change = details ? subscriptionChange(details) : null;
      const metadata = details?.metadata(subscription.metadata);
      if (change && metadata) change.metadata = metadata;
      preview = engine.preview({ customer, subscription, change, newSubscription: null });
    } else {
      const items = (details?.objects('items') ?? []).map((item) => ({
        id: newId('si', 14),
        price: engine.subscribablePrice(item.requiredString('price'), item.name('price')),
        quantity: item.int('quantity') ?? 1,
        metadata: {},
      }));
      if (items.length === 0) {
        const live = store.newestFirst(
          [...store.subscriptions.values()].filter((s) => s.customer === customer.id && s.status !== 'canceled'),
        )[0];
        if (!live) {
          throw new StripeApiError(404, {
            type: 'invalid_request_error',
            code: 'invoice_upcoming_none',
            message: `No upcoming invoices for customer: ${customer.id}`,
          });
        }
        preview = engine.preview({ customer, subscription: live, change: null, newSubscription: null });
      } else {
        const trialEnd = details?.string('trial_end') === 'now' ? null : (details?.int('trial_end') ?? null);
        preview = engine.preview({ customer, subscription: null, change: null, newSubscription: { items, trialEnd } });
      }
    }
    return out(preview, params);
  });
  route('GET', '/v1/invoices/:id', (call) => out(engine.invoice(id(call)), call.params));
  route('GET', '/v1/invoices/:id/lines', (call) => {
    call.params.allowOnly([...LIST_PARAMS]);
    return engine.render(engine.invoice(id(call)).lines);
  });
  route('POST', '/v1/invoices/:id/pay', (call) => {
    call.params.allowOnly(['expand', 'forgive', 'off_session', 'paid_out_of_band', 'payment_method', 'source']);
    const invoice = engine.invoice(id(call));
    if (invoice.status !== 'open') throw StripeApiError.invalid('Invoice is already paid', undefined, 'invoice_not_open');
    engine.attemptPayment(invoice, store.now());
    if (invoice.status !== 'paid') throw StripeApiError.cardDeclined();
    return out(invoice, call.params);
  });
  route('GET', '/v1/invoices', ({ params }) => {
    params.allowOnly([...LIST_PARAMS, 'collection_method', 'customer', 'status', 'subscription']);
    const customer = params.string('customer');
    const status = params.string('status');
    const subscription = params.string('subscription');
    const invoices = [...store.invoices.values()].filter(
      (i) =>
        (customer === undefined || i.customer === customer) &&
        (status === undefined || i.status === status) &&
        (subscription === undefined || i.parent?.subscription_details?.subscription === subscription),
    );
    return list('/v1/invoices', invoices, params);
  });

  // ------------------------------------------------------------ billing portal

  route('POST', '/v1/billing_portal/sessions', ({ params }) => {
    params.allowOnly(['configuration', 'customer', 'expand', 'flow_data', 'locale', 'on_behalf_of', 'return_url']);
    const customer = engine.customer(params.requiredString('customer'), 'customer');
    const sessionId = newId('bps');
    const session = buildPortalSession(store.now(), {
      id: sessionId,
      customer: customer.id,
      returnUrl: params.string('return_url') ?? null,
      url: ctx.links.portalUrl(sessionId),
      locale: (params.string('locale') as Stripe.BillingPortal.Session.Locale | undefined) ?? null,
    });
    store.remember(store.portalSessions, session);
    return out(session, params);
  });

  // ------------------------------------------------------------ events

  route('GET', '/v1/events/:id', (call) => {
    const event = store.events.get(id(call));
    if (!event) throw StripeApiError.noSuch('event', id(call));
    return out(event, call.params);
  });
  route('GET', '/v1/events', ({ params }) => {
    params.allowOnly([...LIST_PARAMS, 'type', 'types', 'delivery_success']);
    const type = params.string('type');
    const types = params.strings('types');
    const matches = (t: string) =>
      (type === undefined || (type.endsWith('*') ? t.startsWith(type.slice(0, -1)) : t === type)) && (!types || types.includes(t));
    return list(
      '/v1/events',
      [...store.events.values()].filter((e) => matches(e.type)),
      params,
    );
  });

  // ------------------------------------------------------------ test helpers (not Stripe)

  route('GET', '/__local/clock', () => ({ now: store.now() }));
  route('POST', '/__local/clock/advance', ({ params }) => {
    params.allowOnly(['seconds', 'to']);
    const to = params.int('to');
    const seconds = to === undefined ? params.requiredInt('seconds') : to - store.now();
    if (seconds < 0) throw StripeApiError.invalid('The clock only moves forward.', to === undefined ? 'seconds' : 'to');
    ctx.advanceTime(seconds);
    return { now: store.now() };
  });
  route('POST', '/__local/invoices/fail', ({ params }) => {
    params.allowOnly(['subscription', 'expand']);
    const subscription = engine.subscription(params.requiredString('subscription'), 'subscription');
    return out(engine.failRenewalNow(subscription), params);
  });
  route('POST', '/__local/customers/:id/card', (call) => {
    call.params.allowOnly(['outcome']);
    const customer = engine.customer(id(call));
    const outcome = call.params.oneOf('outcome', ['succeed', 'decline'] as const);
    if (!outcome) throw StripeApiError.missing('outcome');
    if (outcome === 'decline') store.decliningCustomers.add(customer.id);
    else store.decliningCustomers.delete(customer.id);
    return { customer: customer.id, outcome };
  });
  route('POST', '/__local/checkout/sessions/:id/complete', (call) => {
    call.params.allowOnly(['card', 'email', 'name', 'expand']);
    const session = engine.checkoutSession(id(call));
    engine.completeCheckout(session, {
      card: call.params.string('card') ?? '4242424242424242',
      email: call.params.string('email') ?? null,
      name: call.params.string('name') ?? null,
    });
    return out(session, call.params);
  });
  route('POST', '/__local/events/deliver', ({ params }) => {
    params.allowOnly(['events', 'url']);
    const ids = params.strings('events');
    if (!ids || ids.length === 0) throw StripeApiError.missing('events');
    for (const [index, eventId] of ids.entries()) {
      if (!store.events.has(eventId)) throw StripeApiError.noSuch('event', eventId, `events[${index}]`);
    }
    const url = params.string('url') ?? ctx.webhooks.webhookUrl;
    if (!url) throw StripeApiError.invalid('No webhook URL is set; pass `url`.', 'url');
    return { object: 'list', data: ctx.webhooks.deliver(ids, url) };
  });
  route('POST', '/__local/events/:id/redeliver', (call) => {
    if (!store.events.has(id(call))) throw StripeApiError.noSuch('event', id(call));
    const url = ctx.webhooks.webhookUrl;
    if (!url) throw StripeApiError.invalid('No webhook URL is set.', 'url');
    return ctx.webhooks.deliver([id(call)], url)[0];
  });
  route('GET', '/__local/deliveries', () => ({ object: 'list', data: store.deliveries }));

  return routes;
}

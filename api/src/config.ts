import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const flag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

/** Every environment variable Tierdesk reads. README's configuration table mirrors this list. */
const schema = z
  .object({
    DATABASE_URL: z
      .string()
      .url()
      .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// URL')
      .optional()
      .describe('PostgreSQL connection URL; unset = start the embedded PostgreSQL'),
    EMBEDDED_PG_DIR: z.string().default('.tierdesk/pgdata').describe('data directory of the embedded PostgreSQL'),
    EMBEDDED_PG_PORT: port.default(54329).describe('port of the embedded PostgreSQL'),
    API_PORT: port.default(4000).describe('port of the GraphQL API'),
    PORTAL_PORT: port.default(3000).describe('port of the customer portal'),
    API_URL: z.string().url().optional().describe('where the portal reaches the API; default http://localhost:API_PORT/graphql'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SESSION_TTL_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 90)
      .default(24 * 7),
    SIGN_IN_LOCK_AFTER: z.coerce
      .number()
      .int()
      .min(4)
      .max(100)
      .default(10)
      .describe('failed sign-ins of one account within SIGN_IN_LOCK_MINUTES that lock it (from the 4th, each failure doubles the wait)'),
    SIGN_IN_LOCK_MINUTES: z.coerce.number().int().min(1).max(1_440).default(15).describe('how long a locked account waits'),
    ANONYMOUS_REQUESTS_PER_MINUTE: z.coerce
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(300)
      .describe('GraphQL requests per minute from one network address without credentials'),
    CUSTOMER_REQUESTS_PER_MINUTE: z.coerce
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(600)
      .describe('GraphQL requests per minute of one signed-in customer'),
    TRUST_PROXY: flag
      .default(false)
      .describe('`true` behind a reverse proxy: the caller is the first address of X-Forwarded-For, not the proxy'),
    NODE_ENV: z
      .enum(['development', 'test', 'production'])
      .default('development')
      .describe('`production` makes introspection staff-only unless GRAPHQL_INTROSPECTION says otherwise'),
    MAX_QUERY_DEPTH: z.coerce
      .number()
      .int()
      .min(2)
      .max(50)
      .default(12)
      .describe('deepest GraphQL selection accepted (levels below the first field)'),
    MAX_QUERY_ALIASES: z.coerce.number().int().min(0).max(1_000).default(30).describe('aliases one GraphQL operation may use'),
    MAX_QUERY_DIRECTIVES: z.coerce.number().int().min(0).max(1_000).default(50).describe('directives one GraphQL operation may use'),
    MAX_QUERY_TOKENS: z.coerce.number().int().min(100).max(100_000).default(5_000).describe('lexical tokens a GraphQL document may have'),
    MAX_QUERY_COST: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .default(10_000)
      .describe('static cost an operation may have: 1 a field, connections times `first`, knowledge-base searches 50'),
    RESPONSE_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1_024)
      .max(1024 * 1024 * 1024)
      .default(5 * 1024 * 1024)
      .describe('a GraphQL result larger than this is replaced by a RESPONSE_TOO_LARGE error'),
    GRAPHQL_INTROSPECTION: z
      .enum(['on', 'off', 'staff'])
      .optional()
      .describe('who may introspect the schema (and see "Did you mean" suggestions); default on, staff in production'),
    SEED_DEMO: flag.default(true).describe('`pnpm start` seeds the demo organizations'),
    RUN_TIMERS: flag.default(true).describe('this process fires SLA warnings/breaches and escalation steps'),
    TIMER_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(50).describe('how many due tickets one timer pass takes at once'),
    TIMER_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(50)
      .max(60_000)
      .default(250)
      .describe('how often the job runner looks for SLA timers and escalation steps set by other processes'),
    UPGRADE_CHECK_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(7 * 86_400_000)
      .default(3_600_000)
      .describe('how often the timer worker checks organizations for a better-fitting tier (0: never)'),
    PORTAL_SESSION_SECRET: z.string().min(16).optional().describe('signs portal cookies; comma list rotates'),
    MEILI_HOST: z
      .string()
      .url()
      .refine((value) => /^https?:\/\//.test(value), 'must be an http:// or https:// URL')
      .optional()
      .describe('Meilisearch URL; unset = search with the embedded PostgreSQL engine'),
    MEILI_API_KEY: z.string().min(1).optional().describe('Meilisearch master or admin key (tenant tokens need one)'),
    KB_DIR: z.string().optional().describe('knowledge-base articles directory; default kb/articles of the repository'),
    STRIPE_SECRET_KEY: z
      .string()
      .regex(/^(sk|rk)_(test|live)_\w+$/, 'must be a Stripe secret or restricted key (sk_test_…, sk_live_…)')
      .optional()
      .describe('Stripe secret key; unset = the bundled local Stripe-compatible server (test mode)'),
    STRIPE_WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_\w+$/, 'must be a webhook signing secret (whsec_…)')
      .optional()
      .describe('verifies POST /webhooks/stripe; required with STRIPE_SECRET_KEY, else generated once per installation'),
    STRIPE_LOCAL_PORT: port.default(12111).describe('port of the local Stripe-compatible server (when STRIPE_SECRET_KEY is unset)'),
    BILLING_GRACE_DAYS: z.coerce.number().int().min(0).max(60).default(7).describe('days a past-due organization keeps its paid tier'),
  })
  .superRefine((value, context) => {
    if (value.STRIPE_SECRET_KEY && !value.STRIPE_WEBHOOK_SECRET) {
      context.addIssue({ code: 'custom', path: ['STRIPE_WEBHOOK_SECRET'], message: 'is required when STRIPE_SECRET_KEY is set' });
    }
  });

export type Config = Readonly<z.infer<typeof schema>>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new ConfigError(`Invalid configuration:\n${problems}`);
  }
  return Object.freeze(result.data);
}

/** GRAPHQL_INTROSPECTION, or its default: open while developing, staff-only in production. */
export function introspectionMode(config: Config): 'on' | 'off' | 'staff' {
  return config.GRAPHQL_INTROSPECTION ?? (config.NODE_ENV === 'production' ? 'staff' : 'on');
}

export const CONFIG_VARIABLES = Object.keys(schema.shape);

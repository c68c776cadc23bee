import { defineConfig, MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from '../app/modules.js';
import { migrationsList } from './migrations/index.js';
import { queryCounter } from './query-counter.js';

function ormOptions(clientUrl: string, overrides: Partial<Options> = {}): Options {
  return defineConfig({
    clientUrl,
    entities: [...ENTITIES],
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    extensions: [Migrator],
    migrations: {
      migrationsList,
      path: new URL('./migrations', import.meta.url).pathname.replace('/dist/', '/src/'),
      emit: 'ts',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    pool: { min: 0, max: 10 },
    loggerFactory: queryCounter.loggerFactory,
    // MikroORM joins every to-one relation whose target has an active filter into each query, so that a reference the
    // filter hides reads as null. Here no tenant-owned row refers to another tenant's (what a tenant row points at is
    // its own organization's, or global: tiers, staff users), and every read of the target itself goes through the
    // filter; the joins only cost SQL and planning on every statement of a customer or key (docs/decisions/011).
    autoJoinRefsForFilters: false,
    ...overrides,
  });
}

export async function initOrm(clientUrl: string, overrides: Partial<Options> = {}): Promise<MikroORM> {
  return MikroORM.init(ormOptions(clientUrl, overrides));
}

export type { MikroORM };

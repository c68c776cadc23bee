// The real Tierdesk API in its own process, for the HTTP load: `node api-server.mjs <database url>`.
// Forked by bench/lib/system.mjs; reports `{ url }` over IPC once it listens, stops on SIGTERM.
import { loadConfig } from '@tierdesk/api/config';
import { boot } from '@tierdesk/api/main';

const [databaseUrl] = process.argv.slice(2);
// What `pnpm tierdesk serve` runs, on a free port; warn-level logs (the API logs no line per request anyway).
const api = await boot({ config: loadConfig({ ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' }), port: 0 });
process.send({ url: api.server.url });
process.once('SIGTERM', () => void api.stop().then(() => process.exit(0)));

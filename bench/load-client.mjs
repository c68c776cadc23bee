import { runLoad } from './lib/load.mjs';
import { ms, perSecond } from './lib/stats.mjs';
import { startServerProcess } from './lib/system.mjs';

const progress = (line) => process.stderr.write(`  ${line}\n`);

/**
 * Why the load loop uses node:http: the same bare Apollo hello, loaded through the same loop with node:http and
 * with the global fetch (undici), and the client's own CPU per request for each. On 2 cores the client's CPU is
 * taken from the server under test, so the cheaper client measures the server more truly.
 */
export async function loadClient({ durationMs = 10_000, concurrency = 8 } = {}) {
  const hello = await startServerProcess('hello-server.mjs');
  const results = {};
  try {
    for (const client of ['node:http', 'fetch']) {
      progress(`load: bare Apollo hello through ${client}, ${concurrency} concurrent, ${durationMs / 1000} s (+2 s warm-up)`);
      results[client] = await runLoad({ url: hello.url, body: { query: '{ hello }' }, concurrency, durationMs, client });
    }
  } finally {
    await hello.stop();
  }
  const row = (client) => {
    const result = results[client];
    return [
      client,
      perSecond(result.rps),
      ms(result.p50),
      ms(result.p99),
      `${Math.round(result.clientCpuUsPerRequest)} µs`,
      String(result.errors),
    ];
  };
  const http = results['node:http'];
  const fetched = results.fetch;
  return {
    sections: [
      {
        heading: `The load loop's client: bare Apollo hello, ${concurrency} concurrent, ${durationMs / 1000} s, same server process for both`,
        rows: [['client', 'requests/s', 'p50', 'p99', 'client CPU per request', 'errors'], row('node:http'), row('fetch')],
        notes: [
          `fetch costs ${(fetched.clientCpuUsPerRequest / http.clientCpuUsPerRequest).toFixed(1)}× the client CPU of node:http per request, and the hello measures ` +
            `${(http.rps / fetched.rps).toFixed(1)}× the requests/s through node:http.`,
        ],
      },
    ],
  };
}

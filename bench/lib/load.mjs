import { Agent, request } from 'node:http';
import { quantile, since } from './stats.mjs';

/**
 * A closed-loop load generator: `concurrency` workers each send one request, wait for the whole response, and
 * send the next, for `durationMs` after a discarded `warmupMs`. Every server under comparison goes through this
 * same loop. Its client is node:http with a keep-alive agent; `client: 'fetch'` sends with the global fetch
 * (undici) instead, for `node bench/run.mjs load-client`, which shows why: on a 2-core machine the client's CPU is
 * taken from the server it measures.
 *
 * Returns requests/s, latency percentiles (ms) and the client's own CPU per request (µs) of the measured window; a
 * non-2xx status or a transport error counts as an error (and its latency is not recorded). `warmup` holds the 2xx
 * and error counts of the discarded warm-up, for benchmarks whose requests leave rows behind (create-ticket checks
 * them all). `headers` may be an array: worker i sends headers[i % length] (one credential per client). So may `url`:
 * worker i sends to url[i % length] (one loop, its clients spread over several server processes, one latency sample).
 */
export async function runLoad({ url, body, headers = {}, concurrency = 8, durationMs = 10_000, warmupMs = 2_000, client = 'node:http' }) {
  const targets = (Array.isArray(url) ? url : [url]).map((entry) => new URL(entry));
  const targetOf = (worker) => targets[worker % targets.length];
  const payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const headerSets = Array.isArray(headers) ? headers : [headers];
  const optionsOf = Array.from({ length: concurrency }, (_, worker) => ({
    agent,
    method: 'POST',
    hostname: targetOf(worker).hostname,
    port: targetOf(worker).port,
    path: `${targetOf(worker).pathname}${targetOf(worker).search}`,
    headers: { 'content-type': 'application/json', 'content-length': payload.length, ...headerSets[worker % headerSets.length] },
  }));

  const sendWithHttp = (worker) =>
    new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const req = request(optionsOf[worker], (res) => {
        let size = 0;
        res.on('data', (chunk) => (size += chunk.length));
        res.on('end', () => resolve({ ok: res.statusCode >= 200 && res.statusCode < 300, ms: since(started), size }));
        res.on('error', () => resolve({ ok: false, ms: since(started), size }));
      });
      req.on('error', () => resolve({ ok: false, ms: since(started), size: 0 }));
      req.end(payload);
    });
  const sendWithFetch = async (worker) => {
    const started = process.hrtime.bigint();
    try {
      const extra = headerSets[worker % headerSets.length];
      const response = await fetch(targetOf(worker), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...extra },
        body: payload,
      });
      const size = (await response.arrayBuffer()).byteLength;
      return { ok: response.ok, ms: since(started), size };
    } catch {
      return { ok: false, ms: since(started), size: 0 };
    }
  };
  const send = client === 'fetch' ? sendWithFetch : sendWithHttp;

  async function phase(lengthMs) {
    const latencies = [];
    let errors = 0;
    let responseBytes = 0;
    const started = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    const deadline = started + BigInt(Math.round(lengthMs * 1e6));
    const worker = async (_, index) => {
      while (process.hrtime.bigint() < deadline) {
        const result = await send(index);
        if (result.ok) {
          latencies.push(result.ms);
          responseBytes = result.size;
        } else errors += 1;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const cpu = process.cpuUsage(cpuBefore);
    return { elapsedMs: since(started), latencies, errors, responseBytes, clientCpuUs: cpu.user + cpu.system };
  }

  try {
    const warmup = warmupMs > 0 ? await phase(warmupMs) : { latencies: [], errors: 0 };
    const { elapsedMs, latencies, errors, responseBytes, clientCpuUs } = await phase(durationMs);
    latencies.sort((a, b) => a - b);
    return {
      concurrency,
      requests: latencies.length,
      errors,
      elapsedMs,
      rps: latencies.length / (elapsedMs / 1000),
      p50: quantile(latencies, 0.5),
      p90: quantile(latencies, 0.9),
      p99: quantile(latencies, 0.99),
      max: latencies.at(-1) ?? NaN,
      responseBytes,
      clientCpuUsPerRequest: clientCpuUs / Math.max(1, latencies.length + errors),
      warmup: { requests: warmup.latencies.length, errors: warmup.errors },
    };
  } finally {
    agent.destroy();
  }
}

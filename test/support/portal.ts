import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

const PORTAL_DIR = resolve(import.meta.dirname, '../../portal');
/**
 * The built portal's server entry. `TEST_PORTAL_BUILD` names another build directory inside portal/ (so its
 * imports still resolve from portal/node_modules), for running journeys against a snapshot while the portal is
 * being rebuilt.
 */
const SERVER_BUILD = resolve(PORTAL_DIR, process.env.TEST_PORTAL_BUILD ?? 'build', 'server/index.js');
const SERVE_BIN = resolve(PORTAL_DIR, 'node_modules/@react-router/serve/bin.js');
/** Lines of the portal's output kept for the error message when it fails to start. */
const OUTPUT_LINES = 40;

export interface TestPortal {
  /** The portal's origin, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  stop(): Promise<void>;
}

export interface StartTestPortalOptions {
  /** The GraphQL endpoint the portal talks to (`API_URL`). */
  apiUrl: string;
  /** Extra environment for the portal process. */
  env?: Record<string, string>;
  /** How long to wait for the first answer. */
  timeoutMs?: number;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/**
 * Starts the built portal (`react-router-serve portal/build/server/index.js`) as a child process on a free
 * loopback port, pointed at `apiUrl`, and resolves once it answers HTTP. Set `DEBUG_PORTAL=1` to see its output.
 */
export async function startTestPortal({ apiUrl, env = {}, timeoutMs = 20_000 }: StartTestPortalOptions): Promise<TestPortal> {
  if (!existsSync(SERVER_BUILD)) {
    throw new Error(
      `The portal is not built (${SERVER_BUILD} is missing). Run \`pnpm build\` (or \`pnpm --filter @tierdesk/portal build\`) first.`,
    );
  }
  if (!existsSync(SERVE_BIN)) {
    throw new Error(`@react-router/serve is not installed in portal/node_modules. Run \`pnpm install\` first.`);
  }

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [SERVE_BIN, SERVER_BUILD], {
    cwd: PORTAL_DIR,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      API_URL: apiUrl,
      PORTAL_SESSION_SECRET: 'tierdesk-test-session-secret',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const output: string[] = [];
  const remember = (chunk: Buffer) => {
    const text = chunk.toString();
    if (process.env.DEBUG_PORTAL) process.stderr.write(`[portal] ${text}`);
    output.push(...text.split('\n').filter(Boolean));
    output.splice(0, Math.max(0, output.length - OUTPUT_LINES));
  };
  child.stdout.on('data', remember);
  child.stderr.on('data', remember);

  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exit = new Promise<void>((done) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      done();
    });
  });

  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exit;
    clearTimeout(killer);
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      const { code, signal } = exited;
      throw new Error(`The portal exited before answering (code ${code}, signal ${signal}). Its output:\n${output.join('\n')}`);
    }
    try {
      // Any HTTP answer means the server is up; /signin needs no API call.
      await fetch(`${url}/signin`, { redirect: 'manual', signal: AbortSignal.timeout(1_000) });
      return { url, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`The portal did not answer on ${url} within ${timeoutMs} ms. Its output:\n${output.join('\n')}`);
      }
      await new Promise((done) => setTimeout(done, 100));
    }
  }
}

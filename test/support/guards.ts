import 'reflect-metadata';
import net from 'node:net';
import { afterEach, expect } from 'vitest';

/**
 * Two guards for every test: no network beyond this machine (the edge we mock is Stripe and Meilisearch, and
 * they are local servers too), and no unexpected console.error (an error nobody asserted on is a bug).
 */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '0.0.0.0', '::ffff:127.0.0.1']);
const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const [first, second] = args;
  let host: string | undefined;
  if (typeof first === 'object' && first !== null && !Array.isArray(first)) {
    const options = first as { host?: string; path?: string };
    host = options.path ? undefined : (options.host ?? 'localhost');
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    host = typeof second === 'string' ? second : 'localhost';
  }
  if (host !== undefined && !LOOPBACK.has(host)) {
    throw new Error(`Outbound network call to ${host} blocked in tests`);
  }
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

const unexpected: unknown[][] = [];
const originalError = console.error;
console.error = (...args: unknown[]) => {
  unexpected.push(args);
  originalError(...args);
};

afterEach(() => {
  const seen = unexpected.splice(0);
  expect(seen, 'unexpected console.error during the test').toEqual([]);
});

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStripeClient } from './stripe-client.js';

const installations: string[] = [];

/** A fresh installation's folder, as `.tierdesk/` is one: the embedded database lives in `pgdata` below it. */
function installation(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tierdesk-installation-'));
  installations.push(dir);
  return join(dir, 'pgdata');
}

afterEach(() => {
  for (const dir of installations.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the local webhook secret', () => {
  it('is generated per installation, kept for it (owner-only) and never the constant the code once had', () => {
    const first = installation();
    const second = installation();
    const secret = createStripeClient({ STRIPE_LOCAL_PORT: 12111, EMBEDDED_PG_DIR: first }).webhookSecret;
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(secret).not.toBe('whsec_tierdesk_local_test_mode');
    expect(createStripeClient({ STRIPE_LOCAL_PORT: 12111, EMBEDDED_PG_DIR: second }).webhookSecret).not.toBe(secret);
    // The local server (`start`) and every API process of the installation read the same one.
    expect(createStripeClient({ STRIPE_LOCAL_PORT: 12111, EMBEDDED_PG_DIR: first }).webhookSecret).toBe(secret);
    expect(statSync(join(first, '..', 'stripe-webhook-secret')).mode & 0o777).toBe(0o600);
  });

  it('is the configured STRIPE_WEBHOOK_SECRET when there is one, writing nothing', () => {
    const dir = installation();
    const settings = createStripeClient({ STRIPE_LOCAL_PORT: 12111, STRIPE_WEBHOOK_SECRET: 'whsec_configured', EMBEDDED_PG_DIR: dir });
    expect(settings.webhookSecret).toBe('whsec_configured');
    expect(() => statSync(join(dir, '..', 'stripe-webhook-secret'))).toThrow(/ENOENT/);
  });
});

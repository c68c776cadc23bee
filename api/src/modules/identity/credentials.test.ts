import { describe, expect, it } from 'vitest';
import { hashPassword, newApiKeySecret, newSessionToken, parseBearer, passwordMatches, secretMatches, sha256 } from './credentials.js';

describe('credentials', () => {
  it('issues API keys that parse back to their prefix and verify against the stored hash only', () => {
    const { prefix, secret, key } = newApiKeySecret();
    expect(parseBearer(key)).toEqual({ kind: 'apiKey', prefix, secret });
    expect(secretMatches(secret, sha256(secret))).toBe(true);
    expect(secretMatches(`${secret}x`, sha256(secret))).toBe(false);
    expect(newApiKeySecret().key).not.toBe(key);
  });

  it('tells sessions from keys and refuses anything else', () => {
    expect(parseBearer(newSessionToken()).kind).toBe('session');
    for (const bad of ['', 'td_short_x', 'tds_', 'Bearer x', 'td_abcdefabcdef_' + 'a'.repeat(31)]) {
      expect(parseBearer(bad).kind).toBe('malformed');
    }
  });

  it('hashes passwords with a salt and verifies them', async () => {
    const first = await hashPassword('correct horse');
    expect(first).toMatch(/^\$argon2id\$/);
    expect(await hashPassword('correct horse')).not.toBe(first);
    expect(await passwordMatches('correct horse', first)).toBe(true);
    expect(await passwordMatches('wrong', first)).toBe(false);
    expect(await passwordMatches('x', null)).toBe(false);
    expect(await passwordMatches('x', 'not a hash')).toBe(false);
  });
});

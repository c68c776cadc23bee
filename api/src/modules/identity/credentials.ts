import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/**
 * Credential formats. API keys: `td_<prefix>_<secret>`; the prefix finds the row, the secret's SHA-256 is compared
 * in constant time. Sessions: `tds_<secret>`, found by the SHA-256 of the whole token. Both secrets carry 192 bits
 * of randomness, so a fast hash is the right tool for them; passwords are low-entropy and use Argon2id.
 */
const API_KEY = /^td_([a-z0-9]{12})_([A-Za-z0-9_-]{32})$/;
const SESSION = /^tds_[A-Za-z0-9_-]{32}$/;

export type ParsedCredential =
  { kind: 'apiKey'; prefix: string; secret: string } | { kind: 'session'; token: string } | { kind: 'malformed' };

export function parseBearer(token: string): ParsedCredential {
  const apiKey = API_KEY.exec(token);
  if (apiKey) return { kind: 'apiKey', prefix: apiKey[1]!, secret: apiKey[2]! };
  if (SESSION.test(token)) return { kind: 'session', token };
  return { kind: 'malformed' };
}

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

export function newApiKeySecret(): { prefix: string; secret: string; key: string } {
  const prefix = randomBytes(9)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .slice(0, 12);
  const secret = randomBytes(24).toString('base64url');
  return { prefix, secret, key: `td_${prefix}_${secret}` };
}

export function newSessionToken(): string {
  return `tds_${randomBytes(24).toString('base64url')}`;
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(sha256(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

export const hashPassword = (password: string): Promise<string> => hash(password);

export async function passwordMatches(password: string, passwordHash: string | null): Promise<boolean> {
  if (!passwordHash) return false;
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

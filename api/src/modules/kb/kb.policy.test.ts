import { describe, expect, it } from 'vitest';
import { audienceAllows, customerAudience, isPremium, knowledgeBaseRank, parseVisibility, type KbTier } from './kb.policy.js';

const CATALOGUE: KbTier[] = [
  { key: 'community', rank: 1, premium: false },
  { key: 'growth', rank: 2, premium: false },
  { key: 'business', rank: 3, premium: true },
  { key: 'enterprise', rank: 4, premium: true },
];

const visible = (rank: number, premium: boolean) => {
  const audience = customerAudience(rank, premium, CATALOGUE);
  return audience.kind === 'visibilities' ? audience.visibilities : ['everything'];
};

describe('who reads which article', () => {
  it('gives each tier public, customers and tier articles up to its rank', () => {
    expect(visible(1, false)).toEqual(['public', 'customers', 'tier:community']);
    expect(visible(2, false)).toEqual(['public', 'customers', 'tier:community', 'tier:growth']);
    expect(visible(3, true)).toEqual(['public', 'customers', 'tier:community', 'tier:growth', 'tier:business']);
    expect(visible(4, true)).toEqual(['public', 'customers', 'tier:community', 'tier:growth', 'tier:business', 'tier:enterprise']);
  });

  it('lets kb.premium lift a lower tier to the premium floor (Business), not beyond', () => {
    expect(knowledgeBaseRank(2, true, CATALOGUE)).toBe(3);
    expect(visible(2, true)).toContain('tier:business');
    expect(visible(2, true)).not.toContain('tier:enterprise');
  });

  it('hides premium articles from a Business or Enterprise organization whose kb.premium was removed', () => {
    expect(knowledgeBaseRank(3, false, CATALOGUE)).toBe(2);
    expect(visible(3, false)).not.toContain('tier:business');
    expect(visible(4, false)).toEqual(['public', 'customers', 'tier:community', 'tier:growth']);
  });

  it('has no premium floor when no tier grants kb.premium', () => {
    const plain = CATALOGUE.map((tier) => ({ ...tier, premium: false }));
    expect(knowledgeBaseRank(4, false, plain)).toBe(4);
    expect(knowledgeBaseRank(1, true, plain)).toBe(1);
  });

  it('never lets a customer see a tier the catalogue does not know', () => {
    expect(visible(4, true)).not.toContain('tier:platinum');
    expect(audienceAllows({ kind: 'visibilities', visibilities: visible(4, true) }, 'tier:platinum')).toBe(false);
    expect(audienceAllows({ kind: 'everything' }, 'tier:platinum')).toBe(true);
    expect(isPremium('tier:platinum', CATALOGUE)).toBe(true);
  });

  it('parses visibility values and rejects anything else', () => {
    expect(parseVisibility('public')).toEqual({ kind: 'public' });
    expect(parseVisibility('customers')).toEqual({ kind: 'customers' });
    expect(parseVisibility('tier:business')).toEqual({ kind: 'tier', tierKey: 'business' });
    for (const bad of ['Public', 'tier:', 'tier:Business', 'tier:a b', 'everyone', '']) expect(parseVisibility(bad), bad).toBeNull();
    expect(isPremium('tier:growth', CATALOGUE)).toBe(false);
    expect(isPremium('tier:business', CATALOGUE)).toBe(true);
    expect(isPremium('customers', CATALOGUE)).toBe(false);
  });
});

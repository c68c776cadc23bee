import { describe, expect, it } from 'vitest';
import { ApiBudget } from './rate-limit.js';

describe('API budget', () => {
  it('allows a minute of budget at once, then refuses until it refills', () => {
    const budget = new ApiBudget();
    for (let i = 0; i < 60; i += 1) expect(budget.take('org', 60, 0).allowed).toBe(true);
    const refused = budget.take('org', 60, 0);
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(budget.take('org', 60, 1_000).allowed).toBe(true);
    expect(budget.take('org', 60, 1_000).allowed).toBe(false);
  });

  it('keeps organizations apart and lets unlimited budgets through', () => {
    const budget = new ApiBudget();
    expect(budget.take('a', 1, 0).allowed).toBe(true);
    expect(budget.take('a', 1, 0).allowed).toBe(false);
    expect(budget.take('b', 1, 0).allowed).toBe(true);
    for (let i = 0; i < 1000; i += 1) expect(budget.take('c', null, 0).allowed).toBe(true);
  });

  it('refuses everything on a zero budget', () => {
    expect(new ApiBudget().take('z', 0, 0)).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });
});

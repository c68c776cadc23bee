/**
 * The API budget entitlement (`api.requestsPerMinute`) as a token bucket per organization: a burst of a
 * minute's budget, refilled continuously. In memory, per API process: with several processes each enforces
 * the budget on its own share of the traffic.
 */
export class ApiBudget {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number; perMinute: number }>();

  /** Takes one request from the organization's budget; returns the seconds to wait when it is spent. */
  take(organizationId: string, perMinute: number | null, nowMs: number): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    if (perMinute === null) return { allowed: true };
    const bucket = this.buckets.get(organizationId) ?? { tokens: perMinute, updatedAt: nowMs, perMinute };
    if (bucket.perMinute !== perMinute) {
      bucket.tokens = Math.min(bucket.tokens, perMinute);
      bucket.perMinute = perMinute;
    }
    bucket.tokens = Math.min(perMinute, bucket.tokens + ((nowMs - bucket.updatedAt) / 60_000) * perMinute);
    bucket.updatedAt = nowMs;
    this.buckets.set(organizationId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const retryAfterSeconds = perMinute === 0 ? 60 : Math.ceil(((1 - bucket.tokens) / perMinute) * 60);
    return { allowed: false, retryAfterSeconds };
  }
}

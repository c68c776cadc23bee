/**
 * Webhook delivery the way Stripe does it, minus the internet: each event is POSTed as JSON with a
 * `Stripe-Signature` header made by the SDK's own signer (`Stripe.webhooks.generateTestHeaderString`), signed
 * afresh for every attempt with the real wall-clock time (the receiver's `constructEvent` checks its tolerance
 * against real time, whatever the server's test clock says).
 *
 * Deliveries leave one at a time, in the order they were queued, so a healthy receiver sees events in creation
 * order. A non-2xx answer (or no answer) is retried after each of `retryDelaysMs`, behind whatever was queued
 * meanwhile, then given up. Tests that need duplicates or another order ask for them (`deliver([...])`). Every
 * delivery, with the status of each attempt, is recorded in `store.deliveries`.
 */
import http from 'node:http';
import https from 'node:https';
import Stripe from 'stripe';
import { newId, type LocalStripeStore, type WebhookDelivery } from './store.js';

interface Queued {
  delivery: WebhookDelivery;
  event: Stripe.Event;
  payload: string;
}

export class WebhookDispatcher {
  private readonly queue: Queued[] = [];
  private running = false;
  private closed = false;
  private readonly retryTimers = new Map<NodeJS.Timeout, Queued>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly inFlight = new Set<http.ClientRequest>();

  constructor(
    private readonly store: LocalStripeStore,
    private readonly secret: string,
    private url: string | null,
    private readonly retryDelaysMs: readonly number[],
  ) {}

  get webhookUrl(): string | null {
    return this.url;
  }

  setUrl(url: string | null): void {
    this.url = url;
  }

  /** A new event: recorded always, delivered when a webhook URL is set. */
  publish(event: Stripe.Event): void {
    if (this.url) this.enqueue(event, this.url);
  }

  /** Delivers stored events in exactly this order (repeats allowed): duplicate and out-of-order tests. */
  deliver(eventIds: readonly string[], url = this.url): WebhookDelivery[] {
    if (!url) throw new Error('local Stripe: no webhook URL to deliver to');
    const events = eventIds.map((id) => {
      const event = this.store.events.get(id);
      if (!event) throw new Error(`local Stripe: no such event ${id}`);
      return event;
    });
    return events.map((event) => this.enqueue(event, url));
  }

  /** Resolves once nothing is queued, being delivered or waiting to be retried. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const [timer, { delivery }] of this.retryTimers) {
      clearTimeout(timer);
      this.giveUp(delivery, 'local Stripe server closed before the retry');
    }
    this.retryTimers.clear();
    for (const request of this.inFlight) request.destroy(new Error('local Stripe server closed'));
    for (const { delivery } of this.queue.splice(0)) this.giveUp(delivery, 'local Stripe server closed before delivery');
    this.notifyIfIdle();
  }

  private isIdle(): boolean {
    return !this.running && this.queue.length === 0 && this.retryTimers.size === 0;
  }

  private notifyIfIdle(): void {
    if (this.isIdle() || this.closed) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private enqueue(event: Stripe.Event, url: string): WebhookDelivery {
    const delivery: WebhookDelivery = { id: newId('we'), eventId: event.id, type: event.type, url, status: 'pending', attempts: [] };
    this.store.deliveries.push(delivery);
    if (this.closed) {
      this.giveUp(delivery, 'local Stripe server closed');
      return delivery;
    }
    event.pending_webhooks += 1;
    // The body is the event as it was when it happened; Stripe pretty-prints it.
    this.queue.push({ delivery, event, payload: JSON.stringify(event, null, 2) });
    if (!this.running) void this.pump();
    return delivery;
  }

  private async pump(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed) {
        const next = this.queue.shift();
        if (!next) break;
        await this.attempt(next);
      }
    } finally {
      this.running = false;
      this.notifyIfIdle();
    }
  }

  /**
   * One attempt. A failure is retried after a pause without holding back the events queued behind it, as Stripe
   * keeps delivering newer events while an older one waits for its retry.
   */
  private async attempt(queued: Queued): Promise<void> {
    const { delivery, event, payload } = queued;
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: this.secret });
    try {
      const status = await this.post(delivery.url, payload, signature);
      delivery.attempts.push(status);
      if (status >= 200 && status < 300) {
        delivery.status = 'succeeded';
        delivery.completedAt = Date.now();
        event.pending_webhooks = Math.max(0, event.pending_webhooks - 1);
        return;
      }
      delivery.lastError = `HTTP ${status}`;
    } catch (error) {
      delivery.attempts.push(0);
      delivery.lastError = error instanceof Error ? error.message : String(error);
    }
    const delay = this.retryDelaysMs[delivery.attempts.length - 1];
    if (delay === undefined || this.closed) {
      this.giveUp(delivery, delivery.lastError);
      return;
    }
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (this.closed) return;
      this.queue.push(queued);
      if (!this.running) void this.pump();
    }, delay);
    this.retryTimers.set(timer, queued);
  }

  private giveUp(delivery: WebhookDelivery, reason: string | undefined): void {
    delivery.status = 'failed';
    delivery.completedAt = Date.now();
    if (reason !== undefined) delivery.lastError = reason;
  }

  private post(url: string, payload: string, signature: string): Promise<number> {
    const target = new URL(url);
    const transport = target.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(
        target,
        {
          method: 'POST',
          agent: false,
          timeout: 10_000,
          headers: {
            'Content-Type': 'application/json; charset=utf-8',
            'Content-Length': Buffer.byteLength(payload),
            'Stripe-Signature': signature,
            'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
            'Cache-Control': 'no-cache',
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
          response.on('error', reject);
        },
      );
      this.inFlight.add(request);
      request.on('close', () => this.inFlight.delete(request));
      request.on('timeout', () => request.destroy(new Error('webhook receiver timed out')));
      request.on('error', reject);
      request.end(payload);
    });
  }
}

import { createHmac } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Notification, Notifier } from '../../application/ports/notifier.ts';

export type WebhookOptions = {
  url: string;
  secret: string;
  /** Delays before each retry; the number of entries is the number of retries. */
  retryDelaysMs?: number[];
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => Date;
};

const defaultRetryDelaysMs = [1_000, 5_000, 30_000, 120_000, 600_000];

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the receiver checks both and the age. */
export const signatureHeader = (secret: string, body: string, at: Date): string => {
  const timestamp = Math.floor(at.getTime() / 1000);
  const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${signature}`;
};

/**
 * POSTs each notification as JSON to the platform, signed, in the background: a failed delivery is
 * retried with growing delays and finally logged, and the command that caused it never waits.
 */
export class WebhookNotifier implements Notifier {
  private readonly options: Required<WebhookOptions>;
  private readonly log: Pick<FastifyBaseLogger, 'warn' | 'error'>;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(options: WebhookOptions, log: Pick<FastifyBaseLogger, 'warn' | 'error'>) {
    this.options = {
      retryDelaysMs: defaultRetryDelaysMs,
      timeoutMs: 5_000,
      fetch: globalThis.fetch,
      now: () => new Date(),
      ...options,
    };
    this.log = log;
  }

  notify(notification: Notification): void {
    const delivery = this.deliver(notification).finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  /** Resolves when every delivery started so far has succeeded or given up (for shutdown and tests). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async deliver(notification: Notification): Promise<void> {
    const body = JSON.stringify(notification);
    const delays = this.options.retryDelaysMs;
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, delays[attempt - 1]));
      const outcome = await this.post(body);
      if (outcome === 'delivered') return;
      this.log.warn({ type: notification.type, attempt: attempt + 1, outcome }, 'webhook delivery failed');
    }
    this.log.error({ type: notification.type }, 'webhook delivery abandoned');
  }

  private async post(body: string): Promise<string> {
    try {
      const response = await this.options.fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-second-factor-signature': signatureHeader(this.options.secret, body, this.options.now()),
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      return response.ok ? 'delivered' : `status ${response.status}`;
    } catch (error) {
      return error instanceof Error ? error.name : 'error';
    }
  }
}

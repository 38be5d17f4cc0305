import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { signatureHeader, WebhookNotifier } from '../../../src/adapters/notifications/webhook-notifier.ts';
import type { Notification } from '../../../src/application/ports/notifier.ts';

type Received = { body: string; signature: string | undefined };

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A local receiver that answers each request with the next status in `statuses` (then 204). */
const receiver = async (statuses: number[]) => {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ body, signature: request.headers['x-second-factor-signature'] as string | undefined });
      response.statusCode = statuses.shift() ?? 204;
      response.end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
};

const silentLog = { warn: () => {}, error: () => {} };
const notification: Notification = {
  type: 'two-factor-reset-by-support',
  occurredAt: '2026-11-24T10:00:00.000Z',
  userId: 'u-1',
  officeId: 'o-1',
};
const at = new Date('2026-11-24T10:00:05.000Z');

describe('webhook notifier', () => {
  it('POSTs the notification as JSON with an HMAC-SHA256 signature over timestamp and body', async () => {
    const hook = await receiver([]);
    const notifier = new WebhookNotifier(
      { url: hook.url, secret: 'shared-secret', now: () => at },
      silentLog,
    );
    notifier.notify(notification);
    await notifier.drain();

    expect(hook.received).toHaveLength(1);
    const [delivery] = hook.received;
    expect(JSON.parse(delivery!.body)).toEqual(notification);
    const expected = createHmac('sha256', 'shared-secret')
      .update(`${at.getTime() / 1000}.${delivery!.body}`)
      .digest('hex');
    expect(delivery!.signature).toBe(`t=${at.getTime() / 1000},v1=${expected}`);
  });

  it('retries a failed delivery until the receiver accepts it', async () => {
    const hook = await receiver([500, 503]);
    const notifier = new WebhookNotifier({ url: hook.url, secret: 's', retryDelaysMs: [1, 1, 1] }, silentLog);
    notifier.notify(notification);
    await notifier.drain();
    expect(hook.received).toHaveLength(3);
  });

  it('gives up after the last retry and logs it, without throwing', async () => {
    const hook = await receiver([500, 500, 500]);
    const errors: string[] = [];
    const notifier = new WebhookNotifier(
      { url: hook.url, secret: 's', retryDelaysMs: [1, 1] },
      { warn: () => {}, error: (_obj: unknown, message?: string) => errors.push(String(message)) },
    );
    notifier.notify(notification);
    await notifier.drain();
    expect(hook.received).toHaveLength(3);
    expect(errors).toEqual(['webhook delivery abandoned']);
  });

  it('never blocks the caller: notify returns before the receiver has answered', async () => {
    let release: () => void = () => {};
    const answered = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slowFetch: typeof fetch = async () => {
      await answered;
      return new Response(null, { status: 204 });
    };
    const notifier = new WebhookNotifier(
      { url: 'https://platform.invalid/hook', secret: 's', fetch: slowFetch },
      silentLog,
    );
    notifier.notify(notification);
    let drained = false;
    const drain = notifier.drain().then(() => {
      drained = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(drained).toBe(false);
    release();
    await drain;
    expect(drained).toBe(true);
  });

  it('signs differently when the body or the time differ', () => {
    const one = signatureHeader('k', '{"a":1}', at);
    expect(signatureHeader('k', '{"a":2}', at)).not.toBe(one);
    expect(signatureHeader('k', '{"a":1}', new Date(at.getTime() + 1000))).not.toBe(one);
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedNotification = {
  type: string;
  userId?: string;
  freezeToken?: string;
  details?: Record<string, unknown>;
};

/** A platform's webhook endpoint on loopback (port 0): keeps every notification the service POSTs. */
export const webhookReceiver = async () => {
  const received: ReceivedNotification[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      received.push(JSON.parse(body) as ReceivedNotification);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/second-factor`,
    received,
    /** The `nth` (1-based) notification of `type` for `userId`, waiting up to `timeoutMs` for it. */
    async nth(type: string, userId: string, nth = 1, timeoutMs = 5_000): Promise<ReceivedNotification> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.filter((n) => n.type === type && n.userId === userId)[nth - 1];
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no notification ${type} #${nth} for ${userId}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

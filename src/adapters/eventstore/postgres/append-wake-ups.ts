import pg from 'pg';
import { appendsChannel } from './postgres-pool.ts';

const firstRetryMs = 250;
const lastRetryMs = 5_000;

/**
 * LISTEN on a connection of its own (a pooled one would be handed to others and lose the LISTEN).
 * A notification only wakes the followers, who then read from their own position; a notification
 * lost while disconnected is made good by waking everyone after each reconnect, and by their poll.
 */
export class AppendWakeUps {
  private readonly connectionString: string;
  private readonly listeners = new Set<() => void>();
  private client: pg.Client | null = null;
  private retry: NodeJS.Timeout | undefined;
  private retryMs = firstRetryMs;
  private closed = false;

  constructor(connectionString: string) {
    this.connectionString = connectionString;
  }

  /** Calls `wake` after commits of any instance and after each reconnect; returns the unsubscribe. */
  listen(wake: () => void): () => void {
    this.listeners.add(wake);
    if (this.client === null && this.retry === undefined && !this.closed) this.connect();
    return () => this.listeners.delete(wake);
  }

  wakeAll(): void {
    for (const wake of this.listeners) wake();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private connect(): void {
    this.retry = undefined;
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: 'second-factor listener',
    });
    this.client = client;
    client.on('notification', () => this.wakeAll());
    client.on('error', () => this.reconnectLater(client));
    client.on('end', () => this.reconnectLater(client));
    client
      .connect()
      .then(() => client.query(`LISTEN ${appendsChannel}`))
      .then(
        () => {
          this.retryMs = firstRetryMs;
          this.wakeAll();
        },
        () => this.reconnectLater(client),
      );
  }

  private reconnectLater(client: pg.Client): void {
    if (this.client !== client || this.closed) return;
    this.client = null;
    client.end().catch(() => {});
    this.retry = setTimeout(() => this.connect(), this.retryMs);
    this.retry.unref();
    this.retryMs = Math.min(this.retryMs * 2, lastRetryMs);
  }
}

import type { FastifyBaseLogger } from 'fastify';
import type { Notification, Notifier } from '../../application/ports/notifier.ts';

/** Writes notifications to the log: the default when no webhook is configured. */
export class LogNotifier implements Notifier {
  private readonly log: Pick<FastifyBaseLogger, 'info'>;

  constructor(log: Pick<FastifyBaseLogger, 'info'>) {
    this.log = log;
  }

  notify({ freezeToken, ...notification }: Notification): void {
    // The freeze token is a bearer secret: the log says only that there was one.
    const logged = freezeToken === undefined ? notification : { ...notification, freezeToken: '[redacted]' };
    this.log.info({ notification: logged }, 'notification');
  }
}

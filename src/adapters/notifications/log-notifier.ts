import type { FastifyBaseLogger } from 'fastify';
import type { Notification, Notifier } from '../../application/ports/notifier.ts';

/** Writes notifications to the log: the default when no webhook is configured. */
export class LogNotifier implements Notifier {
  private readonly log: Pick<FastifyBaseLogger, 'info'>;

  constructor(log: Pick<FastifyBaseLogger, 'info'>) {
    this.log = log;
  }

  notify(notification: Notification): void {
    this.log.info({ notification }, 'notification');
  }
}

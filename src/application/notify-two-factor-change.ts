import type { ApplicationDeps } from './dependencies.ts';
import type { Notification } from './ports/notifier.ts';

/** How long the freeze token of a notification stays good ("this wasn't me" a week later still counts). */
export const freezeTokenTtlSeconds = 7 * 24 * 60 * 60;

/**
 * Tells the platform about a change to a user's 2FA, with a single-use freeze token the platform puts
 * into its e-mail: if the user did not make the change, `POST /v1/freeze {token}` stops whoever did.
 * The token (256 bits) is kept only as its digest, with the session store's other short-lived tokens.
 */
export const notifyTwoFactorChange = async (
  deps: Pick<ApplicationDeps, 'notifier' | 'sessions'>,
  notification: Notification & { userId: string },
): Promise<void> => {
  const freezeToken = await deps.sessions.createChallenge(
    { userId: notification.userId, kind: 'freeze', createdAt: notification.occurredAt },
    freezeTokenTtlSeconds,
  );
  deps.notifier.notify({ ...notification, freezeToken });
};

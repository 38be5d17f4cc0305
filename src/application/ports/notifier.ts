export type NotificationType =
  | 'two-factor-enrolled'
  | 'two-factor-disabled'
  | 'two-factor-reset-by-support'
  | 'user-erased'
  | 'password-changed'
  | 'second-factor-locked-out'
  | 'recovery-code-used'
  | 'temporary-access-issued'
  | 'temporary-access-used'
  | 'account-frozen'
  | 'account-unfrozen'
  | 'office-two-factor-required'
  | 'office-two-factor-requirement-lifted'
  | 'audit-checkpoint-signed';

export type Notification = {
  type: NotificationType;
  occurredAt: string;
  userId?: string;
  officeId?: string;
  details?: Record<string, string | number | boolean | null>;
  /** Single-use, 7 days: the platform links `POST /v1/freeze` with it in the e-mail about a 2FA change. */
  freezeToken?: string;
  /** With `audit-checkpoint-signed`: the signed checkpoint itself, so copies live outside the service. */
  auditCheckpoint?: { checkpoint: object; signature: string };
};

/** Tells the platform about changes it may want to e-mail users about. Never blocks a command. */
export interface Notifier {
  /** Queues a notification; delivery failures are retried and logged, never thrown. */
  notify(notification: Notification): void;
}

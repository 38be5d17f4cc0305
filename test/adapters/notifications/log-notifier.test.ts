import { describe, expect, it } from 'vitest';
import { LogNotifier } from '../../../src/adapters/notifications/log-notifier.ts';

describe('log notifier', () => {
  it('logs a notification without its freeze token, which is a bearer secret', () => {
    const lines: unknown[] = [];
    new LogNotifier({ info: (object: unknown) => lines.push(object) }).notify({
      type: 'two-factor-enrolled',
      occurredAt: '2026-12-01T10:00:00.000Z',
      userId: 'u-1',
      freezeToken: 'freeze-token-secret-value',
    });
    expect(lines).toEqual([
      {
        notification: {
          type: 'two-factor-enrolled',
          occurredAt: '2026-12-01T10:00:00.000Z',
          userId: 'u-1',
          freezeToken: '[redacted]',
        },
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain('freeze-token-secret-value');
  });
});

import { randomUUID } from 'node:crypto';

/** The CLI acts as the platform; its events say so in their actor and user agent. */
export const cliActor = { id: 'cli', role: 'platform' as const };
export const cliRequest = () => ({ correlationId: randomUUID(), userAgent: 'second-factor-cli' });

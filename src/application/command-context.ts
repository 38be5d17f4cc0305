import type { Actor } from '../domain/shared/actor.ts';

/** Who asks, and the request it belongs to: becomes the metadata of every event the command causes. */
export type CommandContext = {
  actor: Actor;
  correlationId: string;
  /** The id of the message that caused this command; the correlation id when it came from a request. */
  causationId?: string;
  /** The second support agent who approved this command (four-eyes); recorded in the metadata. */
  approvedBy?: Actor;
  clientIp?: string;
  userAgent?: string;
};

/** What a use case learns of the request that runs it (the actor is decided by the use case). */
export type RequestContext = Omit<CommandContext, 'actor'>;

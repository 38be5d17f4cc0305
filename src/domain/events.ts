import type { z } from 'zod';
import { type AuditEvent, auditEventSchemas } from './audit/events.ts';
import { type OfficeEvent, officeEventSchemas } from './office/events.ts';
import { type SupportRequestEvent, supportRequestEventSchemas } from './support-request/events.ts';
import { type UserAccountEvent, userAccountEventSchemas } from './user-account/events.ts';
import { type UsernameEvent, usernameEventSchemas } from './user-account/username-events.ts';
import { type UserSecurityEvent, userSecurityEventSchemas } from './user-security/events.ts';

/** Every event type the service has ever written, with the schema its data is read back with. */
export const eventSchemas = {
  ...officeEventSchemas,
  ...userAccountEventSchemas,
  ...usernameEventSchemas,
  ...userSecurityEventSchemas,
  ...supportRequestEventSchemas,
  ...auditEventSchemas,
} as const satisfies Record<string, z.ZodType>;

/**
 * Bumped for a type when its schema changes shape; readers upcast older versions. Version 2 seals the
 * username, password hash and TOTP secret with the user's own data key; version 1 events read as they are.
 */
const sealedSince: Partial<Record<EventType, number>> = {
  UserRegistered: 2,
  PasswordChanged: 2,
  UsernameReserved: 2,
  TotpEnrollmentStarted: 2,
};
export const eventSchemaVersion: Record<EventType, number> = Object.fromEntries(
  Object.keys(eventSchemas).map((type) => [type, sealedSince[type as EventType] ?? 1]),
) as Record<EventType, number>;

export type AnyDomainEvent =
  | OfficeEvent
  | UserAccountEvent
  | UsernameEvent
  | UserSecurityEvent
  | SupportRequestEvent
  | AuditEvent;
export type EventType = AnyDomainEvent['type'];
export const eventTypes = Object.keys(eventSchemas) as EventType[];

export const isKnownEventType = (type: string): type is EventType => Object.hasOwn(eventSchemas, type);

/** Validates data read back from a store against its type's schema. */
export const parseDomainEvent = (type: string, data: unknown): AnyDomainEvent => {
  if (!isKnownEventType(type)) throw new Error(`Unknown event type: ${type}`);
  return { type, data: eventSchemas[type].parse(data) } as AnyDomainEvent;
};

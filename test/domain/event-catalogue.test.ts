import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type EventType, eventSchemas, eventSchemaVersion } from '../../src/domain/events.ts';

const streamOf = {
  Office: 'office-{officeId}',
  User: 'user-{userId}',
  Password: 'user-{userId}',
  Username: 'username-{blind index of the normalized username}',
};
const streamFor = (type: string) =>
  type.startsWith('Audit')
    ? 'audit-checkpoints'
    : type.startsWith('SupportAction')
      ? 'support-requests'
      : type.startsWith('Office')
        ? streamOf.Office
        : type.startsWith('Username')
          ? streamOf.Username
          : ['UserRegistered', 'PasswordChanged', 'UserRoleChanged', 'UserErased'].includes(type)
            ? streamOf.User
            : 'user-security-{userId}';

/** Who may cause each event: the deciders' permission rules, in words. */
const causedBy: Record<EventType, string> = {
  OfficeRegistered: 'platform (API key or CLI)',
  OfficeTwoFactorRequired: 'office admin of that office',
  OfficeTwoFactorRequirementLifted: 'office admin of that office',
  OfficeReenrollmentRequired: 'office admin of that office, or support, with a reason',
  OfficeReenrollmentEnded: 'office admin of that office, or support',
  UserRegistered: 'platform',
  UsernameReserved: 'platform (with UserRegistered)',
  PasswordChanged: 'the user, or the platform',
  UserRoleChanged: 'platform',
  UserErased: 'support, or the platform (CLI), with a reason and a ticket',
  UsernameReleased: 'support, or the platform (with UserErased)',
  TotpEnrollmentStarted: 'the user (session + password, or an enrolment-required login)',
  TotpEnrolled: 'the user, with a valid code',
  RecoveryCodesIssued: 'the user, at enrolment or with a fresh proof',
  TotpImported: 'platform (API key or CLI), importing a file of existing enrolments',
  TotpDisabled: 'the user, with a fresh proof, while the office does not require 2FA',
  SupportReset: 'support, with a reason and a ticket',
  RecoveryCodeUsed: 'the user, logging in',
  SecondFactorVerified: 'the user, logging in or proving a change',
  SecondFactorRejected: 'the user (or a guesser), with a wrong code',
  SecondFactorLockedOut: 'the fifth consecutive rejection',
  TemporaryAccessIssued: 'support, with a reason and a ticket',
  TemporaryAccessUsed: 'the user, logging in with the temporary code',
  TemporaryAccessEnded: 'support (reason and ticket), a newer code, the enrolment, a reset or a freeze',
  AccountFrozen: 'the user, with a freeze token from a notification',
  AccountUnfrozen: 'support, with a reason and a ticket',
  SupportActionRequested: 'support, with a reason and a ticket, while SUPPORT_APPROVAL=required',
  SupportActionApproved: 'another support agent than the one who asked, before the deadline',
  SupportActionWithdrawn: 'the support agent who asked, before the deadline',
  SupportActionExpired: 'the first support request command after the deadline',
  OfficeBrowserTrustChanged: 'office admin of that office',
  BrowserTrusted: 'the user, with a valid code or recovery code at login',
  TrustedBrowserUsed: 'the user, logging in with the right password from a trusted browser',
  TrustedBrowserRevoked:
    'the user; a reset, disable, temporary access or freeze; support or the platform (erasure); the office admin (lower limit)',
  AuditCheckpointSigned: 'the service (hourly, on the projector leader), or an auditor on demand',
};

const fieldsOf = (type: EventType): string => {
  const schema = z.toJSONSchema(eventSchemas[type]) as {
    properties?: Record<string, { type?: string | string[]; anyOf?: { type?: string }[] }>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {})
    .map(([name, property]) => {
      const kind =
        property.type ?? property.anyOf?.map((option) => option.type ?? 'object').join(' or ') ?? 'object';
      const optional = schema.required?.includes(name) ? '' : '?';
      return `\`${name}${optional}\` (${Array.isArray(kind) ? kind.join(' or ') : kind})`;
    })
    .join(', ');
};

const renderCatalogue = (): string => {
  const rows = (Object.keys(eventSchemas) as EventType[])
    .map(
      (type) =>
        `| \`${type}\` | v${eventSchemaVersion[type]} | \`${streamFor(type)}\` | ${causedBy[type]} | ${fieldsOf(type)} |`,
    )
    .join('\n');
  return `# Event catalogue

Generated from the zod schemas in \`src/domain/**/events.ts\` by \`test/domain/event-catalogue.test.ts\`
(run it with UPDATE_DOCS=1 after changing a schema). Every event also carries metadata: \`eventId\`,
\`occurredAt\` (UTC), \`actor\` {id, role, officeId?}, \`correlationId\`, \`causationId\`, \`schemaVersion\`,
where the request came from (\`origin\`, sealed with the acting person's data key; \`clientIp\` and
\`userAgent\` in plain text for the platform), and the hash chain: \`previousHash\` and \`hash\` (SHA-256
over the canonical JSON of the event and its predecessor's hash).

Secrets never appear in plaintext: \`secret\` is AES-256-GCM ciphertext with its key id, recovery codes
are SHA-256 hashes, passwords are argon2id PHC strings (left out of every audit answer). Personal data
(\`username\`, \`passwordHash\`, \`secret\`, \`origin\`) is sealed with the data key of its person: erasing the user deletes
that key, and these fields can no longer be read (\`username\` and \`passwordHash\` are plain text in version 1 events).

| type | version | stream | caused by | data |
|---|---|---|---|---|
${rows}
`;
};

describe('event catalogue', () => {
  it('docs/events.md lists every event type with its current schema', () => {
    const path = join(import.meta.dirname, '../../docs/events.md');
    if (process.env.UPDATE_DOCS === '1') writeFileSync(path, renderCatalogue());
    expect(readFileSync(path, 'utf8')).toBe(renderCatalogue());
  });
});

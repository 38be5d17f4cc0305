/** The service's API, same origin; the session travels in the HttpOnly `sf_session` cookie. */

export type Problem = {
  status: number;
  code: string;
  title: string;
  detail?: string;
  lockedUntil?: string;
  fields?: Array<{ path: string; message: string }>;
};

/** An answer that is not 2xx: the problem details of the service, or a network failure (status 0). */
export class ProblemError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.problem = problem;
  }
}

export type Role = 'member' | 'office-admin' | 'support' | 'auditor';
export type SessionUser = { userId: string; officeId: string; role: Role; username: string };

export type LoginAnswer =
  | {
      status: 'authenticated';
      session: string;
      user: SessionUser;
      enrollmentDeadline: string | null;
      viaTrustedBrowser?: boolean;
      reenrollmentDeadline?: string;
    }
  | {
      status: 'second-factor-required';
      challenge: string;
      trustBrowserDays?: number;
      reenrollmentDeadline?: string;
    }
  | { status: 'enrollment-required'; challenge: string };

export type TrustedBrowser = {
  browserId: string;
  description: string;
  trustedAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  current: boolean;
};

export type TwoFactorStatus = {
  enabled: boolean;
  enrolledAt: string | null;
  requiredByOffice: boolean;
  enforceFrom: string | null;
  canDisable: boolean;
  recoveryCodesLeft: number;
  reenrollmentDeadline: string | null;
};

export type StartedEnrollment = {
  enrollmentId: string;
  otpauthUri: string;
  secret: string;
  qr: { pngDataUrl: string; svg: string };
  expiresAt: string;
};

export type ConfirmedEnrollment = {
  recoveryCodes: string[];
  session: string | null;
  user: SessionUser | null;
};

export type OfficePolicy = {
  officeId: string;
  name: string;
  required: boolean;
  enforceFrom: string | null;
  trustBrowserDays?: number;
  revision: number;
};

export type Reenrollment = { startedAt: string; deadline: string; reason: string };

export type ComplianceRow = {
  userId: string;
  username: string;
  role: Role;
  twoFactor: 'none' | 'enrolled';
  enrolledAt: string | null;
  lastSecondFactorAt: string | null;
  status: 'compliant' | 'due' | 'overdue' | 'not-required';
  deadline: string | null;
};

export type ComplianceReport = {
  officeId: string;
  name: string;
  at: string;
  required: boolean;
  reenrollment: Reenrollment | null;
  reenrollmentProgress: { renewed: number; remaining: number } | null;
  totals: { members: number; compliant: number; due: number; overdue: number; 'not-required': number };
  items: ComplianceRow[];
  next: string | null;
};

export type Member = {
  userId: string;
  username: string;
  role: Role;
  twoFactor: 'none' | 'enrolled';
  enrolledAt: string | null;
};

export type SupportUser = {
  userId: string;
  username: string;
  officeId: string;
  role: Role;
  twoFactor: 'none' | 'enrolled';
  enrolledAt: string | null;
  lockedUntil: string | null;
  officeRequiresTwoFactor: boolean;
  frozen: boolean;
  temporaryAccessUntil: string | null;
};

export type AuditEvent = {
  position: number;
  streamId: string;
  revision: number;
  type: string;
  occurredAt: string;
  actor: { id: string; role: string; officeId?: string };
  /** Four-eyes: the second support agent who approved what the actor asked for. */
  approvedBy?: { id: string; role: string };
  correlationId: string;
  causationId: string;
  data: Record<string, unknown>;
};

export type UserStateAt = {
  userId: string;
  at: string;
  enabled: boolean;
  enrolledAt: string | null;
  pendingEnrollment: boolean;
  lockedUntil: string | null;
  recoveryCodesLeft: number;
};

export type OfficeStateAt = { officeId: string; at: string; required: boolean; enforceFrom: string | null };

export type Page<T> = { items: T[]; next: string | null };

/** Four-eyes is on: the action waits until another support agent approves it. */
export type AwaitingApproval = {
  userId: string;
  requestId: string;
  status: 'awaiting-approval';
  expiresAt: string;
};
export const isAwaitingApproval = (answer: object): answer is AwaitingApproval =>
  'status' in answer && answer.status === 'awaiting-approval';

export type SupportAction = 'two-factor-reset' | 'temporary-access' | 'erasure';
export type PendingSupportRequest = {
  requestId: string;
  action: SupportAction;
  userId: string;
  username: string | null;
  reason: string;
  ticket: string;
  requestedBy: { id: string };
  requestedByUsername: string | null;
  requestedAt: string;
  expiresAt: string;
};
export type ApprovedSupportAction = { requestId: string; userId: string } & (
  | { action: 'two-factor-reset'; nextLogin: 'enrollment-required' | 'password-only' }
  | { action: 'temporary-access'; code: string; expiresAt: string }
  | { action: 'erasure'; erasedAt: string }
);

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

const request = async <T>(
  method: Method,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ body: T; headers: Headers }> => {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json, application/problem+json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ProblemError({ status: 0, code: 'network', title: 'Network error' });
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const problem =
      parsed !== null && typeof parsed === 'object' && 'code' in parsed
        ? (parsed as Problem)
        : {
            status: response.status,
            code: 'http-error',
            title: response.statusText || `HTTP ${response.status}`,
          };
    throw new ProblemError(problem);
  }
  return { body: parsed as T, headers: response.headers };
};

const json = async <T>(method: Method, path: string, body?: unknown): Promise<T> =>
  (await request<T>(method, path, body)).body;

const query = (params: Record<string, string | number | undefined>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
};

export const api = {
  me: () => json<SessionUser>('GET', '/v1/me'),
  login: (body: { username: string; password: string }) => json<LoginAnswer>('POST', '/v1/login', body),
  secondFactor: (
    body: ({ challenge: string; code: string } | { challenge: string; recoveryCode: string }) & {
      trustBrowser?: boolean;
    },
  ) =>
    json<Exclude<LoginAnswer, { status: 'second-factor-required' }>>('POST', '/v1/login/second-factor', body),
  freeze: (token: string) => json<{ status: 'frozen' }>('POST', '/v1/freeze', { token }),
  logout: () => json<null>('POST', '/v1/logout'),
  twoFactor: () => json<TwoFactorStatus>('GET', '/v1/me/two-factor'),
  startEnrollment: (body: { password: string } | { challenge: string }) =>
    json<StartedEnrollment>('POST', '/v1/me/two-factor/enrollment', body),
  confirmEnrollment: (body: { enrollmentId: string; code: string; challenge?: string }) =>
    json<ConfirmedEnrollment>('POST', '/v1/me/two-factor/enrollment/confirm', body),
  disableTwoFactor: (proof: { code: string } | { password: string }) =>
    json<null>('DELETE', '/v1/me/two-factor', proof),
  changePassword: (body: { currentPassword: string; newPassword: string; code?: string }) =>
    json<null>('PUT', '/v1/me/password', body),
  trustedBrowsers: () => json<{ items: TrustedBrowser[] }>('GET', '/v1/me/trusted-browsers'),
  revokeTrustedBrowser: (browserId: string) =>
    json<null>('DELETE', `/v1/me/trusted-browsers/${encodeURIComponent(browserId)}`),
  regenerateRecoveryCodes: (proof: { code: string } | { password: string }) =>
    json<{ recoveryCodes: string[] }>('POST', '/v1/me/two-factor/recovery-codes', proof),
  officePolicy: async (officeId: string) => {
    const { body, headers } = await request<OfficePolicy>(
      'GET',
      `/v1/offices/${encodeURIComponent(officeId)}/two-factor-policy`,
    );
    return { policy: body, etag: headers.get('etag') };
  },
  setOfficePolicy: async (
    officeId: string,
    body: { required: boolean; enforceFrom: string | null; trustBrowserDays?: number },
    etag: string | null,
  ) => {
    const answer = await request<OfficePolicy>(
      'PUT',
      `/v1/offices/${encodeURIComponent(officeId)}/two-factor-policy`,
      body,
      etag === null ? {} : { 'if-match': etag },
    );
    return { policy: answer.body, etag: answer.headers.get('etag') };
  },
  members: (officeId: string, after: string | null) =>
    json<Page<Member>>(
      'GET',
      `/v1/offices/${encodeURIComponent(officeId)}/members${query({ limit: 100, after: after ?? undefined })}`,
    ),
  compliance: (officeId: string, at: string | undefined, after: string | null) =>
    json<ComplianceReport>(
      'GET',
      `/v1/offices/${encodeURIComponent(officeId)}/compliance${query({ at, limit: 100, after: after ?? undefined })}`,
    ),
  complianceCsvUrl: (officeId: string, at: string | undefined) =>
    `/v1/offices/${encodeURIComponent(officeId)}/compliance.csv${query({ at })}`,
  requireReenrollment: (officeId: string, body: { deadline: string; reason: string }) =>
    json<{ officeId: string; reenrollment: Reenrollment | null }>(
      'POST',
      `/v1/offices/${encodeURIComponent(officeId)}/reenrollment`,
      body,
    ),
  endReenrollment: (officeId: string) =>
    json<{ officeId: string; reenrollment: Reenrollment | null }>(
      'DELETE',
      `/v1/offices/${encodeURIComponent(officeId)}/reenrollment`,
    ),
  findUser: (username: string) => json<SupportUser>('GET', `/v1/support/users${query({ username })}`),
  supportReset: (userId: string, body: { reason: string; ticket: string }) =>
    json<{ userId: string; nextLogin: 'enrollment-required' | 'password-only' } | AwaitingApproval>(
      'POST',
      `/v1/support/users/${encodeURIComponent(userId)}/two-factor-reset`,
      body,
    ),
  issueTemporaryAccess: (userId: string, body: { reason: string; ticket: string }) =>
    json<{ userId: string; code: string; expiresAt: string } | AwaitingApproval>(
      'POST',
      `/v1/support/users/${encodeURIComponent(userId)}/temporary-access`,
      body,
    ),
  endTemporaryAccess: (userId: string, body: { reason: string; ticket: string }) =>
    json<{ userId: string }>(
      'POST',
      `/v1/support/users/${encodeURIComponent(userId)}/temporary-access/end`,
      body,
    ),
  unfreeze: (userId: string, body: { reason: string; ticket: string }) =>
    json<{ userId: string }>('POST', `/v1/support/users/${encodeURIComponent(userId)}/unfreeze`, body),
  eraseUser: (userId: string, body: { reason: string; ticket: string }) =>
    json<{ userId: string; erasedAt: string } | AwaitingApproval>(
      'POST',
      `/v1/support/users/${encodeURIComponent(userId)}/erasure`,
      body,
    ),
  supportRequests: () => json<{ items: PendingSupportRequest[] }>('GET', '/v1/support/requests'),
  approveSupportRequest: (requestId: string) =>
    json<ApprovedSupportAction>('POST', `/v1/support/requests/${encodeURIComponent(requestId)}/approval`),
  withdrawSupportRequest: (requestId: string) =>
    json<{ requestId: string }>('POST', `/v1/support/requests/${encodeURIComponent(requestId)}/withdrawal`),
  auditEvents: (filter: AuditFilter, after: string | null) =>
    json<Page<AuditEvent>>(
      'GET',
      `/v1/audit/events${query({ ...filter, limit: 50, after: after ?? undefined })}`,
    ),
  auditExportUrl: (filter: AuditFilter) => `/v1/audit/events/export${query(filter)}`,
  userStateAt: (userId: string, at: string | undefined) =>
    json<UserStateAt>('GET', `/v1/audit/users/${encodeURIComponent(userId)}/two-factor${query({ at })}`),
  officeStateAt: (officeId: string, at: string | undefined) =>
    json<OfficeStateAt>(
      'GET',
      `/v1/audit/offices/${encodeURIComponent(officeId)}/two-factor-policy${query({ at })}`,
    ),
};

export type AuditFilter = { userId?: string; officeId?: string; type?: string; from?: string; to?: string };

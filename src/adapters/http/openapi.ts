import type { FastifyDynamicSwaggerOptions, SwaggerTransform } from '@fastify/swagger';
import { createJsonSchemaTransformObject, jsonSchemaTransform } from 'fastify-type-provider-zod';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The 2xx answers carry an `ETag` (documented in the OpenAPI). */
    sendsEtag?: boolean;
  }
}

/**
 * Operation ids where the name derived from method and path reads poorly. A route missing here
 * still gets a stable id (`derivedOperationId`), so routes added later are never left without one.
 */
const operationIds: Record<string, string> = {
  'GET /healthz': 'getHealth',
  'GET /readyz': 'getReadiness',
  'POST /v1/login': 'login',
  'POST /v1/login/second-factor': 'loginSecondFactor',
  'POST /v1/logout': 'logout',
  'GET /v1/me': 'getMe',
  'GET /v1/me/two-factor': 'getMyTwoFactor',
  'POST /v1/me/two-factor/enrollment': 'startEnrollment',
  'POST /v1/me/two-factor/enrollment/confirm': 'confirmEnrollment',
  'DELETE /v1/me/two-factor': 'disableTwoFactor',
  'POST /v1/me/two-factor/recovery-codes': 'regenerateRecoveryCodes',
  'PUT /v1/me/password': 'changeMyPassword',
  'GET /v1/me/trusted-browsers': 'listMyTrustedBrowsers',
  'DELETE /v1/me/trusted-browsers/:browserId': 'revokeTrustedBrowser',
  'GET /v1/offices/:officeId/two-factor-policy': 'getOfficePolicy',
  'PUT /v1/offices/:officeId/two-factor-policy': 'setOfficePolicy',
  'GET /v1/offices/:officeId/members': 'listOfficeMembers',
  'GET /v1/offices/:officeId/compliance': 'getOfficeCompliance',
  'GET /v1/offices/:officeId/compliance.csv': 'exportOfficeCompliance',
  'GET /v1/compliance/offices': 'getComplianceSummary',
  'POST /v1/offices/:officeId/reenrollment': 'requireReenrollment',
  'DELETE /v1/offices/:officeId/reenrollment': 'endReenrollment',
  'GET /v1/support/users': 'findUser',
  'POST /v1/support/users/:userId/two-factor-reset': 'resetTwoFactor',
  'POST /v1/support/users/:userId/erasure': 'eraseUser',
  'POST /v1/support/users/:userId/temporary-access': 'issueTemporaryAccess',
  'POST /v1/support/users/:userId/temporary-access/end': 'endTemporaryAccess',
  'POST /v1/support/users/:userId/unfreeze': 'unfreezeAccount',
  'GET /v1/support/requests': 'listSupportRequests',
  'POST /v1/support/requests/:requestId/approval': 'approveSupportRequest',
  'POST /v1/support/requests/:requestId/withdrawal': 'withdrawSupportRequest',
  'POST /v1/freeze': 'freezeAccount',
  'POST /v1/platform/offices': 'registerOffice',
  'POST /v1/platform/users': 'registerUser',
  'PUT /v1/platform/users/:userId/role': 'changeRole',
  'PUT /v1/platform/users/:userId/password': 'setPassword',
  'GET /v1/platform/users/:userId/login-requirements': 'getLoginRequirements',
  'POST /v1/platform/offices/:officeId/imports': 'importEnrolments',
  'GET /v1/audit/events': 'listAuditEvents',
  'GET /v1/audit/events/export': 'exportAuditEvents',
  'GET /v1/audit/verification': 'verifyStreamChain',
  'GET /v1/audit/users/:userId/two-factor': 'getUserTwoFactorAt',
  'GET /v1/audit/offices/:officeId/two-factor-policy': 'getOfficePolicyAt',
  'POST /v1/audit/checkpoints': 'signAuditCheckpoint',
  'GET /v1/audit/signing-key': 'getAuditSigningKeys',
};

const camel = (words: string[]) =>
  words
    .flatMap((word) => word.split(/[-_.]/))
    .filter((word) => word !== '')
    .map((word, index) => (index === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1)))
    .join('');

/** `GET /v1/offices/:officeId/members` → `getOfficesMembersByOfficeId`. */
export const derivedOperationId = (method: string, url: string): string => {
  const segments = url.split('/').filter((segment) => segment !== '' && segment !== 'v1');
  const fixed = segments.filter((segment) => !segment.startsWith(':'));
  const params = segments.filter((segment) => segment.startsWith(':')).map((segment) => segment.slice(1));
  return camel([method.toLowerCase(), ...fixed, ...(params.length === 0 ? [] : ['by', ...params])]);
};

type Security = Array<Record<string, readonly string[]>>;
const session: Security = [{ session: [] }, { sessionCookie: [] }];
/** Who must authenticate, by path; the HTTP tests check each route really answers 401 without it. */
const securityOf = (url: string): Security => {
  if (url.startsWith('/v1/platform/')) return [{ platformKey: [] }];
  if (url === '/v1/login' || url.startsWith('/v1/login/') || url === '/v1/logout') return [];
  // The freeze link in the e-mail carries its own single-use token: no session.
  if (url === '/v1/freeze') return [];
  // Anyone may fetch the keys that verify checkpoints: verifying must not need an account.
  if (url === '/v1/audit/signing-key') return [];
  // Enrolment also accepts the challenge of a login held back for it, in the body, without a session.
  if (url.startsWith('/v1/me/two-factor/enrollment')) return [...session, {}];
  if (url.startsWith('/v1/')) return session;
  return [];
};

type JsonObject = Record<string, unknown>;
const problemRef = '#/components/schemas/Problem';
const reasons: Record<string, string> = {
  '400': 'The request does not match its schema',
  '401': 'Not signed in, or the credentials or code are wrong',
  '403': 'The role or office may not do this, or (on a change) another site sent it with the cookie',
  '404': 'Not found',
  '409': 'Conflicts with the current state',
  '410': 'Expired',
  '412': 'If-Match does not match the current ETag',
  '413': 'Body larger than the limit',
  '414': 'A path parameter is longer than the router reads',
  '415': 'Body is not application/json',
  '429': 'Too many attempts; see Retry-After',
  '503': 'A store is unreachable; retry shortly',
};
const successes: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted: waits for a second support agent to approve (SUPPORT_APPROVAL=required)',
  '204': 'Done, no content',
};
const etagHeader = {
  etag: { type: 'string', description: 'The revision; send it back as If-Match to change it safely' },
};

/**
 * What the app answers before a handler runs: unreadable bodies, over-long path parameters, and a change
 * sent with the session cookie from another site (403 `cross-site-request`, see cross-site.ts).
 */
const frameworkProblems = (method: string, url: string): JsonObject => {
  const problem = { $ref: problemRef };
  return {
    ...(['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)
      ? { 400: problem, 403: problem, 413: problem, 415: problem }
      : {}),
    ...(url.includes('/:') ? { 414: problem } : {}),
  };
};

/** Errors as application/problem+json with the shared Problem component, ETag on answers that carry it. */
const documentResponses = (response: JsonObject, framework: JsonObject, sendsEtag: boolean): JsonObject => {
  const problem = { $ref: problemRef };
  const all: JsonObject = Object.fromEntries(
    Object.entries({ ...response, ...framework }).sort(([a], [b]) => Number(a) - Number(b)),
  );
  return Object.fromEntries(
    Object.entries(all).map(([status, schema]) => {
      const json = schema as JsonObject;
      if (json.$ref === problemRef)
        return [
          status,
          {
            description: reasons[status] ?? 'Problem',
            content: { 'application/problem+json': { schema: problem } },
          },
        ];
      const success = status.startsWith('2')
        ? {
            description: successes[status] ?? 'Success',
            ...json,
            ...(sendsEtag ? { headers: etagHeader } : {}),
          }
        : json;
      return [status, success];
    }),
  );
};

/** Per-route OpenAPI: zod → JSON schema, then operation id, security and problem responses. */
const transform: SwaggerTransform = (document) => {
  const { schema, url } = jsonSchemaTransform(document as Parameters<typeof jsonSchemaTransform>[0]);
  if (schema === undefined || schema.hide === true) return { schema, url };
  const method = String(document.route.method);
  const headers = (schema.headers ?? {}) as { properties?: JsonObject };
  const acceptsIfMatch = headers.properties?.['if-match'] !== undefined;
  return {
    url,
    schema: {
      ...schema,
      operationId: schema.operationId ?? operationIds[`${method} ${url}`] ?? derivedOperationId(method, url),
      security: schema.security ?? securityOf(url),
      ...(schema.response === undefined
        ? {}
        : {
            response: documentResponses(
              schema.response as JsonObject,
              frameworkProblems(method, url),
              acceptsIfMatch || document.route.config?.sendsEtag === true,
            ),
          }),
    },
  };
};

const referencedIds = (value: unknown, into: Set<string>): Set<string> => {
  if (Array.isArray(value)) for (const item of value) referencedIds(item, into);
  else if (value !== null && typeof value === 'object')
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string' && child.startsWith('#/components/schemas/'))
        into.add(child.slice('#/components/schemas/'.length));
      else referencedIds(child, into);
    }
  return into;
};

const withComponents = createJsonSchemaTransformObject({});
/** The named components (zod `.meta({ id })`), less those no operation refers to. */
const transformObject: NonNullable<FastifyDynamicSwaggerOptions['transformObject']> = (document) => {
  const openapi = withComponents(document) as JsonObject & { components: { schemas: JsonObject } };
  const { components, ...rest } = openapi;
  const used = referencedIds(rest, new Set());
  for (let size = -1; size !== used.size; ) {
    size = used.size;
    for (const id of [...used]) referencedIds(components.schemas[id], used);
  }
  const schemas = Object.fromEntries(Object.entries(components.schemas).filter(([id]) => used.has(id)));
  return { ...openapi, components: { ...components, schemas } } as ReturnType<typeof withComponents>;
};

/** The @fastify/swagger options: document, security schemes and the transforms above. */
export const swaggerOptions: FastifyDynamicSwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'second-factor',
      description: 'Two-factor authentication (TOTP) for a multi-office platform',
      version: '1',
    },
    servers: [{ url: '/', description: 'Where this document is served' }],
    tags: [
      { name: 'health', description: 'Liveness and readiness' },
      { name: 'login', description: 'The two steps of a login, and logout' },
      { name: 'me', description: "A signed-in user's own account and 2FA" },
      { name: 'office', description: "An office admin's policy and members" },
      { name: 'support', description: 'Support: find, reset, erase; four-eyes requests and approvals' },
      { name: 'platform', description: 'The platform, with its API key' },
      { name: 'audit', description: 'Auditors: the event history and past states' },
    ],
    components: {
      securitySchemes: {
        session: { type: 'http', scheme: 'bearer', description: 'Session token' },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'sf_session',
          description:
            'The same session token, as the HttpOnly cookie the login sets (named __Host-sf_session when the cookie is Secure)',
        },
        platformKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      },
    },
  },
  transform,
  transformObject,
};

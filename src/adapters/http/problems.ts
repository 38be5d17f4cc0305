import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApplicationError } from '../../application/application-error.ts';
import { ConcurrencyError, EventStoreUnavailableError } from '../../application/ports/event-store.ts';
import { PasswordHashingBusyError } from '../../application/ports/password-hasher.ts';
import { SubjectErasedError } from '../../application/ports/personal-data-vault.ts';
import { ReadModelsRebuildingError, ReadModelUnavailableError } from '../../application/ports/read-models.ts';
import { DomainError } from '../../domain/shared/domain-error.ts';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string().optional(),
    code: z.string(),
    instance: z.string().optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'RFC 9457 problem details; `code` is stable' });

/** The problem answers a route can really give, e.g. `...problemResponses(400, 401, 503)`. */
export const problemResponses = <const S extends number>(...statuses: S[]) =>
  Object.fromEntries(statuses.map((status) => [status, problemSchema])) as Record<S, typeof problemSchema>;

/** The HTTP layer refused a request before any use case saw it (e.g. from another site). */
export class RequestRefused extends Error {
  readonly code: 'cross-site-request';

  constructor(code: 'cross-site-request', message: string) {
    super(message);
    this.name = 'RequestRefused';
    this.code = code;
  }
}

type Problem = {
  status: number;
  code: string;
  title: string;
  detail?: string;
  extra?: Record<string, unknown>;
};

/** HTTP status of every stable error code; the only place where codes meet statuses. */
const statusOf: Record<string, number> = {
  'invalid-request': 400,
  'bad-request': 400,
  'invalid-command': 400,
  'password-too-short': 400,
  'password-too-long': 400,
  'password-too-common': 400,
  'enforce-from-in-past': 400,
  'deadline-in-past': 400,
  'invalid-credentials': 401,
  'invalid-challenge': 401,
  'invalid-code': 401,
  'invalid-password': 401,
  'code-required': 401,
  'code-already-used': 401,
  'invalid-recovery-code': 401,
  unauthenticated: 401,
  'not-permitted': 403,
  'office-requires-two-factor': 403,
  'account-frozen': 403,
  'invalid-freeze-token': 401,
  'no-temporary-access': 409,
  'not-frozen': 409,
  'own-support-request': 403,
  'support-request-not-found': 404,
  'support-request-closed': 409,
  'support-request-pending': 409,
  'support-request-expired': 410,
  'reenrollment-in-progress': 409,
  'no-reenrollment': 409,
  'cross-site-request': 403,
  'not-found': 404,
  'office-not-found': 404,
  'user-not-found': 404,
  'enrollment-not-found': 404,
  'trusted-browser-not-found': 404,
  'route-not-found': 404,
  'unknown-method': 405,
  'request-timeout': 408,
  'already-enrolled': 409,
  'not-enrolled': 409,
  'office-already-registered': 409,
  'user-already-registered': 409,
  'concurrent-update': 409,
  'enrollment-expired': 410,
  'revision-mismatch': 412,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'locked-out': 429,
  'too-many-attempts': 429,
  'rate-limited': 429,
  'header-too-large': 431,
  internal: 500,
  'service-unavailable': 503,
  'read-models-unavailable': 503,
  'read-models-rebuilding': 503,
  'event-store-unavailable': 503,
  busy: 503,
};

const titleOf = (code: string): string => {
  const words = code.replaceAll('-', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** Details the client may see: times and revisions only, never values from the request. */
const safeDetails = (details: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(details).filter(([key]) =>
      ['lockedUntil', 'currentRevision', 'retryAfterSeconds'].includes(key),
    ),
  );

const problemFor = (error: unknown): Problem => {
  if (error instanceof RequestRefused)
    return {
      status: statusOf[error.code] ?? 403,
      code: error.code,
      title: titleOf(error.code),
      detail: error.message,
    };
  if (error instanceof DomainError || error instanceof ApplicationError) {
    return {
      status: statusOf[error.code] ?? 400,
      code: error.code,
      title: titleOf(error.code),
      detail: error.message,
      extra: safeDetails(error.details),
    };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const fields = error.validation.map((issue) => ({
      path: issue.instancePath || '/',
      message: issue.message,
    }));
    return {
      status: 400,
      code: 'invalid-request',
      title: 'Invalid request',
      detail: 'The request does not match its schema.',
      extra: { fields },
    };
  }
  const unavailable =
    error instanceof ReadModelsRebuildingError
      ? 'read-models-rebuilding'
      : error instanceof ReadModelUnavailableError
        ? 'read-models-unavailable'
        : error instanceof EventStoreUnavailableError
          ? 'event-store-unavailable'
          : null;
  if (unavailable !== null) {
    return { status: 503, code: unavailable, title: 'Service unavailable', detail: 'Try again shortly.' };
  }
  if (error instanceof PasswordHashingBusyError) {
    return {
      status: 503,
      code: 'busy',
      title: 'Busy',
      detail: 'Too many logins at once; try again shortly.',
      extra: { retryAfterSeconds: error.retryAfterSeconds },
    };
  }
  if (error instanceof SubjectErasedError) {
    return { status: 404, code: 'not-found', title: titleOf('not-found'), detail: 'No such user.' };
  }
  if (error instanceof ConcurrencyError) {
    return {
      status: 409,
      code: 'concurrent-update',
      title: 'Concurrent update',
      detail: 'Someone changed this at the same time; retry.',
    };
  }
  const fastifyError = error as Partial<FastifyError>;
  const status = fastifyError.statusCode;
  if (status === 413) return { status, code: 'payload-too-large', title: 'Payload too large' };
  if (status === 415) return { status, code: 'unsupported-media-type', title: 'Unsupported media type' };
  if (status === 429)
    return { status, code: 'rate-limited', title: 'Too many requests', detail: 'Slow down and retry later.' };
  if (status !== undefined && status >= 400 && status < 500) {
    return {
      status,
      code: 'invalid-request',
      title: 'Invalid request',
      detail: 'The request could not be read.',
    };
  }
  return {
    status: 500,
    code: 'internal',
    title: 'Internal error',
    detail: 'Something went wrong on our side.',
  };
};

/** Sends a problem+json answer; `Retry-After` accompanies lock-outs, rate limits and busy refusals. */
export const sendProblem = (
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  now: Date = new Date(),
) => {
  const problem = problemFor(error);
  // A busy refusal is load shedding, not a failure: during a rush an error line for each would flood.
  if (problem.code === 'busy') request.log.warn({ code: problem.code }, 'refused: password checks busy');
  else if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
  const lockedUntil = problem.extra?.lockedUntil;
  if (typeof lockedUntil === 'string') {
    const seconds = Math.max(1, Math.ceil((new Date(lockedUntil).getTime() - now.getTime()) / 1000));
    reply.header('retry-after', String(seconds));
  }
  const retryAfterSeconds = problem.extra?.retryAfterSeconds;
  if (typeof retryAfterSeconds === 'number')
    reply.header('retry-after', String(Math.max(1, retryAfterSeconds)));
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .send({
      type: `urn:second-factor:problem:${problem.code}`,
      title: problem.title,
      status: problem.status,
      ...(problem.detail === undefined ? {} : { detail: problem.detail }),
      code: problem.code,
      instance: request.id,
      ...problem.extra,
    });
};

/** What Node's HTTP parser refused, by its error code, before any request reached Fastify. */
const clientErrorProblem = (errorCode: string | undefined): Problem => {
  const problem = (code: string, detail: string): Problem => ({
    status: statusOf[code] ?? 400,
    code,
    title: titleOf(code),
    detail,
  });
  switch (errorCode) {
    case 'HPE_HEADER_OVERFLOW':
      return problem('header-too-large', 'The request headers are larger than this service accepts.');
    case 'HPE_INVALID_METHOD':
      // 405, not RFC 9110's 501: hostile input is the client's error and never earns a 5xx.
      return problem('unknown-method', 'This service does not know that request method.');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return problem('request-timeout', 'The request did not arrive in time.');
    default:
      return problem('bad-request', 'The request is not well-formed HTTP/1.1.');
  }
};

/**
 * Answers a request Node's HTTP parser refused (Fastify's `clientErrorHandler`) with the same problem+json
 * as every other error, written straight to the socket since there is no request object, then closes it.
 */
export const answerClientError = (
  logger: FastifyBaseLogger,
  error: Error & { code?: string },
  socket: Duplex,
): void => {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const problem = clientErrorProblem(error.code);
  logger.debug({ code: error.code, status: problem.status }, 'refused a malformed request');
  // Node's own rule: never write an answer into a response that has started (it would corrupt it).
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({
    type: `urn:second-factor:problem:${problem.code}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    code: problem.code,
  });
  const head = [
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'X-Content-Type-Options: nosniff',
    'Connection: close',
  ].join('\r\n');
  // End after the answer is flushed, so the client reads it before the connection closes.
  socket.end(`${head}\r\n\r\n${body}`, () => socket.destroy());
};

import { SpanKind, type Tracer } from '@opentelemetry/api';
import type { EventStore } from '../../application/ports/event-store.ts';
import type { ProjectionTarget, ReadModels } from '../../application/ports/read-models.ts';
import type { SessionStore } from '../../application/ports/session-store.ts';
import { inSpan } from './spans.ts';

/** Which store stands behind a port, as `db.system.name` (e.g. `redis`, `sqlite`, `memory`). */
export type StoreSystem = string;

const client = (system: StoreSystem, attributes: Record<string, string | number | boolean> = {}) => ({
  kind: SpanKind.CLIENT,
  childOnly: true,
  attributes: { 'db.system.name': system, ...attributes },
});

const uuidSuffix = /^(.+)-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * A stream named by a random id (`user-<uuid>`) is recorded whole; any other (`username-<name>`)
 * only by its category, since the rest of its name may be personal data.
 */
export const streamAttributes = (streamId: string): Record<string, string> => {
  const match = uuidSuffix.exec(streamId);
  if (match !== null) return { 'sf.stream_id': streamId, 'sf.stream_category': match[1] ?? '' };
  return { 'sf.stream_category': streamId.split('-')[0] ?? '' };
};

/**
 * Spans for the event-store calls a request makes: `event-store append` (stream, event count),
 * `event-store readStream`, `readStreamAfter`, `readSnapshot`, `readFromSnapshot`, `writeSnapshot` (stream, counts or the
 * revision), `event-store readAll`. Subscriptions, pings and closing pass straight through.
 */
export const tracedEventStore = (inner: EventStore, tracer: Tracer, system: StoreSystem): EventStore => ({
  append: (streamId, events, expected) =>
    inSpan(
      tracer,
      'event-store append',
      client(system, { ...streamAttributes(streamId), 'sf.event_count': events.length }),
      async (span) => {
        const result = await inner.append(streamId, events, expected);
        span.setAttribute('sf.position', result.position);
        return result;
      },
    ),
  readStream: (streamId) =>
    inSpan(tracer, 'event-store readStream', client(system, streamAttributes(streamId)), async (span) => {
      const events = await inner.readStream(streamId);
      span.setAttribute('sf.event_count', events.length);
      return events;
    }),
  readStreamAfter: (streamId, afterRevision) =>
    inSpan(
      tracer,
      'event-store readStreamAfter',
      client(system, { ...streamAttributes(streamId), 'sf.after_revision': afterRevision }),
      async (span) => {
        const events = await inner.readStreamAfter(streamId, afterRevision);
        span.setAttribute('sf.event_count', events.length);
        return events;
      },
    ),
  readSnapshot: (streamId) =>
    inSpan(tracer, 'event-store readSnapshot', client(system, streamAttributes(streamId)), async (span) => {
      const snapshot = await inner.readSnapshot(streamId);
      span.setAttribute('sf.found', snapshot !== null);
      if (snapshot !== null) span.setAttribute('sf.revision', snapshot.revision);
      return snapshot;
    }),
  readFromSnapshot: (streamId) =>
    inSpan(
      tracer,
      'event-store readFromSnapshot',
      client(system, streamAttributes(streamId)),
      async (span) => {
        const read = await inner.readFromSnapshot(streamId);
        span.setAttribute('sf.found', read.snapshot !== null);
        if (read.snapshot !== null) span.setAttribute('sf.revision', read.snapshot.revision);
        span.setAttribute('sf.event_count', read.events.length);
        return read;
      },
    ),
  writeSnapshot: (snapshot) =>
    inSpan(
      tracer,
      'event-store writeSnapshot',
      client(system, { ...streamAttributes(snapshot.streamId), 'sf.revision': snapshot.revision }),
      () => inner.writeSnapshot(snapshot),
    ),
  readAll: (after, limit) =>
    inSpan(
      tracer,
      'event-store readAll',
      client(system, { 'sf.after': after, 'sf.limit': limit }),
      async (span) => {
        const events = await inner.readAll(after, limit);
        span.setAttribute('sf.event_count', events.length);
        return events;
      },
    ),
  subscribeToAll: (after, handler) => inner.subscribeToAll(after, handler),
  headPosition: () => inner.headPosition(),
  storeId: () => inner.storeId(),
  ping: () => inner.ping(),
  close: () => inner.close(),
});

/**
 * Spans named `read-models <method>` for the login-time and admin views. Arguments (usernames, ids)
 * are not recorded; lookups say only whether they found something. The projector's side passes through.
 */
export const tracedReadModels = <T extends ReadModels & ProjectionTarget>(
  inner: T,
  tracer: Tracer,
  system: StoreSystem,
): ReadModels & ProjectionTarget => {
  const span = <R>(method: string, call: () => Promise<R>, found?: (result: R) => boolean) =>
    inSpan(tracer, `read-models ${method}`, client(system), async (current) => {
      const result = await call();
      if (found !== undefined) current.setAttribute('sf.found', found(result));
      return result;
    });
  const present = (result: unknown) => result !== null;
  return {
    loginByUsername: (username) => span('loginByUsername', () => inner.loginByUsername(username), present),
    loginByUserId: (userId) => span('loginByUserId', () => inner.loginByUserId(userId), present),
    officePolicy: (officeId) => span('officePolicy', () => inner.officePolicy(officeId), present),
    offices: () => span('offices', () => inner.offices()),
    officeMembers: (officeId, page) => span('officeMembers', () => inner.officeMembers(officeId, page)),
    checkpoint: () => span('checkpoint', () => inner.checkpoint()),
    waitFor: (position, timeoutMs) =>
      inSpan(tracer, 'read-models waitFor', client(system, { 'sf.position': position }), async (current) => {
        const caughtUp = await inner.waitFor(position, timeoutMs);
        current.setAttribute('sf.caught_up', caughtUp);
        return caughtUp;
      }),
    ping: () => inner.ping(),
    apply: (event, previousPosition) => inner.apply(event, previousPosition),
    applyBatch: (events, previousPosition) => inner.applyBatch(events, previousPosition),
    origin: () => inner.origin(),
    reject: (setId) => inner.reject(setId),
    unfinishedBuild: () => inner.unfinishedBuild(),
    startBuild: (storeId, target) => inner.startBuild(storeId, target),
  };
};

/** Spans named `sessions <method>`; tokens, sessions and challenges never become attributes. */
export const tracedSessionStore = (
  inner: SessionStore,
  tracer: Tracer,
  system: StoreSystem,
): SessionStore => {
  const span = <R>(method: string, call: () => Promise<R>, found?: (result: R) => boolean) =>
    inSpan(tracer, `sessions ${method}`, client(system), async (current) => {
      const result = await call();
      if (found !== undefined) current.setAttribute('sf.found', found(result));
      return result;
    });
  const present = (result: unknown) => result !== null;
  return {
    createSession: (session, ttlSeconds) =>
      span('createSession', () => inner.createSession(session, ttlSeconds)),
    getSession: (token) => span('getSession', () => inner.getSession(token), present),
    revokeSession: (token) => span('revokeSession', () => inner.revokeSession(token)),
    revokeUserSessions: (userId, exceptToken) =>
      span('revokeUserSessions', () => inner.revokeUserSessions(userId, exceptToken)),
    createChallenge: (challenge, ttlSeconds) =>
      span('createChallenge', () => inner.createChallenge(challenge, ttlSeconds)),
    getChallenge: (token) => span('getChallenge', () => inner.getChallenge(token), present),
    consumeChallenge: (token) => span('consumeChallenge', () => inner.consumeChallenge(token), present),
    consumeChallengeForSession: (challengeToken, session, ttlSeconds) =>
      span(
        'consumeChallengeForSession',
        () => inner.consumeChallengeForSession(challengeToken, session, ttlSeconds),
        present,
      ),
    ping: () => inner.ping(),
  };
};

import {
  type Context,
  context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { recordFailure } from './spans.ts';

export type HttpTracingOptions = {
  /** The correlation id the request's events will carry (the same function the routes use). */
  correlationIdOf: (request: FastifyRequest) => string;
};

type Active = { span: Span; context: Context; ended: boolean };

const propagator = new W3CTraceContextPropagator();
const headerGetter = {
  keys: (headers: FastifyRequest['headers']) => Object.keys(headers),
  get: (headers: FastifyRequest['headers'], key: string) => headers[key],
};

/**
 * A server span per request, child of an incoming W3C `traceparent` when there is one; route handlers
 * (and so the use cases and stores they call) run inside it. Install before any route is registered.
 */
export const httpTracing =
  (tracer: Tracer, options: HttpTracingOptions) =>
  (app: FastifyInstance): void => {
    const active = new WeakMap<FastifyRequest, Active>();
    const finish = (request: FastifyRequest, status?: number) => {
      const current = active.get(request);
      if (current === undefined || current.ended) return;
      current.ended = true;
      if (status !== undefined) {
        current.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
        if (status >= 500) current.span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
      }
      current.span.end();
    };

    app.addHook('onRequest', (request, _reply, done) => {
      const parent = propagator.extract(ROOT_CONTEXT, request.headers, headerGetter);
      const route = request.routeOptions.url;
      const span = tracer.startSpan(
        route === undefined ? request.method : `${request.method} ${route}`,
        {
          kind: SpanKind.SERVER,
          attributes: {
            [ATTR_HTTP_REQUEST_METHOD]: request.method,
            ...(route === undefined ? {} : { [ATTR_HTTP_ROUTE]: route }),
            'sf.correlation_id': options.correlationIdOf(request),
          },
        },
        parent,
      );
      const spanContext = trace.setSpan(parent, span);
      active.set(request, { span, context: spanContext, ended: false });
      context.with(spanContext, done);
    });
    // The handler is called synchronously from the last hook's `done`: run it in the request's context.
    app.addHook('preHandler', (request, _reply, done) => {
      const current = active.get(request);
      if (current === undefined) done();
      else context.with(current.context, done);
    });
    app.addHook('onError', (request, _reply, error, done) => {
      const current = active.get(request);
      if (current !== undefined) recordFailure(current.span, error);
      done();
    });
    app.addHook('onResponse', (request, reply, done) => {
      finish(request, reply.statusCode);
      done();
    });
    app.addHook('onRequestAbort', (request, done) => {
      active.get(request)?.span.setAttribute('error.type', 'aborted');
      finish(request);
      done();
    });
    app.addHook('onTimeout', (request, _reply, done) => {
      const current = active.get(request);
      current?.span.setAttribute('error.type', 'timeout');
      current?.span.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout' });
      finish(request);
      done();
    });
  };

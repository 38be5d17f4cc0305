import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/** The service's helmet settings: helmet's defaults with a content security policy for the web pages. */
export const helmetOptions: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
    },
  },
};

/**
 * The headers helmet sets for these options, computed once by running its middleware on a response
 * that only records them. Nothing in the options depends on the request (no nonces, no functions),
 * so every response gets the same set.
 */
export const helmetHeaders = (options: HelmetOptions): Map<string, string> => {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string) => headers.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error !== undefined && error !== null) throw error;
  });
  return headers;
};

/** Sets helmet's headers on every answer, as @fastify/helmet does (at onRequest) but without rebuilding them. */
export const securityHeaders = (app: FastifyInstance, options: HelmetOptions = helmetOptions): void => {
  const headers = helmetHeaders(options);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.raw.setHeaders(headers);
    reply.raw.removeHeader('x-powered-by');
    done();
  });
};

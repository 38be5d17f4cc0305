import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/** The built reference pages (`npm run build:web`), next to the sources in web/. */
export const defaultWebRoot = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** Paths of the single-page app: each answers with its index.html, the script picks the page. */
export const pagePaths = [
  '/',
  '/account/security',
  '/office/security',
  '/support',
  '/audit',
  '/help',
  '/freeze',
] as const;

/**
 * Serves the reference web pages at `/`. Only the built files and the page paths are routed, so every
 * other URL (unknown /v1 routes included) still reaches the problem+json 404 handler. A missing build
 * is not fatal: the API runs without its pages and says so once.
 */
export const webPages: FastifyPluginAsync<{ root: string }> = async (app, { root }) => {
  if (!existsSync(`${root}/index.html`)) {
    app.log.warn({ root }, 'web pages are not built (run `npm run build:web`): serving the API only');
    return;
  }
  await app.register(fastifyStatic, { root, wildcard: false, index: false, cacheControl: false });
  for (const path of pagePaths) {
    app.get(path, { schema: { hide: true } }, (_request, reply) =>
      reply.header('cache-control', 'no-cache').sendFile('index.html'),
    );
  }
};

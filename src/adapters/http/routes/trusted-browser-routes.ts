import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireSession } from '../authentication.ts';
import type { HttpDependencies } from '../dependencies.ts';
import { problemResponses } from '../problems.ts';
import { requestContext } from '../request-context.ts';
import { idParam } from '../schemas.ts';
import { clearTrustedBrowserCookie, deviceTokenOf } from '../trusted-browser-cookie.ts';

const trustedBrowserSchema = z
  .object({
    browserId: z.string(),
    description: z.string().describe('Browser and system, from its user agent ("Firefox on Linux")'),
    trustedAt: z.string(),
    expiresAt: z
      .string()
      .describe("When it stops skipping the code (its deadline or the office's lower limit)"),
    lastUsedAt: z.string().nullable(),
    current: z.boolean().describe('The browser asking is this one'),
  })
  .meta({ id: 'TrustedBrowser' });

/** A signed-in user's trusted browsers: the list on the account page, and revoking one. */
export const trustedBrowserRoutes: FastifyPluginAsyncZod<{ deps: HttpDependencies }> = async (
  app,
  { deps },
) => {
  app.get(
    '/v1/me/trusted-browsers',
    {
      schema: {
        tags: ['me'],
        summary: 'Browsers that skip the code at login, newest first',
        response: {
          200: z.object({ items: z.array(trustedBrowserSchema) }).meta({ id: 'TrustedBrowserList' }),
          ...problemResponses(401, 503),
        },
      },
    },
    async (request) => {
      const { session } = await requireSession(deps.sessions, request);
      return { items: await deps.useCases.listTrustedBrowsers(session, deviceTokenOf(request)) };
    },
  );

  app.delete(
    '/v1/me/trusted-browsers/:browserId',
    {
      schema: {
        tags: ['me'],
        summary: 'Stop trusting a browser: its next login asks for the code',
        params: z.object({ browserId: idParam }),
        response: { 204: z.null(), ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request, reply) => {
      const { session } = await requireSession(deps.sessions, request);
      const deviceToken = deviceTokenOf(request);
      const listed = await deps.useCases.listTrustedBrowsers(session, deviceToken);
      const { position } = await deps.useCases.revokeTrustedBrowser(
        session,
        request.params.browserId,
        requestContext(request),
      );
      await deps.waitForProjection(position);
      if (listed.some((trust) => trust.current && trust.browserId === request.params.browserId))
        clearTrustedBrowserCookie(reply);
      return reply.code(204).send(null);
    },
  );
};

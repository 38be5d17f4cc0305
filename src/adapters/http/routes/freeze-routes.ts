import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HttpDependencies, HttpOptions } from '../dependencies.ts';
import { problemResponses } from '../problems.ts';
import { requestContext } from '../request-context.ts';
import { tokenField } from '../schemas.ts';

/** Anyone holding a freeze token from a notification: "this wasn't me" freezes the account. */
export const freezeRoutes: FastifyPluginAsyncZod<{ deps: HttpDependencies; options: HttpOptions }> = async (
  app,
  { deps, options },
) => {
  app.post(
    '/v1/freeze',
    {
      config: { rateLimit: { max: options.loginRateLimitPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['login'],
        summary:
          'Freeze the account with the token from a 2FA notification (no session): sessions end, logins and 2FA changes are refused until support lifts it',
        body: z.object({ token: tokenField }).strict(),
        response: {
          200: z.object({ status: z.literal('frozen') }),
          ...problemResponses(400, 401, 429, 503),
        },
      },
    },
    async (request) => {
      const result = await deps.useCases.freezeAccount(request.body.token, requestContext(request));
      await deps.waitForProjection(result.position);
      return { status: 'frozen' as const };
    },
  );
};

import type { UseCases } from '../../application/use-cases/index.ts';
import { userRoleSchema } from '../../domain/shared/actor.ts';
import { tokens } from '../../main.ts';
import { cliActor, cliRequest } from '../cli-actor.ts';
import { type CliCommand, UsageError } from '../command.ts';
import { readPassword } from '../read-password.ts';
import { withScope } from '../scope.ts';
import { serviceSeesUser } from '../service-sees.ts';

/**
 * The password is read from stdin (piped), or typed without echo on a terminal, so it never shows in the
 * shell history or the process list. Before it returns, the command waits until a running service
 * knows the user (so a login right after it works), or says why it could not.
 */
export const usersCreate: CliCommand = {
  name: 'users create',
  synopsis: '--office <id> --username <name> --role <member|office-admin|support|auditor>',
  summary:
    'Register a user (the first office admin, support and auditor accounts); prints the user id. The password is read from stdin, or typed without echo on a terminal.',
  options: { office: { type: 'string' }, username: { type: 'string' }, role: { type: 'string' } },
  run: async ({ values, warn }) => {
    const { office, username } = values;
    if (typeof office !== 'string' || typeof username !== 'string' || values.role === undefined)
      throw new UsageError('users create needs --office <id> --username <name> --role <role>');
    const role = userRoleSchema.safeParse(values.role);
    if (!role.success) throw new UsageError(`--role must be one of: ${userRoleSchema.options.join(', ')}`);
    const password = await readPassword(`Password for ${username}: `);
    return withScope({ redis: true }, async (scope, config) => {
      const user = await scope
        .resolve<UseCases>(tokens.useCases)
        .registerUser(cliActor, { officeId: office, username, password, role: role.data }, cliRequest());
      const { sighting, url } = await serviceSeesUser(config, user.userId);
      if (sighting === 'not-yet')
        warn(
          `users create: the service at ${url} has not seen the user after ${config.PROJECTION_WAIT_MS} ms; ` +
            'it reads new events every 250 ms, so a login should work within a second.',
        );
      if (sighting === 'other-service')
        warn(
          `users create: the service at ${url} refused this data directory's platform key; it may use another store.`,
        );
      return {
        text: user.userId,
        json: {
          userId: user.userId,
          username: user.username,
          officeId: office,
          role: role.data,
          service: sighting,
        },
      };
    });
  },
};

import type { ApplicationDeps } from '../../application/dependencies.ts';
import { showUser } from '../../application/use-cases/directory.ts';
import { tokens } from '../../main.ts';
import type { CliCommand } from '../command.ts';
import { withScope } from '../scope.ts';

export const usersShow: CliCommand = {
  name: 'users show',
  synopsis: '<user-id | username>',
  summary: 'One user: id, username, office, role, 2FA; exit code 4 when there is no such user.',
  positionals: { min: 1, max: 1 },
  run: async ({ positionals, warn }) =>
    withScope({ redis: false }, async (scope) => {
      const user = await showUser(scope.resolve<ApplicationDeps>(tokens.applicationDeps))(
        positionals[0] ?? '',
      );
      if (user === null) {
        warn(`users show: no user with the id or username "${positionals[0]}"`);
        return { text: '', json: null, exitCode: 4 };
      }
      const lines = [
        ['user id', user.userId],
        ['username', user.username],
        ['status', user.status],
        ['office', `${user.officeId}${user.officeName === null ? '' : ` (${user.officeName})`}`],
        ['role', user.role ?? '-'],
        [
          'two-factor',
          user.enrolledAt === null ? user.twoFactor : `${user.twoFactor} since ${user.enrolledAt}`,
        ],
      ];
      return { text: lines.map(([key, value]) => `${key}: ${value}`).join('\n'), json: user };
    }),
};

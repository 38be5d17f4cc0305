import type { ApplicationDeps } from '../../application/dependencies.ts';
import { listUsers } from '../../application/use-cases/directory.ts';
import { tokens } from '../../main.ts';
import type { CliCommand } from '../command.ts';
import { withScope } from '../scope.ts';

export const usersList: CliCommand = {
  name: 'users list',
  synopsis: '[--office <id>]',
  summary: 'Users (of one office), by username: id, username, role, 2FA (tab-separated).',
  options: { office: { type: 'string' } },
  run: async ({ values }) =>
    withScope({ redis: false }, async (scope) => {
      const officeId = typeof values.office === 'string' ? values.office : undefined;
      const users = await listUsers(scope.resolve<ApplicationDeps>(tokens.applicationDeps))(
        officeId === undefined ? {} : { officeId },
      );
      const text = users.map((u) => [u.userId, u.username, u.role, u.twoFactor].join('\t')).join('\n');
      return { text, json: users };
    }),
};

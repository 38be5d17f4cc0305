import type { ApplicationDeps } from '../../application/dependencies.ts';
import { listOffices } from '../../application/use-cases/directory.ts';
import { tokens } from '../../main.ts';
import type { CliCommand } from '../command.ts';
import { withScope } from '../scope.ts';

export const officesList: CliCommand = {
  name: 'offices list',
  synopsis: '',
  summary: 'Every office: id, whether 2FA is required, number of users, name (tab-separated).',
  run: async () =>
    withScope({ redis: false }, async (scope) => {
      const offices = await listOffices(scope.resolve<ApplicationDeps>(tokens.applicationDeps))();
      const text = offices
        .map((o) =>
          [o.officeId, o.twoFactorRequired ? '2fa-required' : '2fa-optional', o.users, o.name].join('\t'),
        )
        .join('\n');
      return { text, json: offices };
    }),
};

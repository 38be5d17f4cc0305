import type { UseCases } from '../../application/use-cases/index.ts';
import { tokens } from '../../main.ts';
import { cliActor, cliRequest } from '../cli-actor.ts';
import { type CliCommand, UsageError } from '../command.ts';
import { withScope } from '../scope.ts';

export const officesCreate: CliCommand = {
  name: 'offices create',
  synopsis: '--name <name>',
  summary: 'Register an office; prints its id.',
  options: { name: { type: 'string' } },
  run: async ({ values }) => {
    const name = typeof values.name === 'string' ? values.name.trim() : '';
    if (name === '') throw new UsageError('offices create needs --name <name>');
    return withScope({ redis: true }, async (scope) => {
      const office = await scope
        .resolve<UseCases>(tokens.useCases)
        .registerOffice(cliActor, { name }, cliRequest());
      return { text: office.officeId, json: { officeId: office.officeId, name } };
    });
  },
};

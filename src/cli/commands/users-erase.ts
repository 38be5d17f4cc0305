import type { UseCases } from '../../application/use-cases/index.ts';
import { tokens } from '../../main.ts';
import { cliActor, cliRequest } from '../cli-actor.ts';
import { type CliCommand, UsageError } from '../command.ts';
import { withScope } from '../scope.ts';

/** Forgets the user (their data key is deleted); the history stays whole and reads "[erased]". */
export const usersErase: CliCommand = {
  name: 'users erase',
  synopsis: '<user-id> --ticket <reference> --reason <text>',
  summary:
    'Erase a user on request: their data key is deleted, so their username and TOTP secret in the history can no longer be read; the history itself stays whole and verifiable.',
  options: { ticket: { type: 'string' }, reason: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  run: async ({ values, positionals }) => {
    const [userId] = positionals;
    const ticket = typeof values.ticket === 'string' ? values.ticket.trim() : '';
    const reason = typeof values.reason === 'string' ? values.reason.trim() : '';
    if (userId === undefined || ticket === '' || reason === '')
      throw new UsageError('users erase needs <user-id> --ticket <reference> --reason <text>');
    return withScope({ redis: true }, async (scope) => {
      const erased = await scope
        .resolve<UseCases>(tokens.useCases)
        .eraseUser(cliActor, { userId, ticket, reason }, cliRequest());
      return { text: erased.userId, json: { userId: erased.userId, erasedAt: erased.erasedAt } };
    });
  },
};

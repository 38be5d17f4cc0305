import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { UseCases } from '../application/use-cases/index.ts';
import { userRoleSchema } from '../domain/shared/actor.ts';
import { readPassword } from './read-password.ts';

const cliActor = { id: 'cli', role: 'platform' as const };
const cliRequest = () => ({ correlationId: randomUUID(), userAgent: 'second-factor-cli' });

/** `offices create --name <name>`: prints the new office's id. */
export const createOffice = async (useCases: UseCases, args: string[]): Promise<string> => {
  const { values } = parseArgs({ args, options: { name: { type: 'string' } }, strict: true });
  if (values.name === undefined || values.name.trim() === '')
    throw new Error('offices create needs --name <name>');
  const office = await useCases.registerOffice(cliActor, { name: values.name.trim() }, cliRequest());
  return `office created: ${office.officeId}`;
};

/**
 * `users create --office <id> --username <name> --role <role>`: the password is read from stdin (piped),
 * or typed without echo on a terminal, so it never shows in the shell history or the process list.
 */
export const createUser = async (useCases: UseCases, args: string[]): Promise<string> => {
  const { values } = parseArgs({
    args,
    options: { office: { type: 'string' }, username: { type: 'string' }, role: { type: 'string' } },
    strict: true,
  });
  if (values.office === undefined || values.username === undefined || values.role === undefined) {
    throw new Error('users create needs --office <id> --username <name> --role <role>');
  }
  const role = userRoleSchema.safeParse(values.role);
  if (!role.success) throw new Error(`--role must be one of: ${userRoleSchema.options.join(', ')}`);
  const password = await readPassword(`Password for ${values.username}: `);
  if (password.length < 8) throw new Error('the password must have at least 8 characters');
  const user = await useCases.registerUser(
    cliActor,
    { officeId: values.office, username: values.username, password, role: role.data },
    cliRequest(),
  );
  return `user created: ${user.userId} (${user.username}, ${role.data})`;
};

/**
 * `users erase <user-id> --ticket <ref> --reason <text>`: forgets the user (their data key is deleted);
 * the history stays whole and reads "[erased]" where their personal data was.
 */
export const eraseUserCommand = async (useCases: UseCases, args: string[]): Promise<string> => {
  const { values, positionals } = parseArgs({
    args,
    options: { ticket: { type: 'string' }, reason: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [userId] = positionals;
  const ticket = values.ticket?.trim() ?? '';
  const reason = values.reason?.trim() ?? '';
  if (userId === undefined || positionals.length !== 1 || ticket === '' || reason === '') {
    throw new Error('users erase needs <user-id> --ticket <reference> --reason <text>');
  }
  const erased = await useCases.eraseUser(cliActor, { userId, ticket, reason }, cliRequest());
  return `user erased: ${erased.userId} at ${erased.erasedAt}`;
};

import { writeFileSync } from 'node:fs';
import type { UseCases } from '../../application/use-cases/index.ts';
import { tokens } from '../../main.ts';
import { cliActor, cliRequest } from '../cli-actor.ts';
import type { CliCommand } from '../command.ts';
import { withScope } from '../scope.ts';

export const auditCheckpoint: CliCommand = {
  name: 'audit checkpoint',
  synopsis: '[--output <file>]',
  summary:
    'Sign a checkpoint of the whole history now (kept in the history too); prints it or writes it to the file. Keep it somewhere the service cannot write.',
  options: { output: { type: 'string' } },
  run: async ({ values }) =>
    withScope({ redis: true }, async (scope) => {
      const { signed } = await scope
        .resolve<UseCases>(tokens.useCases)
        .signAuditCheckpoint({ actor: cliActor, ...cliRequest() });
      const document = JSON.stringify(signed, null, 2);
      if (typeof values.output !== 'string') return { text: document, json: signed };
      writeFileSync(values.output, `${document}\n`);
      return {
        text: `checkpoint at position ${signed.checkpoint.position} (${signed.checkpoint.eventCount} events) written to ${values.output}`,
        json: signed,
      };
    }),
};

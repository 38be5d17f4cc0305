import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { commands } from './cli/commands/index.ts';
import { runCommandLine } from './cli/run.ts';

const version = (): string =>
  (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;

/** `second-factor <command>`: the commands are the table in src/cli/commands/index.ts. */
export const runCli = (args: string[]): Promise<number> =>
  runCommandLine(commands, args, {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    version: `second-factor ${version()}`,
  });

if (import.meta.main) process.exitCode = await runCli(process.argv.slice(2));

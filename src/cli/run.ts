import { parseArgs } from 'node:util';
import { type CliCommand, UsageError } from './command.ts';

export type CliIo = { out: (text: string) => void; err: (text: string) => void; version: string };

const commonOptions = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
} as const;

const line = (command: CliCommand) =>
  `second-factor ${command.name}${command.synopsis === '' ? '' : ` ${command.synopsis}`}`;

/** The usage of every command (or of those under one word, `users`). */
export const overview = (commands: CliCommand[], group?: string): string => {
  const shown = commands.filter((command) => group === undefined || command.name.split(' ')[0] === group);
  return [
    `Usage: second-factor <command> [options]    (second-factor <command> --help for one command)`,
    '',
    'Commands:',
    ...shown.flatMap((command) => [
      `  ${line(command).slice('second-factor '.length)}`,
      `      ${command.summary}`,
    ]),
    '',
    'Every command takes --json (the answer as JSON on stdout) and --help. Warnings and progress go to',
    'stderr. Exit codes: 0 done, 1 refused or failed, 2 wrong call, 3 broken audit chain, 4 not found.',
    'Also: second-factor --version.',
    '',
  ].join('\n');
};

const commandUsage = (command: CliCommand): string =>
  [`Usage: ${line(command)} [--json]`, '', command.summary, ''].join('\n');

/** The command named by the leading words of `args`, and the arguments after its name. */
const select = (commands: CliCommand[], args: string[]) => {
  const words: string[] = [];
  for (const arg of args) {
    if (arg.startsWith('-')) break;
    words.push(arg);
  }
  for (let count = Math.min(words.length, 3); count > 0; count--) {
    const name = words.slice(0, count).join(' ');
    const command = commands.find((candidate) => candidate.name === name);
    if (command !== undefined) return { command, rest: args.slice(count), words };
  }
  return { command: undefined, rest: args, words };
};

/**
 * Parses a command line against the command table (util.parseArgs, strict) and runs the command.
 * --help never runs anything; a wrong call says what is wrong and exits 2.
 */
export const runCommandLine = async (commands: CliCommand[], args: string[], io: CliIo): Promise<number> => {
  const { command, rest, words } = select(commands, args);
  const asksHelp = args.includes('--help') || args.includes('-h');
  if (command === undefined) {
    if (words.length === 0 && (args.length === 0 || asksHelp)) {
      io.out(overview(commands));
      return 0;
    }
    if (words.length === 0 && (args[0] === '--version' || args[0] === '-V') && args.length === 1) {
      io.out(`${io.version}\n`);
      return 0;
    }
    const group = words[0];
    if (group !== undefined && words.length === 1 && commands.some((c) => c.name.startsWith(`${group} `))) {
      if (asksHelp) {
        io.out(overview(commands, group));
        return 0;
      }
      io.err(`second-factor: "${group}" needs a subcommand\n\n${overview(commands, group)}`);
      return 2;
    }
    const unknown = words.length > 0 ? `unknown command "${words.join(' ')}"` : `unknown option "${args[0]}"`;
    io.err(`second-factor: ${unknown}\n\n${overview(commands)}`);
    return 2;
  }
  if (asksHelp) {
    io.out(commandUsage(command));
    return 0;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, ...commonOptions },
      allowPositionals: true,
      strict: true,
    });
    const count = parsed.positionals.length;
    const { min, max } = command.positionals ?? { min: 0, max: 0 };
    if (count < min || count > max)
      throw new UsageError(
        count > max ? `unexpected argument "${parsed.positionals[max]}"` : 'missing argument',
      );
  } catch (error) {
    io.err(
      `${command.name}: ${error instanceof Error ? error.message : String(error)}\n\n${commandUsage(command)}`,
    );
    return 2;
  }
  const asJson = parsed.values.json === true;
  try {
    const output = await command.run({
      values: parsed.values,
      positionals: parsed.positionals,
      warn: (message) => io.err(`${message}\n`),
    });
    if (asJson) io.out(`${JSON.stringify(output.json, null, 2)}\n`);
    else if (output.text !== '') io.out(`${output.text}\n`);
    return output.exitCode ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${command.name}: ${error.message}\n\n${commandUsage(command)}`);
      return 2;
    }
    io.err(`${command.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
};

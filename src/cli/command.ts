import type { ParseArgsOptionsConfig } from 'node:util';

/** What a command prints: `text` for people and scripts (an id alone where there is one), `json` for --json. */
export type CommandOutput = { text: string; json: unknown; exitCode?: number };

export type CommandInput = {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  /** Warnings and progress: stderr, so stdout stays what a script reads. */
  warn: (message: string) => void;
};

/** One CLI command; the table in commands/index.ts lists them all, so a new one is one file and one line. */
export type CliCommand = {
  /** The words that select it: `users create`. */
  name: string;
  /** Its arguments as the usage shows them: `--office <id> --username <name>`. */
  synopsis: string;
  summary: string;
  options?: ParseArgsOptionsConfig;
  /** How many positional arguments it takes (default none). */
  positionals?: { min: number; max: number };
  run: (input: CommandInput) => Promise<CommandOutput>;
};

/** A wrong call (missing or unknown argument): the runner prints it with the usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

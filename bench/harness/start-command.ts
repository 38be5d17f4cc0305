/** How `npm start` starts the service, read from package.json, so that what is measured is what users run. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = join(import.meta.dirname, '..', '..');

/**
 * How `npm start` starts node, read from package.json: the variables its command sets before `node`
 * (the allocator's settings) and the arguments it gives node (flags and entry point).
 */
export const startCommand = (): { env: Record<string, string>; args: string[] } => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const words = manifest.scripts.start.trim().split(/\s+/);
  const env: Record<string, string> = {};
  for (let word = words[0]; word !== undefined && /^[A-Z_][A-Z0-9_]*=/.test(word); word = words[0]) {
    const at = word.indexOf('=');
    env[word.slice(0, at)] = word.slice(at + 1);
    words.shift();
  }
  const [command, ...args] = words;
  if (command !== 'node') throw new Error(`npm start runs ${command}, not node`);
  return { env, args };
};

/** `npm start`'s command as a line, for progress lines. */
export const startCommandLine = (): string => {
  const { env, args } = startCommand();
  return [...Object.entries(env).map(([name, value]) => `${name}=${value}`), 'node', ...args].join(' ');
};

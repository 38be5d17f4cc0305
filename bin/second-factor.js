#!/usr/bin/env node
// Runs the TypeScript sources directly, so it needs Node.js 24; `npm run cli -- <command>` provides it.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(
    `second-factor needs Node.js 24 or newer (this is ${process.version}); use: npm run cli -- <command>\n`,
  );
  process.exit(1);
}
const { runCli } = await import('../src/cli.ts');
process.exitCode = await runCli(process.argv.slice(2));

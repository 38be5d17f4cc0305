/**
 * Builds the reference pages into web/dist/: one bundled script (esbuild), the stylesheet and the
 * HTML shell. `node web/build.ts` (npm run build:web); the service serves the result at `/`.
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const out = here('./dist/');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [here('./src/main.ts')],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  outfile: `${out}app.js`,
  logLevel: 'warning',
});
copyFileSync(here('./index.html'), `${out}index.html`);
copyFileSync(here('./styles.css'), `${out}styles.css`);
copyFileSync(here('./favicon.svg'), `${out}favicon.svg`);
console.log(`web: built into ${out}`);

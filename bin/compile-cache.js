// Preloaded by `npm start` and the Docker image (`node --import ./bin/compile-cache.js dist/main.js`):
// V8's compiled code of every module loaded after it is cached on disk (in the OS temp folder), so a
// fresh instance compiles less at start-up.
import { enableCompileCache } from 'node:module';

enableCompileCache();

/** The hexagon's dependency rule, checked on every `npm test`. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain imports only itself and zod: no node built-ins, no application, no adapters.',
      severity: 'error',
      from: { path: '^src/domain' },
      to: { pathNot: ['^src/domain', 'node_modules/zod'] },
    },
    {
      name: 'application-knows-domain-and-ports',
      comment: 'src/application imports the domain, its own ports and zod; never adapters or the composition root.',
      severity: 'error',
      from: { path: '^src/application' },
      to: { path: ['^src/adapters', '^src/main\\.ts$', '^src/cli'] },
    },
    {
      name: 'adapters-do-not-import-each-other',
      comment:
        'Each adapter folder stands alone; main.ts wires them together. src/adapters/sqlite (opening a SQLite file) is shared by every adapter that keeps one.',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/' },
      to: { path: '^src/adapters/', pathNot: ['^src/adapters/$1/', '^src/adapters/sqlite/'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};

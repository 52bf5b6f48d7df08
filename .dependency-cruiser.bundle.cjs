/**
 * What the workflow bundle reaches at run time (types are erased, so type-only imports do not
 * count): never zod, whose schemas cost memory per cached run (issue 16; check with
 * workflows/checks.ts), and never Node's own modules (workflow code is replayed and does no I/O:
 * call an activity). Run from workflows/index.ts, the bundle's entry.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'bundle-reaches-no-zod',
      severity: 'error',
      from: { path: '^workflows/index[.]ts$' },
      to: { path: 'node_modules/zod/', reachable: true },
    },
    {
      name: 'bundle-reaches-no-node-module',
      severity: 'error',
      from: { path: '^workflows/index[.]ts$' },
      to: {
        path: '^(node:)?(fs|path|os|child_process|net|http|https|crypto|worker_threads|process)$',
        reachable: true,
      },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: false,
    doNotFollow: { path: 'node_modules' },
  },
};

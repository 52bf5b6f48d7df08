/**
 * Imports point one way (`npm run deps`, part of `npm test`): no cycles, type-only imports
 * included (a cycle of types is still a tangle to read), the contract (src/contract/) imports
 * nothing above it, and the lower layers never import the server. What the workflow bundle
 * reaches at run time is .dependency-cruiser.bundle.cjs.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'Modules that import each other, even through others, cannot be read or changed alone.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'contract-at-the-bottom',
      comment:
        'src/contract/ is what the workflow bundle shares with its clients: workflows, activities, server, audit and CLI import it, it imports none of them.',
      severity: 'error',
      from: { path: '^src/contract/' },
      to: { path: '^(workflows|activities|bin|ui|src/(?!contract/))' },
    },
    {
      name: 'no-server-in-lower-layers',
      comment:
        'The server, the CLI and the processes use the workflow, activities, runbook and audit code, never the reverse.',
      severity: 'error',
      from: { path: '^(workflows|activities|src/(contract|runbook|audit|db|signing|temporal|outbound))/' },
      to: { path: '^src/(server|cli|process)/' },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(test|bench|ui/assets/vendor|node_modules)/' },
  },
};

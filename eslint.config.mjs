// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'test-artifacts/**', '.data/**', 'ui/assets/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits is a failure nobody sees (and, in a workflow, a lost command).
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Short functions read as what they do (issue 12): product code only, tests and benches may be long.
    files: ['src/**/*.ts', 'workflows/**/*.ts', 'activities/**/*.ts', 'bin/**/*.{cjs,mjs,js,ts}', 'ui/**/*.{mjs,ts}'],
    ignores: ['ui/assets/vendor/**'],
    rules: {
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
  {
    // Workflow code is replayed: it must be deterministic and do no I/O of its own.
    // The bundle is workflows/ and the contract it shares with its clients (src/contract/).
    files: ['workflows/**/*.ts', 'src/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'workflow code cannot do I/O: call an activity' })),
          patterns: [
            {
              group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
              message: 'workflows import only @temporalio/workflow',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'use sleep() from @temporalio/workflow' },
        { name: 'setInterval', message: 'use sleep() in a loop' },
        { name: 'process', message: 'workflows see no process environment' },
        { name: 'fetch', message: 'call an activity' },
        { name: 'performance', message: 'not deterministic' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'use uuid4() or a deterministic value' },
        { object: 'Date', property: 'now', message: 'read the time through workflows/clock.ts' },
        { object: 'crypto', property: 'randomUUID', message: 'use uuid4() from @temporalio/workflow' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'read the time through workflows/clock.ts',
        },
      ],
    },
  },
  {
    // The workflow bundle is evaluated once per cached run: what its modules build at load time
    // is paid per open run. zod schemas are the costly part (issue 16), so workflow code checks
    // payloads with messageChecks.ts and reads the catalog through actionIndex.ts; types are free.
    files: ['workflows/**/*.ts', 'src/contract/**/*.ts'],
    ignores: ['src/contract/schemas/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['zod', 'zod/*'],
              allowTypeImports: true,
              message: 'no zod in the workflow bundle: check with workflows/checks.ts',
            },
            {
              group: ['**/contract/schemas/**', '**/schemas/*', '../schemas/**', './schemas/**'],
              allowTypeImports: true,
              message:
                'src/contract/schemas/ builds zod schemas: import their types only (or actionIndex.ts, messageChecks.ts)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', 'vitest.record.mts'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // CommonJS configuration files (dependency-cruiser's).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
);

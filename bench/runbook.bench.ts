import { parse } from 'yaml';
import { parseRunbookText } from '../src/runbook/load';
import { prepareRun } from '../src/runbook/prepare';
import { compareAll, type Bench } from './harness';
import { DEFAULT_RUNBOOK, defaultRunbookText, SHIPPED_SANDBOX, startOf } from './fixtures';

/**
 * What validation adds to reading a runbook: the loader (YAML document with line positions, zod
 * schema, cross-checks) and prepareRun (assignments, parameters, action params, input schema),
 * each against plain `yaml.parse` of the same text — the least any loader must do.
 */
export const bench: Bench = {
  name: 'runbook',
  run: () => {
    const text = defaultRunbookText();
    const yamlParse = { label: 'yaml.parse', run: () => parse(text) as unknown };
    const loaded = parseRunbookText(text, { source: DEFAULT_RUNBOOK, sandbox: SHIPPED_SANDBOX });
    return compareAll('runbook', [
      {
        what: `load + validate ${DEFAULT_RUNBOOK} (${(text.length / 1024).toFixed(0)} KB)`,
        baseline: yamlParse,
        candidate: {
          label: 'parseRunbookText',
          run: () => parseRunbookText(text, { source: DEFAULT_RUNBOOK, sandbox: SHIPPED_SANDBOX }),
        },
      },
      {
        what: 'prepare a start of the loaded runbook',
        baseline: yamlParse,
        candidate: { label: 'prepareRun', run: () => prepareRun(startOf(loaded)) },
      },
    ]);
  },
};

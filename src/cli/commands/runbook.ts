import { z } from 'zod';
import { formatPath } from '../../runbook/issues';
import { formatRunbookIssues, loadRunbookFile, RunbookError, type LoadedRunbook } from '../../runbook/load';
import { formatPlan, resolveDependencies, stepCount, toMermaid, topologicalLevels } from '../../runbook/plan';
import type { Runbook } from '../../contract/schemas/runbook';
import { defineCommand, jsonFlag } from '../args';
import { CliError, EXIT } from '../errors';
import { print, printJson } from '../output';

/** Runbook files, checked and explained locally: no server, no token. */

const file = z.string().min(1);
const fileArg = { name: 'FILE', description: 'a runbook, YAML or JSON' } as const;

/** The file as a validated runbook, or the loader's error; a file that cannot be read is a CliError. */
async function readRunbook(path: string): Promise<LoadedRunbook | RunbookError> {
  try {
    return await loadRunbookFile(path);
  } catch (err) {
    if (err instanceof RunbookError) return err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES')
      throw new CliError(`cannot read ${path} (${code})`);
    throw err;
  }
}

/**
 * The file as a validated runbook, or a CliError listing every problem with its field path and
 * line (`runbook.yaml:12 steps[1].approvers[0].role: …`), exactly as the loader words them.
 */
export async function loadRunbookOrFail(path: string): Promise<LoadedRunbook> {
  const loaded = await readRunbook(path);
  if (!(loaded instanceof RunbookError)) return loaded;
  const n = loaded.issues.length;
  throw new CliError(
    `${loaded.source}: not a valid runbook (${n} problem${n === 1 ? '' : 's'})`,
    formatRunbookIssues(loaded.source, loaded.issues).split('\n'),
  );
}

/** The plan's first line, with the step count worded as stepCount says it. */
function planHeader(runbook: Runbook): string {
  const stages = topologicalLevels(resolveDependencies(runbook)).length;
  const count = stepCount(runbook);
  return `${runbook.title} (${runbook.id} ${runbook.version}): ${count.text}${count.withEntryCriteria ? ',' : ''} in ${stages} stage${stages === 1 ? '' : 's'}`;
}

export const runbookValidate = defineCommand({
  name: 'runbook validate',
  group: 'runbooks',
  summary: 'Check a runbook file: every problem with its field path and line (exit 1 if any).',
  positionals: [fileArg],
  options: { json: { type: 'boolean', description: 'print {valid, id, version, steps, sha256, issues} as JSON' } },
  schema: z.object({ file, json: jsonFlag }),
  examples: ['golive runbook validate runbooks/default.yaml'],
  async run({ file, json }, { io }) {
    if (!json) {
      const { runbook, ref } = await loadRunbookOrFail(file);
      print(
        io,
        `${ref.source}: valid — ${runbook.id} ${runbook.version}, ${stepCount(runbook).text}, sha256 ${ref.sha256}`,
      );
      return EXIT.ok;
    }
    // Scripts get the issues as data, with paths in the same notation people see.
    const loaded = await readRunbook(file);
    if (loaded instanceof RunbookError) {
      printJson(io, {
        valid: false,
        issues: loaded.issues.map((i) => ({ path: formatPath(i.path), line: i.line, message: i.message })),
      });
      return EXIT.failed;
    }
    printJson(io, {
      valid: true,
      id: loaded.runbook.id,
      version: loaded.runbook.version,
      steps: stepCount(loaded.runbook).steps,
      sha256: loaded.ref.sha256,
      issues: [],
    });
    return EXIT.ok;
  },
});

export const runbookShow = defineCommand({
  name: 'runbook show',
  group: 'runbooks',
  summary: 'Show a runbook as a plan: stages in order, parallel steps side by side.',
  positionals: [fileArg],
  options: { mermaid: { type: 'boolean', description: 'print a Mermaid flowchart instead (paste into Markdown)' } },
  schema: z.object({ file, mermaid: z.boolean().default(false) }),
  examples: [
    'golive runbook show runbooks/default.yaml',
    'golive runbook show runbooks/default.yaml --mermaid > plan.mmd',
  ],
  async run({ file, mermaid }, { io }) {
    const { runbook } = await loadRunbookOrFail(file);
    if (mermaid) return print(io, toMermaid(runbook));
    // formatPlan's first line is its header; the rest (the stages) is printed as it words it.
    print(io, [planHeader(runbook), ...formatPlan(runbook).split('\n').slice(1)].join('\n'));
  },
});

import { actionCatalog, actionNames, isActionName } from '../contract/schemas/catalog';
import type { Issue, IssuePath } from './issues';
import type { ActionCall } from '../contract/schemas/runbook';
import { closestName, unknownKeyIssue, zodIssues } from './zodIssues';
import { unknownKeys } from './zodWalk';

/**
 * An action call checked against the action catalog: the action exists, and its params satisfy
 * that action's own schema with no stray fields. The loader calls it with params filled from
 * defaults, the start check with the run's values: one rule, two moments.
 * Pure (the catalog is zod and data).
 */
export function checkActionCall(call: Pick<ActionCall, 'action' | 'params'>, path: IssuePath): Issue[] {
  if (!isActionName(call.action)) {
    const guess = closestName(call.action, actionNames);
    return [
      {
        path: [...path, 'action'],
        message: `unknown action "${call.action}"${guess ? `; did you mean "${guess}"?` : ''} (known: ${actionNames.join(', ')})`,
      },
    ];
  }
  const schema = actionCatalog[call.action].params;
  const base = [...path, 'params'];
  const strays = unknownKeys(schema, call.params).map((u) => unknownKeyIssue(u, base));
  const parsed = schema.safeParse(call.params);
  return [...strays, ...(parsed.success ? [] : zodIssues(parsed.error, schema, call.params, base))];
}

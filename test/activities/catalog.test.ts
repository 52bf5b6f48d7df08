import { describe, expect, it } from 'vitest';
import { actionCatalog, actionNames, isActionName } from '../../src/contract/schemas/catalog';
import { createActivities } from '../../activities/index';
import { makeDeps } from './harness';

describe('action catalog', () => {
  it('has one activity per action, registered under the catalog name', () => {
    const activities = createActivities(makeDeps());
    expect(Object.keys(activities).sort()).toEqual(actionNames.map((a) => actionCatalog[a].activity).sort());
    expect(isActionName('deploy')).toBe(true);
    expect(isActionName('toString')).toBe(false);
  });

  it('maps every undoable action to a catalog action whose schema accepts the undo params', () => {
    const samples = {
      'access-apply': { url: 'http://127.0.0.1:1/access', bindings: [{ subject: 's', role: 'r' }] },
      deploy: { url: 'http://127.0.0.1:1/deploy', version: '2', rollbackUrl: 'http://127.0.0.1:1/rollback' },
      'monitoring-activate': {
        prometheusUrl: 'http://127.0.0.1:1',
        ruleFile: 'ai',
        rules: [{ name: 'N', expr: 'up == 0' }],
        dashboard: { source: 'dashboards/ai-system.json' },
      },
    } as const;
    for (const [name, sample] of Object.entries(samples)) {
      const spec = actionCatalog[name as keyof typeof samples];
      const undo = spec.compensation(spec.params.parse(sample) as never);
      expect(undo, name).not.toBeNull();
      if (!undo) continue;
      expect(actionCatalog[undo.action].params.safeParse(undo.params).success, name).toBe(true);
    }
  });
});

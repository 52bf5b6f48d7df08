import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderRuleFile } from '../../activities/monitoring';
import { monitoringActivateParams } from '../../src/contract/schemas/actions/monitoringActivate';
import { loadRunbookFile } from '../../src/runbook/load';
import { SHIPPED_SANDBOX } from '../../bench/fixtures';
import { fillRunbook, parameterDefaults } from '../../src/runbook/template';
import { PROMTOOL_BIN } from '../support/prometheus';

/**
 * What golive ships for real monitoring, checked by Prometheus's and Alertmanager's own tools:
 * the example configs the README points to, the rule file the default runbook installs, and
 * the Grafana dashboards.
 */
const ROOT = path.resolve(__dirname, '../..');
const AMTOOL_BIN = process.env.GOLIVE_TEST_AMTOOL ?? '/usr/bin/amtool';

function run(bin: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(bin, args, { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('shipped monitoring files', () => {
  it('monitoring/prometheus.yml and monitoring/alertmanager.yml are valid configs', () => {
    expect(run(PROMTOOL_BIN, ['check', 'config', path.join(ROOT, 'monitoring/prometheus.yml')])).toMatchObject({
      status: 0,
    });
    expect(run(AMTOOL_BIN, ['check-config', path.join(ROOT, 'monitoring/alertmanager.yml')])).toMatchObject({
      status: 0,
    });
  });

  it("the default runbook's alert rules make a rule file promtool accepts", async () => {
    const loaded = await loadRunbookFile(path.join(ROOT, 'runbooks/default.yaml'), { sandbox: SHIPPED_SANDBOX });
    const step = fillRunbook(loaded.runbook, parameterDefaults(loaded.runbook)).steps.find(
      (s) => s.id === 'monitoring-activate',
    );
    const params = monitoringActivateParams.parse(step?.kind === 'action' ? step.params : undefined);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-rules-check-'));
    try {
      const file = path.join(dir, 'ai-system.yml');
      fs.writeFileSync(file, renderRuleFile(params.ruleFile, params.rules, 'wf-check'));
      const checked = run(PROMTOOL_BIN, ['check', 'rules', file]);
      expect(checked.status, checked.output).toBe(0);
      expect(checked.output).toContain('SUCCESS: 3 rules found');
      const broken = path.join(dir, 'broken.yml');
      fs.writeFileSync(broken, renderRuleFile('broken', [{ ...params.rules[0]!, expr: 'sum(rate(' }], 'wf-check'));
      expect(run(PROMTOOL_BIN, ['check', 'rules', broken]).status).not.toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the Grafana dashboards are JSON with a uid, a Prometheus datasource variable and queries in every panel', () => {
    for (const file of ['monitoring/grafana/golive.json', 'runbooks/dashboards/ai-system.json']) {
      const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as {
        uid: string;
        panels: { targets: { expr: string }[] }[];
        templating: { list: { type: string }[] };
      };
      expect(dashboard.uid, file).toMatch(/^golive/);
      expect(dashboard.templating.list.map((v) => v.type)).toContain('datasource');
      expect(dashboard.panels.length).toBeGreaterThan(3);
      for (const panel of dashboard.panels)
        expect(
          panel.targets.every((t) => t.expr.length > 0),
          file,
        ).toBe(true);
    }
  });
});

import { inject } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import { freePort } from '../../src/temporal/portCheck';
import { uniqueId } from './temporal';
import type { SandboxAddress } from '../../src/runbook/sandboxDefaults';

/**
 * A sandbox for workflow tests, wired like `npm start` wires it: its monitoring stand-in reads
 * the rule files the test workers write, and delivers alerts to a receiver port of its own.
 * `params` are the default runbook's parameters pointing at it.
 */
export interface TestSandbox extends RunningSandbox {
  params: {
    targetUrl: string;
    stagingUrl: string;
    targetPort: number;
    prometheusUrl: string;
    alertmanagerUrl: string;
    alertReceiverUrl: string;
    ruleFile: string;
    canarySeconds: number;
  };
  /** What `${sandbox.*}` parameter defaults are filled with for this sandbox (as golive does for its own). */
  address: SandboxAddress;
}

/** `rulesDir`: where the workers write rule files (the suite's global setup makes one; process tests pass their own). */
export async function startTestSandbox(rulesDir: string = inject('rulesDir')): Promise<TestSandbox> {
  const alertReceiverUrl = `http://127.0.0.1:${await freePort()}/alerts`;
  const sandbox = await startSandbox({
    port: 0,
    monitoring: { rulesDir, alertWebhookUrl: alertReceiverUrl, scrapeIntervalMs: 500 },
  });
  const port = Number(new URL(sandbox.url).port);
  return {
    ...sandbox,
    address: { url: sandbox.url, host: '127.0.0.1', port, alertReceiverUrl },
    params: {
      targetUrl: sandbox.url,
      stagingUrl: `${sandbox.url}/staging`,
      targetPort: port,
      prometheusUrl: `${sandbox.url}/prometheus`,
      alertmanagerUrl: `${sandbox.url}/alertmanager`,
      alertReceiverUrl,
      // One rule file per run: a run that went live keeps its file, and the next must not collide.
      ruleFile: uniqueId('ai'),
      canarySeconds: 0,
    },
  };
}

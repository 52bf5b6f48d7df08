import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRunbookFile } from '../../src/runbook/load';
import type { EvidenceItem } from '../../src/contract/schemas/runbook';
import { freePort } from '../../src/temporal/portCheck';
import type { RunStateView } from '../../src/contract/definitions';
import { FINAL_STATUSES } from '../../src/contract/runStatus';
import { validEvidence } from '../support/autopilot';
import { SPEED_FREE_PARAMS } from '../support/defaultRunbook';
import { addVirtualAuthenticator, hasChromium, launchBrowser, loginAs, screenshot } from '../support/browser';
import { eventually } from '../support/eventually';

/**
 * `npm start` as a user runs it, every port (the sandbox's included) moved off its default, and a
 * run of the default runbook started from the web UI's start form with its defaults (a system name
 * typed, and the stability tests' speed figures every default-runbook test uses): the sandbox the
 * banner prints is the one the form and the runbook use, and the run goes live. Evidence goes in through the API with the demo people's tokens; every approval is given
 * in the browser by its approver, each with a passkey registered on the Passkeys page (Chromium's
 * virtual authenticator), so steps the runbook marks `passkey` are signed as a person would.
 */

const REPO = path.resolve(__dirname, '../..');
const RUNBOOK = path.join(REPO, 'runbooks', 'default.yaml');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-npmstart-live-'));
let npm: ChildProcess | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  if (npm && npm.exitCode === null && npm.signalCode === null) {
    const exited = new Promise((r) => npm!.once('exit', r));
    npm.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    if (npm.exitCode === null && npm.signalCode === null) npm.kill('SIGKILL');
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

interface Demo {
  id: string;
  roles: string[];
  password: string;
  token: string;
}

/** demo-credentials.txt, as the README tells people to read it. */
function demoPeople(): Demo[] {
  const text = fs.readFileSync(path.join(dataDir, 'demo-credentials.txt'), 'utf8');
  return [...text.matchAll(/^(\S+)\s+roles=(\S+)\s+password=(\S+)\s+token=(\S+)$/gm)].map((m) => ({
    id: m[1]!,
    roles: m[2]!.split(','),
    password: m[3]!,
    token: m[4]!,
  }));
}

async function startNpm(env: Record<string, string>): Promise<() => string> {
  let out = '';
  npm = spawn('npm', ['start'], {
    cwd: REPO,
    env: { ...process.env, GOLIVE_DATA_DIR: dataDir, GOLIVE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (c: Buffer) => (out = (out + c.toString()).slice(-30_000));
  npm.stdout!.on('data', keep);
  npm.stderr!.on('data', keep);
  const output = () => out;
  await eventually(
    async () => {
      if (npm!.exitCode !== null) throw new Error(`npm start exited ${npm!.exitCode}:\n${output()}`);
      return output().includes('golive is running') ? true : undefined;
    },
    () => `golive to be running; output:\n${output().slice(-3000)}`,
    240_000,
    500,
  );
  return output;
}

describe.skipIf(!hasChromium)('npm start, then a default run from the web UI', () => {
  it(
    'goes live against the sandbox on GOLIVE_SANDBOX_PORT, approvals given in the browser with passkeys',
    {
      timeout: 1_500_000,
    },
    async () => {
      const ports = {
        web: await freePort(),
        sandbox: await freePort(),
        alerts: await freePort(),
      };
      const alertsUrl = `http://127.0.0.1:${ports.alerts}/alerts`;
      const output = await startNpm({
        GOLIVE_PORT: String(ports.web),
        GOLIVE_SANDBOX_PORT: String(ports.sandbox),
        GOLIVE_SANDBOX_ALERT_WEBHOOK: alertsUrl,
        GOLIVE_TEMPORAL_PORT: String(await freePort()),
        GOLIVE_TEMPORAL_UI_PORT: String(await freePort()),
        GOLIVE_WORKER_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
      });
      const sandboxUrl = `http://127.0.0.1:${ports.sandbox}`;
      expect(output()).toMatch(new RegExp(`sandbox system\\s+${sandboxUrl.replace(/[.]/g, '\\.')} `));
      // Passkeys belong to a domain name: the browser reaches golive as localhost.
      const base = `http://localhost:${ports.web}`;
      const api = `http://127.0.0.1:${ports.web}`;
      // Temporal and the worker up (the web UI answers before them, with 503s).
      await eventually(
        async () => ((await fetch(`${api}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined),
        () => `golive to be ready; output:\n${output().slice(-3000)}`,
        240_000,
        500,
      );

      const demo = demoPeople();
      const byRole = (role: string) => demo.find((p) => p.roles.includes(role));
      const rm = byRole('ai-product-manager')!;
      const call = async (who: Demo, method: string, url: string, body?: unknown) => {
        const res = await fetch(`${api}${url}`, {
          method,
          headers: {
            authorization: `Bearer ${who.token}`,
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };

      browser = await launchBrowser();
      const contexts = new Map<string, { context: BrowserContext; page: Page }>();
      const pageOf = async (who: Demo) => {
        const open = contexts.get(who.id);
        if (open) return open.page;
        const c = await loginAs(browser!, base, who.id, who.password);
        contexts.set(who.id, c);
        return c.page;
      };

      // The release manager starts a run from the form, its defaults as they are.
      const page = await pageOf(rm);
      await page.goto('/runs');
      const form = page.locator('form.start-form');
      await form.getByLabel('Runbook').selectOption('ai-go-live');
      const fields = form.locator('fieldset[data-runbook="ai-go-live"]');
      expect(await fields.locator('input[name="params.targetUrl"]').inputValue()).toBe(sandboxUrl);
      expect(await fields.locator('input[name="params.targetPort"]').inputValue()).toBe(String(ports.sandbox));
      // Every address as the form offers it; only the stability tests' speed figures are the ones
      // every default-runbook test uses, so a busy machine does not fail the load or stress test.
      for (const [name, value] of Object.entries(SPEED_FREE_PARAMS))
        await fields.locator(`input[name="params.${name}"]`).fill(String(value));
      await form.getByLabel('System', { exact: true }).fill('npm-start-assistant');
      await form.getByRole('button', { name: 'Start the run' }).click();
      await page.waitForURL(/\/runs\/[^/?#]+$/, { timeout: 60_000 });
      const runId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
      await screenshot(page, 'npm-start-01-started');

      const loaded = await loadRunbookFile(RUNBOOK, {
        sandbox: { url: sandboxUrl, host: '127.0.0.1', port: ports.sandbox, alertReceiverUrl: alertsUrl },
      });
      const items = new Map<string, readonly EvidenceItem[]>([
        ['entry-criteria', loaded.runbook.entryCriteria],
        ...loaded.runbook.steps.flatMap((s) => (s.kind === 'evidence' ? [[s.id, s.items] as const] : [])),
      ]);
      const approved = new Set<string>();
      const withPasskey = new Set<string>();

      /** The approver's own browser: a passkey registered once, then the step's form on the run page. */
      const approveInBrowser = async (stepId: string, who: Demo) => {
        const p = await pageOf(who);
        if (!withPasskey.has(who.id)) {
          await addVirtualAuthenticator(p);
          await p.goto('/passkeys');
          await p.getByLabel(/Name/).fill(`${who.id}'s virtual authenticator`);
          await p.getByRole('button', { name: 'Add a passkey' }).click();
          await p.waitForURL(/\/passkeys\?added=/);
          withPasskey.add(who.id);
        }
        await p.goto(`/runs/${encodeURIComponent(runId)}`);
        const decide = p.locator(`#decide-${stepId}-form`);
        await decide.waitFor({ timeout: 60_000 });
        // A sign-off by several roles says each must sign, not "either".
        const def = loaded.runbook.steps.find((s) => s.id === stepId);
        if (def?.kind === 'approval' && def.approvers.length > 1) {
          const names = def.approvers.map((a) => loaded.runbook.roles.find((r) => r.id === a.role)!.title);
          expect(await decide.locator('.who-may').first().textContent()).toContain(
            `${names.join(' and ')} — each must approve`,
          );
        }
        await decide.getByLabel(/Comment/).fill(`${who.id}: checked, fine`);
        await decide.getByRole('button', { name: 'Approve' }).click();
        // Recorded in the run (the page refreshes and the form goes once this person has decided).
        await eventually(
          async () => {
            const state = (await call(rm, 'GET', `/api/runs/${runId}`)).body as unknown as RunStateView;
            return state.decisions.some((d) => d.stepId === stepId && d.actor.id === who.id) ? true : undefined;
          },
          `${who.id}'s approval of ${stepId} to be recorded`,
          120_000,
          1000,
        );
      };

      const act = async (state: RunStateView) => {
        for (const step of state.steps) {
          if (step.status !== 'waiting') continue;
          if (step.kind === 'evidence') {
            const sent = new Set(state.evidence.filter((e) => e.stepId === step.id).map((e) => e.itemId));
            // Optional items first: the step completes as soon as the required ones are in.
            const byOptional = [...(items.get(step.id) ?? [])].sort((a, b) => Number(b.optional) - Number(a.optional));
            for (const item of byOptional) {
              if (sent.has(item.id)) continue;
              const role = item.submittedBy.find((r) => byRole(r))!;
              const res = await call(byRole(role)!, 'POST', `/api/runs/${runId}/steps/${step.id}/evidence`, {
                itemId: item.id,
                role,
                value: validEvidence(item),
              });
              expect(res.status, `${step.id}/${item.id}: ${JSON.stringify(res.body)}`).toBe(200);
            }
          }
          if (step.kind === 'approval') {
            const def = loaded.runbook.steps.find((s) => s.id === step.id);
            for (const a of def?.kind === 'approval' ? def.approvers : []) {
              const who = byRole(a.role)!;
              if (approved.has(`${step.id}/${who.id}`)) continue;
              approved.add(`${step.id}/${who.id}`);
              await approveInBrowser(step.id, who);
            }
          }
        }
      };

      const final = await eventually(
        async () => {
          const state = (await call(rm, 'GET', `/api/runs/${runId}`)).body as unknown as RunStateView;
          if (FINAL_STATUSES.includes(state.status))
            throw new Error(`the run ended ${state.status}: ${JSON.stringify(state.failure)}`);
          if (state.steps.find((s) => s.id === 'hypercare')?.status === 'running') return state;
          await act(state);
          return undefined;
        },
        () => `the run to reach hypercare; output:\n${output().slice(-3000)}`,
        1_200_000,
        2000,
      );

      expect(final.steps.find((s) => s.id === 'gate-4')?.status).toBe('completed');
      expect(final.steps.find((s) => s.id === 'go-live')?.status).toBe('completed');
      // Every approval was given by its approver in the browser; where the runbook asks for a passkey, signed with it.
      for (const step of loaded.runbook.steps) {
        if (step.kind !== 'approval') continue;
        const decisions = final.decisions.filter((d) => d.stepId === step.id);
        expect(
          decisions.map((d) => d.decision),
          step.id,
        ).toEqual(step.approvers.map(() => 'approve'));
        if (step.passkey) for (const d of decisions) expect(d.passkey, `${step.id} by ${d.actor.id}`).toBeDefined();
      }
      // Production serves the release candidate: the sandbox on its own port says so.
      const version = (await (await fetch(`${sandboxUrl}/version`)).json()) as { version: string };
      expect(version.version).toBe('1.1.0');
      const runPage = await pageOf(rm);
      await runPage.goto(`/runs/${encodeURIComponent(runId)}`);
      await screenshot(runPage, 'npm-start-02-hypercare');
    },
  );
});

import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainEntries, chainHead, type ChainedEntry } from '../../src/audit/chain';
import { sha256 } from '../../src/audit/dossier';
import { Keyring, SIGNING_KEYS_DIR, signMessage } from '../../src/signing/keyring';
import { apiAs, smallRunbookVariant, useExtraRunbooks, useTestApp, untilStepOf } from '../support/app';
import { addVirtualAuthenticator, hasChromium, launchBrowser, loginAs, screenshot } from '../support/browser';
import { runCli, tempDir } from '../cli/support';

/**
 * Gate 4 approved with the Business Sponsor's own passkey, in the real browser with Chromium's
 * virtual authenticator (the DevTools protocol's WebAuthn domain through playwright-core's CDP
 * session): without a passkey the decision is refused (API, CLI and the page say how to register
 * one); the Sponsor registers one on the Passkeys page and approves; the dossier verifies
 * offline with the assertion checked; an altered comment fails `golive verify` naming the
 * decision — even when the forger holds golive's own signing key and re-signs and re-chains.
 */

const RUNBOOK = 'web-passkey';
const GATE_4 = `  - id: gate-4
    kind: approval
    title: "Gate 4: go-live decision"
    phase: Gate 4
    approvers: [{ role: business-sponsor, quorum: 1 }]
    covers: [validation-report]
    deadline: 30m
    passkey: true
`;
const runbooks = useExtraRunbooks(
  { beforeAll, afterAll },
  { [`${RUNBOOK}.yaml`]: smallRunbookVariant(RUNBOOK, [['  - id: hypercare', `${GATE_4}  - id: hypercare`]]) },
);
const app = useTestApp({ beforeAll, afterAll }, runbooks);
/** Passkeys belong to a domain name: the browser reaches the app as localhost. */
const origin = () => app().url.replace('127.0.0.1', 'localhost');
const as = (id: string) => apiAs(app(), id);
const cli = (args: string[], person: string) =>
  runCli(args, {
    GOLIVE_URL: app().url,
    GOLIVE_TOKEN: app().credentials[person]!.token,
    HOME: tempDir('golive-passkey-cli-'),
  });

let browser: Browser | undefined;
beforeAll(async () => {
  if (hasChromium) browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** The Sponsor's browser, with a virtual platform authenticator that verifies the person (as a fingerprint would). */
async function sponsorWithAuthenticator(): Promise<{
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
}> {
  const c = app().credentials.sponsor!;
  const { context, page } = await loginAs(browser!, origin(), c.id, c.password);
  const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
  return { context, page, cdp, authenticatorId };
}

const untilStep = (runId: string, stepId: string, status: string) => untilStepOf(app(), runId, stepId, status);

/** A run waiting at Gate 4: evidence in, the Guardian's sign-off (no passkey on that step) given. */
async function runAtGate4(system: string): Promise<string> {
  const started = await as('rm')('POST', '/api/runs', { runbook: RUNBOOK, system, collaborationMode: 2 });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const runId = started.body.runId as string;
  await untilStep(runId, 'validation-report', 'waiting');
  expect(
    (await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, { itemId: 'accuracy', value: 97 }))
      .status,
  ).toBe(200);
  await untilStep(runId, 'guardian-sign-off', 'waiting');
  const signed = await as('guardian')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, {
    decision: 'approve',
    comment: 'oversight in place',
  });
  expect(signed.status, JSON.stringify(signed.body)).toBe(200);
  await untilStep(runId, 'gate-4', 'waiting');
  return runId;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const readJson = (file: string): Json => JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
const writeJson = (file: string, value: unknown) => fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);

/** The manifest's digests and sizes made to fit the files again, as a forger would. */
function fixDigests(dir: string): void {
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = readJson(manifestFile);
  for (const f of manifest.files as { name: string; sha256: string; bytes: number }[]) {
    const bytes = fs.readFileSync(path.join(dir, f.name));
    f.sha256 = sha256(bytes);
    f.bytes = bytes.length;
  }
  writeJson(manifestFile, manifest);
}

/**
 * The strongest forger: holds golive's own signing key (from the server's data folder), changes
 * the Sponsor's comment, re-signs the message, re-chains the trail and makes every file agree.
 */
function forgeWithServerKey(dir: string, seq: number, comment: string): void {
  const keyring = Keyring.loadOrCreate(path.join(app().dataDir, SIGNING_KEYS_DIR));
  const trailFile = path.join(dir, 'audit-trail.json');
  const trail = readJson(trailFile);
  const entries = (trail.entries as ChainedEntry[]).map(({ prevHash: _p, hash: _h, ...e }) => e);
  const entry = entries.find((e) => e.seq === seq)!;
  const signed = entry.details.signed as { message: string; payload: Json; signature: { keyId: string; at: string } };
  entry.details.comment = comment;
  signed.payload.comment = comment;
  const key = keyring.get(signed.signature.keyId)!;
  signed.signature = signMessage(
    key,
    trail.workflowId as string,
    signed.message,
    signed.payload,
    new Date(signed.signature.at),
  );
  trail.entries = chainEntries(entries);
  trail.head = chainHead(trail.entries as ChainedEntry[]);
  writeJson(trailFile, trail);
  for (const file of ['dossier.json', 'manifest.json']) {
    const json = readJson(path.join(dir, file));
    for (const holder of [json, json.chain, json.trail].filter(Boolean))
      if (typeof holder.head === 'string') holder.head = trail.head;
    writeJson(path.join(dir, file), json);
  }
  fixDigests(dir);
}

describe.skipIf(!hasChromium)('passkey-signed approvals', () => {
  it('refuses Gate 4 without a passkey (API, CLI and page say how to register), then the Sponsor registers one and approves with it; the dossier proves it offline', async () => {
    const runId = await runAtGate4('passkey-gate-4');

    // Without a passkey, through the API: refused, saying where to go.
    const bare = await as('sponsor')('POST', `/api/runs/${runId}/steps/gate-4/decisions`, {
      decision: 'approve',
      comment: 'go',
    });
    expect(bare.status, JSON.stringify(bare.body)).toBe(403);
    expect(bare.body.error.reason).toBe('PasskeyRequired');
    expect(bare.body.error.message).toContain('Register one on the Passkeys page (/passkeys)');
    // The command line cannot sign with a passkey: it sends the person to the web UI.
    const fromCli = await cli(['approve', runId, 'gate-4', '--comment', 'go'], 'sponsor');
    expect(fromCli.code).toBe(1);
    expect(fromCli.stderr).toContain('is decided only with your passkey');
    expect(fromCli.stderr).toContain(`decide it in the web UI: ${app().url}/runs/${runId}`);

    // In the browser, before registering: the page says to add one, and nothing is decided.
    const { page, cdp, authenticatorId } = await sponsorWithAuthenticator();
    await page.goto(`/runs/${runId}`);
    const form = page.locator('#decide-gate-4-form');
    await expect.poll(() => form.locator('.passkey-note').textContent()).toContain('Signed with your passkey');
    await form.getByLabel(/Comment/).fill('business case holds');
    await form.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => form.locator('.form-status').textContent())
      .toContain('you have none registered: add one on the Passkeys page (/passkeys)');
    expect((await untilStep(runId, 'gate-4', 'waiting')).decisions.filter((d) => d.stepId === 'gate-4')).toEqual([]);

    // The Passkeys page: the device makes a key, golive keeps its public half.
    await page.goto('/passkeys');
    await page.getByLabel(/Name/).fill('virtual authenticator');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL(/\/passkeys\?added=/);
    await expect.poll(() => page.locator('ul.passkeys').textContent()).toContain('virtual authenticator');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    await screenshot(page, 'passkey-registered');

    // Gate 4 again: the device signs exactly this decision, and the run goes live into hypercare.
    await page.goto(`/runs/${runId}`);
    await form.getByLabel(/Comment/).fill('business case holds');
    await form.getByRole('button', { name: 'Approve' }).click();
    const state = await untilStep(runId, 'hypercare', 'running');
    const decision = state.decisions.find((d) => d.stepId === 'gate-4')!;
    expect(decision).toMatchObject({
      actor: { id: 'sponsor' },
      decision: 'approve',
      comment: 'business case holds',
      passkey: { credentialId: expect.any(String) },
    });
    expect(
      Buffer.from(decision.passkey!.credentialId, 'base64url').equals(
        Buffer.from(credentials[0]!.credentialId, 'base64'),
      ),
    ).toBe(true);
    await page.reload();
    await expect
      .poll(() => page.locator('.decision-approve .passkey-signed').textContent())
      .toBe('signed with their passkey');
    await screenshot(page, 'passkey-gate-4-approved');
    const trail = await as('ops')('GET', `/api/runs/${runId}/history?kind=decision&step=gate-4`);
    const entry = trail.body.entries[0];
    expect(entry.details.signed.payload.passkey).toMatchObject({
      credentialId: decision.passkey!.credentialId,
      publicKey: { spki: expect.any(String) },
    });
    await page.context().close();

    // The dossier, offline: golive's signatures and the Sponsor's passkey both verify.
    const dir = path.join(tempDir('golive-passkey-dossier-'), 'dossier');
    const exported = await cli(['dossier', runId, '--out', dir], 'ops');
    expect(exported.code, exported.stderr).toBe(0);
    const ok = await runCli(['verify', dir, '--json'], {});
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, workflowId: runId, passkeys: { checked: 1 } });
    const pristine = new Map(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f))]));
    const restore = () => pristine.forEach((bytes, f) => fs.writeFileSync(path.join(dir, f), bytes));

    // The comment altered in the trail (digests fixed): verify fails naming the decision.
    const trailFile = path.join(dir, 'audit-trail.json');
    fs.writeFileSync(
      trailFile,
      fs.readFileSync(trailFile, 'utf8').replaceAll('business case holds', 'business case holds, ship it all'),
    );
    fixDigests(dir);
    const altered = await runCli(['verify', dir], {});
    expect(altered.code).toBe(1);
    expect(altered.stdout).toContain(
      `NOT OK: audit-trail.json (entry seq ${entry.seq}): entry ${entry.seq} (decision by sponsor on "gate-4") was altered`,
    );

    // Even a forger with golive's own signing key, who re-signs and re-chains: the passkey did not sign that.
    restore();
    forgeWithServerKey(dir, entry.seq as number, 'business case holds, ship it all');
    const forged = await runCli(['verify', dir], {});
    expect(forged.code, forged.stdout).toBe(1);
    expect(forged.stdout).toContain(
      `NOT OK: audit-trail.json (entry seq ${entry.seq}): entry ${entry.seq} (decision by sponsor on "gate-4"): its passkey did not approve what the entry shows`,
    );
  });

  it('refuses a passkey whose signature count went back (a copy of it signed), saying so once and in words', async () => {
    const runId = await runAtGate4('passkey-copied');
    const { context, page, cdp, authenticatorId } = await sponsorWithAuthenticator();
    await page.goto('/passkeys');
    await page.getByLabel(/Name/).fill('the original');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL(/\/passkeys\?added=/);
    // A copy of the passkey signed 100 times since (golive saw the count at 100); this device has not.
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    await app()
      .database.db.updateTable('passkeys')
      .set({ counter: 100 })
      .where('user_id', '=', 'sponsor')
      .where('label', '=', 'the original')
      .execute();

    await page.goto(`/runs/${runId}`);
    const form = page.locator('#decide-gate-4-form');
    await form.getByLabel(/Comment/).fill('business case holds');
    await form.getByRole('button', { name: 'Approve' }).click();
    const status = form.locator('.form-status');
    await expect
      .poll(() => status.textContent(), { timeout: 15_000 })
      .toContain('a copy of it may be in use elsewhere');
    const text = (await status.textContent()) ?? '';
    expect(text).not.toContain('Response counter value');
    expect(text.split('signature count did not go up')).toHaveLength(2);
    await screenshot(page, 'passkey-copy-refused');
    expect((await untilStep(runId, 'gate-4', 'waiting')).decisions.filter((d) => d.stepId === 'gate-4')).toEqual([]);
    await context.close();
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import type { TestApp } from './app';

/**
 * Debian's chromium driven by playwright-core (never a downloaded browser). Browser tests skip,
 * loudly, only when /usr/bin/chromium is absent; CI installs it.
 */

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM_PATH);
export const ARTIFACTS_DIR = path.resolve(__dirname, '../../test-artifacts/browser');

if (!hasChromium) {
  console.warn(
    `\n\n!!! ${CHROMIUM_PATH} is missing: the browser tests are SKIPPED. Install it: apt-get install -y chromium !!!\n\n`,
  );
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** A fresh browser context (own cookies) logged in through the login page. */
export async function loginAs(
  browser: Browser,
  baseUrl: string,
  user: string,
  password: string,
  viewport = { width: 1280, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('User id').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/runs/);
  return { context, page };
}

type Hooks = {
  beforeAll: (fn: () => Promise<void>, timeout?: number) => void;
  afterAll: (fn: () => Promise<void>) => void;
};

/**
 * beforeAll/afterAll for a browser test file (call it after useTestApp): one chromium, and `as`
 * logs a demo person in through the login page in a fresh context.
 */
export function useBrowser(hooks: Hooks, app: () => TestApp) {
  let browser: Browser | undefined;
  hooks.beforeAll(async () => {
    browser = await launchBrowser();
  });
  hooks.afterAll(async () => {
    await browser?.close();
  });
  return {
    as(id: string, viewport?: { width: number; height: number }) {
      const c = app().credentials[id];
      if (!c) throw new Error(`no demo user ${id}`);
      if (!browser) throw new Error('the browser is not launched yet');
      return loginAs(browser, app().url, c.id, c.password, viewport);
    },
  };
}

/**
 * A virtual platform authenticator for `page`'s context (DevTools WebAuthn domain) that verifies
 * the person, as a fingerprint would, and answers without a prompt.
 */
export async function addVirtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

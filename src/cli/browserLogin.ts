import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { CliError } from './errors';
import { say, type Io } from './output';

/**
 * `golive login --browser`: the person logs in to golive's web UI (password or single sign-on,
 * whatever the server offers) and hands the CLI an API token there. Like an OAuth native app
 * (RFC 8252): the CLI listens on 127.0.0.1 at a free port, opens the browser at golive's
 * `/auth/cli` page with a random `state` and the SHA-256 of a verifier only it knows; the page
 * sends the browser back to the CLI's address with a one-use code, and the CLI redeems code +
 * verifier for a token. Nothing secret travels in a URL that another program could redeem.
 */

const WAIT_MS = 5 * 60_000;

const tokenAnswer = z.object({
  token: z.string().min(1),
  expiresAt: z.string(),
  user: z.object({ id: z.string(), name: z.string(), roles: z.array(z.string()) }),
});
export type BrowserLoginResult = z.infer<typeof tokenAnswer>;

const random = () => randomBytes(32).toString('base64url');

/** Opens a URL with the desktop's opener; a failure only means the person opens it themselves. */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // printed below: the person opens it
  }
}

/** Waits for the browser to arrive at http://127.0.0.1:PORT/callback with the code for `state`. */
function listenForCode(state: string): Promise<{ port: number; code: Promise<string>; close: () => void }> {
  let deliver!: (code: string) => void;
  let fail!: (err: Error) => void;
  const code = new Promise<string>((resolve, reject) => ((deliver = resolve), (fail = reject)));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const got = url.searchParams.get('code');
    if (url.pathname !== '/callback' || url.searchParams.get('state') !== state || !got) {
      res
        .writeHead(400, { 'content-type': 'text/plain; charset=utf-8' })
        .end('This is not the login golive login is waiting for.');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
      .end('golive login has your token now: you can close this tab and go back to the terminal.');
    deliver(got);
  });
  const timer = setTimeout(
    () => fail(new CliError(`no login arrived within ${WAIT_MS / 60_000} minutes: run golive login --browser again`)),
    WAIT_MS,
  );
  timer.unref();
  const close = () => {
    clearTimeout(timer);
    server.close();
    server.closeAllConnections();
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port, code, close }));
  });
}

async function redeem(url: string, code: string, verifier: string): Promise<BrowserLoginResult> {
  let res: Response;
  try {
    res = await fetch(`${url}/api/cli-logins/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ code, verifier, label: 'golive login' }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new CliError(
      `cannot reach the golive server at ${url} (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  if (!res.ok) throw new CliError(`the server did not give a token: ${body?.error?.message ?? `HTTP ${res.status}`}`);
  const parsed = tokenAnswer.safeParse(body);
  if (!parsed.success)
    throw new CliError(
      `the server at ${url} answered the token request with something golive login does not understand`,
    );
  return parsed.data;
}

/** The whole ceremony; `open: false` only prints the address (a browser on another screen). */
export async function browserLogin(io: Io, url: string, opts: { open: boolean }): Promise<BrowserLoginResult> {
  const verifier = random();
  const state = random();
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const listener = await listenForCode(state);
  try {
    const page = `${url}/auth/cli?${new URLSearchParams({ port: String(listener.port), state, challenge })}`;
    say(
      io,
      `Log in in your browser and give the command line a token there. ${opts.open ? 'If no browser opens, visit' : 'Open'}:\n  ${page}`,
    );
    if (opts.open) openBrowser(page);
    return await redeem(url, await listener.code, verifier);
  } finally {
    listener.close();
  }
}

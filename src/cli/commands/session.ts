import { z } from 'zod';
import { ApiClient } from '../api';
import { defineCommand, jsonFlag } from '../args';
import { configPath, readConfigFile, tokenSchema, urlFrom, urlSchema, writeConfigFile } from '../config';
import { browserLogin } from '../browserLogin';
import { CliError, UsageError } from '../errors';
import { print, printJson, say, withSpinner, type Io } from '../output';

/** Who the CLI acts as: the token is read from stdin (or typed unseen), checked, then kept. */

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACE = ['\u007f', '\b'];

/** Reads a line from a terminal without echoing it: the token never appears on screen. */
function promptHidden(io: Io, prompt: string): Promise<string> {
  const { stdin } = io;
  io.stderr.write(prompt);
  stdin.setRawMode?.(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.setRawMode?.(false);
      stdin.pause();
      stdin.off('data', onData);
      io.stderr.write('\n');
    };
    const onData = (chunk: string | Buffer) => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n' || ch === CTRL_D) {
          finish();
          return resolve(value);
        }
        if (ch === CTRL_C) {
          finish();
          return reject(new CliError('cancelled'));
        }
        value = BACKSPACE.includes(ch) ? value.slice(0, -1) : value + ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

export const login = defineCommand({
  name: 'login',
  group: 'session',
  summary:
    'Save the server URL and an API token: through the browser (single sign-on or password), or a token you paste.',
  description:
    `On a terminal, golive login opens the browser: you log in to golive's web UI (single sign-on or\n` +
    `password) and give the command line a token there (valid GOLIVE_CLI_TOKEN_TTL, 7 days by default);\n` +
    `it comes back to this command on 127.0.0.1. --browser or --no-open logs in through the browser\n` +
    `wherever stdin is. --token asks for a token instead (typed unseen), and without those flags a\n` +
    `token piped on stdin is read as before. Both are checked with the server, then written to\n` +
    `${configPath({ HOME: '~' })} (mode 600). GOLIVE_URL and GOLIVE_TOKEN, when set, take precedence.`,
  options: {
    url: {
      type: 'string',
      value: 'URL',
      description: 'the golive server (default: GOLIVE_URL, the saved URL, or the local default)',
    },
    browser: { type: 'boolean', description: 'log in through the browser (the default on a terminal)' },
    'no-open': {
      type: 'boolean',
      description: 'log in through the browser, printing the address instead of opening one (stdin is not read)',
    },
    token: { type: 'boolean', description: 'ask for an API token instead of opening the browser' },
  },
  schema: z.object({
    url: urlSchema.optional(),
    browser: z.boolean().optional(),
    noOpen: z.boolean().optional(),
    token: z.boolean().optional(),
  }),
  examples: [
    'golive login --url https://golive.example.com',
    'golive login --browser --no-open',
    'echo "$TOKEN" | golive login',
  ],
  async run(input, { io }) {
    const saved = await readConfigFile(io.env);
    const url = input.url ?? urlFrom(io.env, saved);
    if (input.token === true && (input.browser === true || input.noOpen === true))
      throw new UsageError(
        '--token reads a token; --browser and --no-open log in through the browser: give one',
        'login',
      );
    // --no-open is the browser login too: a script that pipes stdin still meant the browser.
    const viaBrowser =
      input.browser === true || input.noOpen === true || (io.stdin.isTTY === true && input.token !== true);
    let token: string;
    if (viaBrowser) {
      token = (await browserLogin(io, url, { open: input.noOpen !== true })).token;
    } else {
      const raw = io.stdin.isTTY ? await promptHidden(io, `API token for ${url}: `) : await readAll(io.stdin);
      const parsed = tokenSchema.safeParse(raw);
      if (!parsed.success) throw new CliError(`no token saved: ${parsed.error.issues[0]?.message ?? 'invalid token'}`);
      token = parsed.data;
    }
    const api = new ApiClient({ url, token, tokenFrom: 'config' });
    const { user } = await withSpinner(io, `checking the token with ${url}…`, () => api.me());
    const file = await writeConfigFile(io.env, { ...saved, url, token });
    say(
      io,
      `logged in to ${url} as ${user.id} (${user.name}; roles ${user.roles.join(', ') || 'none'}); saved to ${file}`,
    );
  },
});

export const logout = defineCommand({
  name: 'logout',
  group: 'session',
  summary: 'Forget the saved token (the URL stays).',
  schema: z.object({}),
  async run(_input, { io }) {
    const { token: _forgotten, ...rest } = await readConfigFile(io.env);
    const file = await writeConfigFile(io.env, rest);
    say(io, `token removed from ${file}`);
  },
});

export const whoami = defineCommand({
  name: 'whoami',
  group: 'session',
  summary: 'Who the server says you are, and your roles.',
  options: { json: { type: 'boolean', description: 'print {user, via} as JSON' } },
  schema: z.object({ json: jsonFlag }),
  async run(input, ctx) {
    const api = await ctx.api();
    const me = await api.me();
    if (input.json) return printJson(ctx.io, { user: me.user, via: me.via });
    print(ctx.io, `${me.user.id} (${me.user.name}) at ${api.conn.url}; roles: ${me.user.roles.join(', ') || 'none'}`);
  },
});

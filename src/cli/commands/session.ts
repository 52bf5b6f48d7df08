import { z } from 'zod';
import { ApiClient } from '../api';
import { defineCommand, jsonFlag } from '../args';
import { configPath, readConfigFile, tokenSchema, urlFrom, urlSchema, writeConfigFile } from '../config';
import { CliError } from '../errors';
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
  summary: 'Save the server URL and your API token (checked with the server first).',
  description:
    `Reads the token from stdin, or asks for it without echo on a terminal, and writes both to\n` +
    `${configPath({ HOME: '~' })} (mode 600). GOLIVE_URL and GOLIVE_TOKEN, when set, take precedence.`,
  options: { url: { type: 'string', value: 'URL', description: 'the golive server (default: GOLIVE_URL, the saved URL, or the local default)' } },
  schema: z.object({ url: urlSchema.optional() }),
  examples: ['golive login --url https://golive.example.com', 'echo "$TOKEN" | golive login'],
  async run(input, { io }) {
    const saved = await readConfigFile(io.env);
    const url = input.url ?? urlFrom(io.env, saved);
    const raw = io.stdin.isTTY ? await promptHidden(io, `API token for ${url}: `) : await readAll(io.stdin);
    const token = tokenSchema.safeParse(raw);
    if (!token.success) throw new CliError(`no token saved: ${token.error.issues[0]?.message ?? 'invalid token'}`);
    const api = new ApiClient({ url, token: token.data, tokenFrom: 'config' });
    const { user } = await withSpinner(io, `checking the token with ${url}…`, () => api.me());
    const file = await writeConfigFile(io.env, { ...saved, url, token: token.data });
    say(io, `logged in to ${url} as ${user.id} (${user.name}; roles ${user.roles.join(', ') || 'none'}); saved to ${file}`);
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

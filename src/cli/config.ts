import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { configSchema } from '../config';
import { CliError } from './errors';

/**
 * Where the CLI finds the server and who it is. The URL: GOLIVE_URL, else the config file, else
 * the server's own default address. The identity: a bearer token from GOLIVE_TOKEN or the config
 * file, never a flag: a flag ends up in shell history and process lists, and anyone can type a
 * name — a token is something the server issued to one person.
 */

/** The server's defaults, read from its config schema so the two cannot disagree. */
const serverDefaults = configSchema.pick({ GOLIVE_HOST: true, GOLIVE_PORT: true }).parse({});
export const DEFAULT_URL = `http://${serverDefaults.GOLIVE_HOST}:${serverDefaults.GOLIVE_PORT}`;

export const urlSchema = z
  .url({ protocol: /^https?$/, message: `must be an http(s) URL like ${DEFAULT_URL}` })
  .transform((u) => u.replace(/\/+$/, ''));

export const tokenSchema = z
  .string()
  .trim()
  .min(1, 'the token is empty')
  .max(1000)
  .regex(/^\S+$/, 'a token has no spaces');

const configFileSchema = z.strictObject({ url: urlSchema.optional(), token: tokenSchema.optional() });
export type ConfigFile = z.infer<typeof configFileSchema>;

export function configPath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'golive', 'config.json');
}

export async function readConfigFile(env: NodeJS.ProcessEnv): Promise<ConfigFile> {
  const file = configPath(env);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not valid JSON: fix it, or run "golive login" to write it again`);
  }
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CliError(
      `${file} is not a golive config file`,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return parsed.data;
}

/** Mode 600 in a 700 folder: the token is a password. */
export async function writeConfigFile(env: NodeJS.ProcessEnv, config: ConfigFile): Promise<string> {
  const file = configPath(env);
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await fs.writeFile(file, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  // writeFile's mode applies only when it creates the file; an older file may be looser.
  await fs.chmod(file, 0o600);
  return file;
}

export interface Connection {
  url: string;
  token?: string;
  /** Where the token came from, so a refusal can say which one to fix. */
  tokenFrom?: 'GOLIVE_TOKEN' | 'config';
}

/** GOLIVE_URL, else the config file's URL, else the server's default address. */
export function urlFrom(env: NodeJS.ProcessEnv, file: ConfigFile): string {
  if (!env.GOLIVE_URL) return file.url ?? DEFAULT_URL;
  const parsed = urlSchema.safeParse(env.GOLIVE_URL);
  if (!parsed.success) throw new CliError(`GOLIVE_URL: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export async function resolveConnection(env: NodeJS.ProcessEnv): Promise<Connection> {
  const file = await readConfigFile(env);
  const url = urlFrom(env, file);
  if (env.GOLIVE_TOKEN !== undefined && env.GOLIVE_TOKEN !== '') {
    const parsed = tokenSchema.safeParse(env.GOLIVE_TOKEN);
    if (!parsed.success) throw new CliError(`GOLIVE_TOKEN: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return { url, token: parsed.data, tokenFrom: 'GOLIVE_TOKEN' };
  }
  return file.token ? { url, token: file.token, tokenFrom: 'config' } : { url };
}

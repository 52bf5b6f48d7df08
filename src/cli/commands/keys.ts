import path from 'node:path';
import { z } from 'zod';
import { configSchema } from '../../config';
import { Keyring, SIGNING_KEYS_DIR } from '../../signing/keyring';
import { defineCommand, jsonFlag } from '../args';
import { print, printJson, say } from '../output';

/**
 * The server's signing keys, on the machine that runs the golive server (no API: whoever may
 * rotate keys may read its data folder). Rotation adds a key and makes it current; runs keep the
 * key they pinned at start, so old keys stay until no open run pinned them.
 */

const keysDirOption = {
  'keys-dir': {
    type: 'string',
    value: 'DIR',
    description: 'the signing keys folder (default: GOLIVE_SIGNING_KEYS_DIR, or signing-keys under GOLIVE_DATA_DIR)',
  },
} as const;

function keysDir(given: string | undefined): string {
  if (given) return given;
  const env = configSchema.pick({ GOLIVE_DATA_DIR: true, GOLIVE_SIGNING_KEYS_DIR: true }).parse({
    ...(process.env.GOLIVE_DATA_DIR ? { GOLIVE_DATA_DIR: process.env.GOLIVE_DATA_DIR } : {}),
    ...(process.env.GOLIVE_SIGNING_KEYS_DIR ? { GOLIVE_SIGNING_KEYS_DIR: process.env.GOLIVE_SIGNING_KEYS_DIR } : {}),
  });
  return env.GOLIVE_SIGNING_KEYS_DIR ?? path.join(env.GOLIVE_DATA_DIR, SIGNING_KEYS_DIR);
}

export const keysList = defineCommand({
  name: 'keys list',
  group: 'keys',
  summary: "List the server's signing keys (current first), creating the first one if there is none.",
  options: { ...keysDirOption, json: { type: 'boolean', description: 'print the keys as JSON' } },
  schema: z.object({ keysDir: z.string().min(1).optional(), json: jsonFlag }),
  examples: ['golive keys list', 'golive keys list --keys-dir /etc/golive/signing-keys --json'],
  async run(input, ctx) {
    const ring = Keyring.loadOrCreate(keysDir(input.keysDir));
    const keys = ring.publicKeys();
    if (input.json) return void printJson(ctx.io, { current: ring.current.keyId, keys });
    for (const k of keys)
      print(ctx.io, `${k.keyId}  ${k.algorithm}  ${k.publicKey}${k.keyId === ring.current.keyId ? '  (current)' : ''}`);
  },
});

export const keysRotate = defineCommand({
  name: 'keys rotate',
  group: 'keys',
  summary: 'Create a new signing key and make it current; restart the server to use it.',
  options: keysDirOption,
  schema: z.object({ keysDir: z.string().min(1).optional() }),
  examples: ['golive keys rotate'],
  async run(input, ctx) {
    const dir = keysDir(input.keysDir);
    const keyId = Keyring.rotate(dir);
    print(ctx.io, keyId);
    say(
      ctx.io,
      `new current key ${keyId} in ${dir}; restart golive. Keep the older keys while open runs pinned them (the run page names its key).`,
    );
  },
});

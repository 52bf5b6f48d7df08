import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { GoLiveInput } from '../contract/definitions';
import {
  envelopeBytes,
  envelopeOf,
  START_MESSAGE,
  startPayload,
  type MessageSignature,
  type PinnedKey,
} from '../contract/signedMessages';

/**
 * The golive server's Ed25519 signing keys. Every message the server sends to a run is signed
 * with a key the run pinned at start; the workflow refuses anything else. Keys live in one
 * folder (mode 700), one PKCS#8 PEM file per key (mode 600), plus `current`, naming the key new
 * runs pin. Rotation adds a key and makes it current; older keys stay to sign for the runs that
 * pinned them, and are removed only when no open run pinned them (see the README). Web servers
 * that serve the same runs share the folder (a mounted secret or volume).
 */

/** The keys' folder under the data folder, unless GOLIVE_SIGNING_KEYS_DIR names another. */
export const SIGNING_KEYS_DIR = 'signing-keys';
const CURRENT_FILE = 'current';
const KEY_FILE = /^ed25519-([0-9a-f]{16})\.pem$/;

export interface HeldKey {
  keyId: string;
  pinned: PinnedKey;
  privateKey: KeyObject;
}

class SigningKeyError extends Error {
  override name = 'SigningKeyError';
}

function rawPublicKey(key: KeyObject): Buffer {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new SigningKeyError('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

function keyIdOf(rawPublic: Uint8Array): string {
  return createHash('sha256').update(rawPublic).digest('hex').slice(0, 16);
}

function held(privateKey: KeyObject): HeldKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new SigningKeyError('signing keys must be Ed25519');
  const raw = rawPublicKey(privateKey);
  const keyId = keyIdOf(raw);
  return { keyId, privateKey, pinned: { keyId, algorithm: 'ed25519', publicKey: raw.toString('hex') } };
}

export class Keyring {
  private constructor(
    private readonly dir: string,
    private keys: ReadonlyMap<string, HeldKey>,
    readonly current: HeldKey,
  ) {}

  /**
   * Loads the folder's keys, creating the folder and a first key when there is none. Several
   * web servers may share the folder and start at once: the first to name its key `current`
   * wins, and the others drop the key they made and load the winner's.
   */
  static loadOrCreate(dir: string): Keyring {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    const currentFile = path.join(dir, CURRENT_FILE);
    if (!fs.existsSync(currentFile)) Keyring.claimFirstKey(dir, currentFile);
    const keys = Keyring.readKeys(dir);
    const named = fs.readFileSync(currentFile, 'utf8').trim();
    const current = keys.get(named);
    if (!current) throw new SigningKeyError(`${currentFile} names key ${named}, which is not in ${dir}`);
    return new Keyring(dir, keys, current);
  }

  /** The pointer appears whole or not at all (written aside, then linked into place). */
  private static claimFirstKey(dir: string, currentFile: string): void {
    const key = Keyring.createKey(dir);
    const aside = `${currentFile}.${key.keyId}`;
    fs.writeFileSync(aside, `${key.keyId}\n`, { mode: 0o600 });
    try {
      fs.linkSync(aside, currentFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      fs.rmSync(path.join(dir, `ed25519-${key.keyId}.pem`), { force: true });
    } finally {
      fs.rmSync(aside, { force: true });
    }
  }

  private static readKeys(dir: string): Map<string, HeldKey> {
    const keys = new Map<string, HeldKey>();
    for (const name of fs.readdirSync(dir)) {
      if (!KEY_FILE.test(name)) continue;
      const key = held(createPrivateKey(fs.readFileSync(path.join(dir, name))));
      keys.set(key.keyId, key);
    }
    return keys;
  }

  /** A new key, written to the folder and made current. Returns its id. */
  static rotate(dir: string): string {
    Keyring.loadOrCreate(dir);
    const key = Keyring.createKey(dir);
    // Renamed into place, so a server starting meanwhile reads the old pointer or the new one.
    const aside = path.join(dir, `${CURRENT_FILE}.${key.keyId}`);
    fs.writeFileSync(aside, `${key.keyId}\n`, { mode: 0o600 });
    fs.renameSync(aside, path.join(dir, CURRENT_FILE));
    return key.keyId;
  }

  private static createKey(dir: string): HeldKey {
    const { privateKey } = generateKeyPairSync('ed25519');
    const key = held(privateKey);
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
    fs.writeFileSync(path.join(dir, `ed25519-${key.keyId}.pem`), pem, { mode: 0o600, flag: 'wx' });
    return key;
  }

  /** Public keys, current first: what `GET /api/signing-keys` publishes for auditors. */
  publicKeys(): PinnedKey[] {
    return [this.current.pinned, ...[...this.keys.values()].filter((k) => k !== this.current).map((k) => k.pinned)];
  }

  get(keyId: string): HeldKey | undefined {
    return this.keys.get(keyId);
  }

  /** The first key this server holds among those a run pinned (read again from the folder once if none: another server may have rotated). */
  keyFor(pinned: readonly string[]): HeldKey | undefined {
    const find = () => pinned.map((id) => this.keys.get(id)).find((k) => k !== undefined);
    const found = find();
    if (found) return found;
    this.keys = Keyring.readKeys(this.dir);
    return find();
  }
}

/** Signs a message for a run: the envelope's canonical bytes with the key's Ed25519. */
export function signMessage(
  key: HeldKey,
  runId: string,
  message: string,
  payload: object,
  at = new Date(),
): MessageSignature {
  const meta = { keyId: key.keyId, at: at.toISOString(), nonce: randomBytes(18).toString('base64url') };
  // JSON drops undefined fields on the way to the workflow: sign exactly what it will see.
  const sent = JSON.parse(JSON.stringify(payload)) as unknown;
  const value = sign(null, envelopeBytes(envelopeOf(runId, message, sent, meta)), key.privateKey).toString('hex');
  return { ...meta, value };
}

/** A message with its signature attached, ready to send. */
export function signed<T extends object>(
  key: HeldKey,
  runId: string,
  message: string,
  payload: T,
  at?: Date,
): T & { signature: MessageSignature } {
  return { ...payload, signature: signMessage(key, runId, message, payload, at) };
}

/** A run's input with the key pinned and golive's signature over it (what `golive verify` checks). */
export function signRunInput(key: HeldKey, workflowId: string, input: GoLiveInput): GoLiveInput {
  const payload = startPayload({ ...input, signing: { keys: [key.pinned] } });
  return {
    ...input,
    signing: { keys: [key.pinned], startSignature: signMessage(key, workflowId, START_MESSAGE, payload) },
  };
}

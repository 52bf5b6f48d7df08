import { createHash, createPublicKey, type JsonWebKey } from 'node:crypto';
import type { Kysely } from 'kysely';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport as AuthenticatorTransportFuture,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { decodeCredentialPublicKey } from '@simplewebauthn/server/helpers';
import type { Tables } from '../db/tables';

/**
 * People's passkeys (WebAuthn credentials) and the two ceremonies golive runs with them, on
 * @simplewebauthn/server: registering one (attestation "none": golive trusts the person's fresh
 * login, not a vendor's certificate), and asserting with one over a challenge golive chooses —
 * for a decision, the challenge derived from the decision itself (src/contract/passkeyBinding.ts).
 * Each key is kept as the authenticator gave it (COSE) and as SPKI, which node:crypto reads: the
 * SPKI travels with every assertion, so `golive verify` checks it offline.
 */

/** ES256, EdDSA, RS256: what node:crypto (and so `golive verify`) checks. */
const SUPPORTED_ALGORITHMS = [-7, -8, -257];
const CEREMONY_TIMEOUT_MS = 120_000;

export interface StoredPasskey {
  credentialId: string;
  userId: string;
  label: string;
  publicKeyCose: Uint8Array<ArrayBuffer>;
  spki: string;
  algorithm: number;
  counter: number;
  transports: AuthenticatorTransportFuture[];
  createdAt: string;
  lastUsedAt?: string;
}

/** What a person sees of their passkeys. */
export interface PasskeySummary {
  credentialId: string;
  label: string;
  algorithm: number;
  createdAt: string;
  lastUsedAt?: string;
}

export const summaryOf = (p: StoredPasskey): PasskeySummary => ({
  credentialId: p.credentialId,
  label: p.label,
  algorithm: p.algorithm,
  createdAt: p.createdAt,
  ...(p.lastUsedAt ? { lastUsedAt: p.lastUsedAt } : {}),
});

/** Where the ceremony happens: the relying party id and the page origin passkeys are bound to. */
export interface RelyingParty {
  rpId: string;
  origin: string;
}

export class PasskeyError extends Error {
  override name = 'PasskeyError';
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const bytesOf = (text: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(text, 'base64url'));

/** A COSE public key (EC2 P-256, OKP Ed25519 or RSA) as SPKI DER, and its algorithm. */
function coseToSpki(cose: Uint8Array<ArrayBuffer>): { spki: string; algorithm: number } {
  const key = decodeCredentialPublicKey(cose) as Map<number, number | Uint8Array>;
  const kty = key.get(1);
  const algorithm = key.get(3);
  const part = (label: number) => {
    const v = key.get(label);
    if (!(v instanceof Uint8Array)) throw new PasskeyError('the passkey public key is incomplete');
    return b64(v);
  };
  let jwk: JsonWebKey;
  if (kty === 2 && key.get(-1) === 1) jwk = { kty: 'EC', crv: 'P-256', x: part(-2), y: part(-3) };
  else if (kty === 1 && key.get(-1) === 6) jwk = { kty: 'OKP', crv: 'Ed25519', x: part(-2) };
  else if (kty === 3) jwk = { kty: 'RSA', n: part(-1), e: part(-2) };
  else throw new PasskeyError('the passkey uses a key type golive does not check (use ES256, EdDSA or RS256)');
  if (typeof algorithm !== 'number' || !SUPPORTED_ALGORITHMS.includes(algorithm))
    throw new PasskeyError(`the passkey's algorithm ${String(algorithm)} is not one golive checks`);
  return { spki: b64(createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' })), algorithm };
}

export class PasskeyStore {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly now: () => number = Date.now,
  ) {}

  private static toStored(row: Tables['passkeys']): StoredPasskey {
    return {
      credentialId: row.credential_id,
      userId: row.user_id,
      label: row.label,
      publicKeyCose: bytesOf(row.public_key_cose),
      spki: row.public_key_spki,
      algorithm: row.algorithm,
      counter: Number(row.counter),
      transports: JSON.parse(row.transports) as AuthenticatorTransportFuture[],
      createdAt: new Date(Number(row.created_at)).toISOString(),
      ...(row.last_used_at !== null ? { lastUsedAt: new Date(Number(row.last_used_at)).toISOString() } : {}),
    };
  }

  async list(userId: string): Promise<StoredPasskey[]> {
    const rows = await this.db
      .selectFrom('passkeys')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute();
    return rows.map(PasskeyStore.toStored);
  }

  async get(credentialId: string): Promise<StoredPasskey | undefined> {
    const row = await this.db
      .selectFrom('passkeys')
      .selectAll()
      .where('credential_id', '=', credentialId)
      .executeTakeFirst();
    return row ? PasskeyStore.toStored(row) : undefined;
  }

  async add(p: Omit<StoredPasskey, 'createdAt' | 'lastUsedAt'>): Promise<StoredPasskey> {
    const created = this.now();
    await this.db
      .insertInto('passkeys')
      .values({
        credential_id: p.credentialId,
        user_id: p.userId,
        label: p.label,
        public_key_cose: b64(p.publicKeyCose),
        public_key_spki: p.spki,
        algorithm: p.algorithm,
        counter: p.counter,
        transports: JSON.stringify(p.transports),
        created_at: created,
        last_used_at: null,
      })
      .execute();
    return { ...p, createdAt: new Date(created).toISOString() };
  }

  /** Removes one of the person's own passkeys; false when they have none by that id. */
  async remove(userId: string, credentialId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('passkeys')
      .where('credential_id', '=', credentialId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async used(credentialId: string, counter: number): Promise<void> {
    await this.db
      .updateTable('passkeys')
      .set({ counter, last_used_at: this.now() })
      .where('credential_id', '=', credentialId)
      .execute();
  }
}

/** The options a browser needs to create a passkey for this person. */
export function registrationOptions(
  rp: RelyingParty,
  person: { id: string; name: string },
  existing: readonly StoredPasskey[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: 'golive',
    rpID: rp.rpId,
    userName: person.id,
    userDisplayName: person.name,
    // A stable handle that is not the person's id in clear.
    userID: new Uint8Array(createHash('sha256').update(`golive-user\n${person.id}`).digest()),
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
    supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    timeout: CEREMONY_TIMEOUT_MS,
  });
}

/** Checks a new passkey's attestation against the challenge golive issued; returns what to store. */
export async function verifiedRegistration(
  rp: RelyingParty,
  challenge: string,
  response: RegistrationResponseJSON,
): Promise<Omit<StoredPasskey, 'userId' | 'label' | 'createdAt'>> {
  const result = await verifyRegistrationResponse({
    response,
    expectedChallenge: challenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.rpId,
    requireUserVerification: true,
  }).catch((err: unknown) => {
    throw new PasskeyError(
      `the new passkey could not be verified: ${err instanceof Error ? err.message : String(err)}`,
    );
  });
  if (!result.verified) throw new PasskeyError('the new passkey could not be verified');
  const { credential } = result.registrationInfo;
  return {
    credentialId: credential.id,
    publicKeyCose: credential.publicKey,
    ...coseToSpki(credential.publicKey),
    counter: credential.counter,
    transports: (credential.transports ?? []) as AuthenticatorTransportFuture[],
  };
}

/** The options for an assertion over `challenge` (raw bytes) by one of the person's passkeys. */
export function assertionOptions(
  rp: RelyingParty,
  challenge: Uint8Array<ArrayBuffer>,
  passkeys: readonly StoredPasskey[],
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.rpId,
    challenge,
    allowCredentials: passkeys.map((p) => ({ id: p.credentialId, transports: p.transports })),
    userVerification: 'required',
    timeout: CEREMONY_TIMEOUT_MS,
  });
}

/** Checks an assertion (signature, challenge, origin, relying party, user verification, counter); returns the new counter. */
export async function verifiedAssertion(
  rp: RelyingParty,
  challenge: string,
  passkey: StoredPasskey,
  response: AuthenticationResponseJSON,
): Promise<number> {
  const result = await verifyAuthenticationResponse({
    response,
    expectedChallenge: challenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.rpId,
    credential: {
      id: passkey.credentialId,
      publicKey: passkey.publicKeyCose,
      counter: passkey.counter,
      transports: passkey.transports,
    },
    requireUserVerification: true,
  }).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    // WebAuthn's clone check: a device counts its signatures; a count that did not go up means
    // another copy of this passkey signed since (or the device was restored from a backup).
    const counter = /counter value (\d+) was lower than expected (\d+)/.exec(message);
    if (counter)
      throw new PasskeyError(
        `this passkey's signature count did not go up (${counter[1]}, after ${counter[2]}): a copy of it may be in use elsewhere, so golive does not accept it; decide with another of your passkeys, and tell your security team`,
      );
    throw new PasskeyError(`the passkey's signature could not be verified: ${message}`);
  });
  if (!result.verified) throw new PasskeyError("the passkey's signature could not be verified");
  return result.authenticationInfo.newCounter;
}

import net from 'node:net';
import { z } from 'zod';
import { ConfigError } from '../config';

/**
 * Single sign-on through a trusted reverse proxy: the proxy authenticates people and passes their
 * user id in a header. golive believes that header only from the configured networks (the
 * proxy's addresses); from anywhere else it is ignored. Roles still come from the users file.
 */

export interface TrustedProxy {
  /** Lower-case header name, e.g. `x-forwarded-user`. */
  header: string;
  allow: net.BlockList;
  cidrs: string[];
}

const cidrPattern = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/;

export const trustedProxyEnvSchema = z
  .object({
    GOLIVE_TRUSTED_PROXY_HEADER: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name')
      .optional(),
    GOLIVE_TRUSTED_PROXY_CIDRS: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.GOLIVE_TRUSTED_PROXY_HEADER && !env.GOLIVE_TRUSTED_PROXY_CIDRS) {
      ctx.addIssue({
        code: 'custom',
        path: ['GOLIVE_TRUSTED_PROXY_CIDRS'],
        message: 'required with GOLIVE_TRUSTED_PROXY_HEADER',
      });
    }
    for (const cidr of splitList(env.GOLIVE_TRUSTED_PROXY_CIDRS)) {
      if (!parseCidr(cidr))
        ctx.addIssue({ code: 'custom', path: ['GOLIVE_TRUSTED_PROXY_CIDRS'], message: `"${cidr}" is not a CIDR` });
    }
  });

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const m = cidrPattern.exec(cidr);
  if (!m?.[1] || !m[2]) return undefined;
  const version = net.isIP(m[1]);
  const prefix = Number(m[2]);
  if (version === 4 && prefix <= 32) return { address: m[1], prefix, family: 'ipv4' };
  if (version === 6 && prefix <= 128) return { address: m[1], prefix, family: 'ipv6' };
  return undefined;
}

export function createTrustedProxy(header: string, cidrs: string[]): TrustedProxy {
  const allow = new net.BlockList();
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (!parsed) throw new Error(`"${cidr}" is not a CIDR (e.g. 10.0.0.0/8 or ::1/128)`);
    allow.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return { header: header.toLowerCase(), allow, cidrs };
}

/** Reads GOLIVE_TRUSTED_PROXY_HEADER / _CIDRS; undefined when not configured. */
export function trustedProxyFromEnv(env: NodeJS.ProcessEnv = process.env): TrustedProxy | undefined {
  const result = trustedProxyEnvSchema.safeParse(env);
  if (!result.success) {
    // A ConfigError: `npm start` prints it as one line naming the variable, like every bad setting.
    throw new ConfigError(
      `invalid configuration: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const header = result.data.GOLIVE_TRUSTED_PROXY_HEADER;
  return header ? createTrustedProxy(header, splitList(result.data.GOLIVE_TRUSTED_PROXY_CIDRS)) : undefined;
}

/** True when the connection comes from a trusted proxy (IPv4-mapped IPv6 addresses included). */
export function isTrustedPeer(proxy: TrustedProxy, remoteAddress: string | undefined): boolean {
  if (!remoteAddress) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  const address = mapped?.[1] ?? remoteAddress;
  const family = net.isIP(address) === 4 ? 'ipv4' : 'ipv6';
  return proxy.allow.check(address, family);
}

/**
 * The address a request comes from, for throttling: the peer itself, or — when the peer is the
 * trusted proxy — the right-most X-Forwarded-For address that is not one of the proxy's own
 * (entries further left were written by the client and can be anything it likes).
 */
export function clientAddress(
  req: { socket: { remoteAddress?: string | undefined }; headers: Record<string, string | string[] | undefined> },
  proxy: TrustedProxy | undefined,
): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (!proxy || !isTrustedPeer(proxy, peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter((s) => net.isIP(s) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (!isTrustedPeer(proxy, hop)) return hop;
  }
  return hops[0] ?? peer;
}

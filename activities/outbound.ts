import dns from 'node:dns/promises';
import net from 'node:net';
import { Agent, buildConnector } from 'undici';
import type { OutboundPolicy } from '../src/outbound/allowlist';

/**
 * The outbound policy where connections are made. The start check read the hosts a run names;
 * here every address actually dialled is checked: the DNS answer of a host name (an allowed
 * name that resolves into loopback or link-local is refused), and every hop of a redirect (the
 * HTTP client's connector sees each new origin). Actions connect to the address checked here,
 * never resolve the name a second time, so a DNS answer cannot change in between.
 */

export class DestinationRefused extends Error {
  override name = 'DestinationRefused';
}

export interface Dial {
  address: string;
  family: 4 | 6;
}

/** The address to connect to for host:port, or DestinationRefused. */
export async function dialAddress(policy: OutboundPolicy, host: string, port: number): Promise<Dial> {
  const bare = host.replace(/^\[|\]$/g, '');
  const literal = net.isIP(bare);
  if (literal !== 0) {
    if (!policy.allowsAddress(bare, port))
      throw new DestinationRefused(`${host}:${port} is not an allowed destination; ${policy.describe()}`);
    return { address: bare, family: literal as 4 | 6 };
  }
  // Host names are allowed by name; one the policy does not list is refused before DNS is asked.
  if (!policy.allowsName(bare, port))
    throw new DestinationRefused(`${host}:${port} is not an allowed destination; ${policy.describe()}`);
  const answers = await dns.lookup(bare, { all: true, verbatim: true });
  const forbidden = answers.find((a) => !policy.allowsAddress(a.address, port, true));
  if (forbidden) {
    throw new DestinationRefused(
      `${host} resolves to ${forbidden.address}, which is not an allowed destination (loopback, link-local and other special addresses need an IP entry); ${policy.describe()}`,
    );
  }
  const first = answers[0];
  if (!first) throw new DestinationRefused(`${host} has no address`);
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

export function isDestinationRefused(error: unknown): DestinationRefused | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof DestinationRefused) return e;
  }
  return undefined;
}

const agents = new WeakMap<OutboundPolicy, Map<boolean, Agent>>();

/**
 * An HTTP dispatcher whose every connection (first request and each redirect) goes to an
 * address the policy allows. TLS still verifies the certificate against the host name.
 */
export function guardedAgent(policy: OutboundPolicy, insecureTls = false): Agent {
  const byTls = agents.get(policy) ?? new Map<boolean, Agent>();
  agents.set(policy, byTls);
  const existing = byTls.get(insecureTls);
  if (existing) return existing;
  const connectTo = buildConnector(insecureTls ? { rejectUnauthorized: false } : {});
  const agent = new Agent({
    connect: (opts, callback) => {
      const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
      const servername = net.isIP(opts.hostname.replace(/^\[|\]$/g, '')) === 0 ? opts.hostname : undefined;
      dialAddress(policy, opts.hostname, port).then(
        ({ address }) => connectTo({ ...opts, hostname: address, ...(servername ? { servername } : {}) }, callback),
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), null),
      );
    },
  });
  byTls.set(insecureTls, agent);
  return agent;
}

/**
 * A URL rewritten to the checked address, for clients that resolve names themselves (the load
 * generator): the Host header and TLS server name keep the original host.
 */
export async function pinnedUrl(
  policy: OutboundPolicy,
  text: string,
): Promise<{ url: string; host: string; servername?: string }> {
  const url = new URL(text);
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const { address, family } = await dialAddress(policy, url.hostname, port);
  const { host, hostname } = url;
  url.hostname = family === 6 ? `[${address}]` : address;
  return {
    url: url.toString(),
    host,
    ...(net.isIP(hostname.replace(/^\[|\]$/g, '')) === 0 ? { servername: hostname } : {}),
  };
}

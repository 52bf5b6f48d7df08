import net from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where runbook actions may connect: the operator's allowlist (`GOLIVE_OUTBOUND_ALLOW`), or, when
 * it is unset, the embedded default (the sandbox's port on loopback, nothing else). Pure: the
 * start check asks it about the hosts written in a run's parameters, the activities ask it again
 * about every address they actually dial (DNS answers and redirects included).
 *
 * Entries, separated by commas or spaces, each optionally followed by `:port` or `:low-high`:
 * - a host name (`api.example.com`) or every subdomain of one (`*.example.com`);
 * - an IP address (`10.0.0.5`, `[fd00::5]`) or a CIDR range (`10.0.0.0/8`, `[fd00::]/8`);
 * - `*`: any host name and any IP address outside the special ranges below.
 *
 * A host name is allowed by a name entry (or `*`); IP and CIDR entries match addresses written
 * as such. When a listed name is dialled, every address of its DNS answer must be outside the
 * special ranges below, or inside an IP entry that opens them.
 *
 * Special ranges (loopback, link-local with the cloud metadata address, unspecified, multicast,
 * reserved) are never reached through a host name or a wide range: only an IP entry that lies
 * inside such a range opens it (`127.0.0.1:8410` does; `0.0.0.0/0` and `*` do not). So a DNS
 * answer or a redirect cannot lead an allowed name to the worker's own loopback services.
 */

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Address, number];
type Ports = { low: number; high: number } | undefined;

type Entry =
  | { kind: 'any'; text: string; ports: Ports }
  | { kind: 'name'; text: string; ports: Ports; name: string; subdomains: boolean }
  | { kind: 'range'; text: string; ports: Ports; range: Range; opensSpecial: boolean };

const SPECIAL_RANGES: Range[] = [
  '0.0.0.0/8',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  'fe80::/10',
  'ff00::/8',
  // AWS's IPv6 instance metadata address sits in the unique-local range.
  'fd00:ec2::254/128',
].map((cidr) => ipaddr.parseCIDR(cidr));

const within = (a: Address, [base, bits]: Range): boolean => a.kind() === base.kind() && a.match(base, bits);

export class OutboundConfigError extends Error {
  override name = 'OutboundConfigError';
}

const hostNamePattern = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function parsePorts(text: string | undefined, entry: string): Ports {
  if (text === undefined) return undefined;
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  const low = Number(m?.[1]);
  const high = m?.[2] === undefined ? low : Number(m[2]);
  if (!m || low < 1 || high > 65535 || low > high)
    throw new OutboundConfigError(`"${entry}": the port must be 1-65535 or a range low-high`);
  return { low, high };
}

/** `host`, `host:port`, `[v6]:port`, `[v6]/bits:port`, or a bare IPv6 address or range. */
function splitEntry(entry: string): { host: string; ports: string | undefined } {
  const bracketed = /^\[([^\]]+)\](\/\d{1,3})?(?::(.+))?$/.exec(entry);
  if (bracketed) return { host: `${bracketed[1]}${bracketed[2] ?? ''}`, ports: bracketed[3] };
  if ((entry.match(/:/g) ?? []).length > 1) return { host: entry, ports: undefined };
  const [host = '', ports] = entry.split(':');
  return { host, ports };
}

/** A range as written; IPv4-mapped IPv6 ranges become the IPv4 range they are. */
function parseRange(cidr: string, entry: string): Range {
  try {
    const [base, bits] = ipaddr.parseCIDR(cidr);
    if (base instanceof ipaddr.IPv6 && base.isIPv4MappedAddress())
      return [base.toIPv4Address(), Math.max(0, bits - 96)];
    return [base, bits];
  } catch {
    throw new OutboundConfigError(`"${entry}" is not an IP address or CIDR range`);
  }
}

function parseEntry(entry: string): Entry {
  const { host, ports: portText } = splitEntry(entry);
  const ports = parsePorts(portText, entry);
  if (host === '*') return { kind: 'any', text: entry, ports };
  const version = net.isIP(host);
  if (version !== 0 || host.includes('/')) {
    const range = parseRange(version === 0 ? host : `${host}/${version === 4 ? 32 : 128}`, entry);
    const opensSpecial = SPECIAL_RANGES.some((s) => within(range[0], s) && range[1] >= s[1]);
    return { kind: 'range', text: entry, ports, range, opensSpecial };
  }
  const name = host.toLowerCase().replace(/\.$/, '');
  if (!hostNamePattern.test(name))
    throw new OutboundConfigError(`"${entry}" is not a host name, IP address or CIDR range`);
  return { kind: 'name', text: entry, ports, name: name.replace(/^\*\./, ''), subdomains: name.startsWith('*.') };
}

const portMatches = (ports: Ports, port: number): boolean =>
  ports === undefined || (port >= ports.low && port <= ports.high);

export class OutboundPolicy {
  private constructor(
    private readonly entries: readonly Entry[],
    /** Where the list came from, for messages: the variable, or "the embedded default". */
    readonly source: string,
  ) {}

  /** Parses an allowlist; throws OutboundConfigError naming the bad entry. */
  static parse(list: string, source = 'GOLIVE_OUTBOUND_ALLOW'): OutboundPolicy {
    const entries = list
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(parseEntry);
    return new OutboundPolicy(entries, source);
  }

  /** The entries as written, for messages and the start banner. */
  describe(): string {
    const list = this.entries.map((e) => e.text).join(', ');
    return list ? `${this.source} allows ${list}` : `${this.source} allows no destination`;
  }

  /** A host name allowed by name (its addresses are checked when it is dialled). */
  allowsName(host: string, port: number): boolean {
    const name = host.toLowerCase().replace(/\.$/, '');
    return this.entries.some((e) => {
      if (!portMatches(e.ports, port)) return false;
      if (e.kind === 'any') return true;
      return e.kind === 'name' && (e.subdomains ? name.endsWith(`.${e.name}`) : name === e.name);
    });
  }

  /**
   * May a connection go to this IP address? `viaAllowedName`: it is the DNS answer for a host
   * name this policy allows, which opens every address but the special ranges.
   */
  allowsAddress(address: string, port: number, viaAllowedName = false): boolean {
    const a = ipaddr.process(address);
    const special = SPECIAL_RANGES.some((r) => within(a, r));
    const byRange = this.entries.some(
      (e) => e.kind === 'range' && portMatches(e.ports, port) && within(a, e.range) && (!special || e.opensSpecial),
    );
    if (byRange) return true;
    if (special) return false;
    return viaAllowedName || this.entries.some((e) => e.kind === 'any' && portMatches(e.ports, port));
  }

  /** The start check (no DNS): why `host:port` is refused, or undefined when it is allowed. */
  refusal(host: string, port: number): string | undefined {
    const bare = host.replace(/^\[|\]$/g, '');
    const allowed = net.isIP(bare) !== 0 ? this.allowsAddress(bare, port) : this.allowsName(bare, port);
    return allowed ? undefined : `${host}:${port} is not an allowed destination; ${this.describe()}`;
  }
}

// The client's address on Node: the socket's peer, or, when that peer is a
// proxy the config trusts (server.trustedProxies), the right-most address in
// X-Forwarded-For that is not itself a trusted proxy. Anything left of it was
// written by the client (or a proxy it chose) and proves nothing: taking the
// left-most entry would let any client name itself, and so dodge the limit on
// failed credential checks per address (src/proxy/auth/failed-checks.ts).
// Without trusted proxies, X-Forwarded-For is never read.
import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";
import type { Client } from "../http/client.js";

/** server.trustedProxies: addresses and CIDR ranges, IPv4 and IPv6 (node:net's BlockList does the matching). */
export class TrustedProxies {
  readonly size: number;
  private readonly list = new BlockList();

  constructor(entries: readonly string[]) {
    this.size = entries.length;
    for (const entry of entries) {
      const slash = entry.indexOf("/");
      const address = slash < 0 ? entry : entry.slice(0, slash);
      const family = isIP(address);
      if (family === 0) throw new Error(`server.trustedProxies: ${JSON.stringify(entry)} is not an IP address or CIDR range`);
      const type = family === 4 ? "ipv4" : "ipv6";
      if (slash < 0) this.list.addAddress(address, type);
      else this.list.addSubnet(address, Number(entry.slice(slash + 1)), type);
    }
  }

  /** Whether `address` (a valid IPv4 or IPv6 address; IPv4-mapped IPv6 counts as its IPv4) is a trusted proxy. */
  has(address: string): boolean {
    if (this.size === 0) return false;
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 4 ? "ipv4" : "ipv6");
  }
}

const NONE = new TrustedProxies([]);
const made = new WeakMap<readonly string[], TrustedProxies>();

/** The matcher for a config's list, made once per list (a reload brings a new one). */
export function trustedProxies(entries: readonly string[] | undefined): TrustedProxies {
  if (entries === undefined || entries.length === 0) return NONE;
  let trusted = made.get(entries);
  if (!trusted) {
    trusted = new TrustedProxies(entries);
    made.set(entries, trusted);
  }
  return trusted;
}

/**
 * The client's address: `peer` (the socket's remote address) unless it is a
 * trusted proxy; then X-Forwarded-For is walked from the right, past trusted
 * proxies, to the first address that is not one. An entry that is not an
 * address stops the walk at the last trusted hop (never at a string a client
 * could vary per request). Every hop trusted: the left-most.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, trusted: TrustedProxies): string {
  let address = normalise(peer ?? "");
  if (forwardedFor === undefined || !trusted.has(address)) return address;
  const hops = forwardedFor.split(",");
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hopAddress(hops[i]!);
    if (hop === undefined) return address;
    address = hop;
    if (!trusted.has(hop)) return hop;
  }
  return address;
}

/** One X-Forwarded-For entry: an address, "[v6]" or "[v6]:port", "v4:port"; undefined when it is none of these. */
function hopAddress(entry: string): string | undefined {
  let s = entry.trim();
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close < 0) return undefined;
    s = s.slice(1, close);
  } else if (s.indexOf(":") === s.lastIndexOf(":") && s.includes(":")) {
    s = s.slice(0, s.indexOf(":")); // IPv4 with a port
  }
  return isIP(s) === 0 ? undefined : normalise(s);
}

/** One spelling per address: lower case, an IPv4-mapped IPv6 address as its IPv4. */
function normalise(address: string): string {
  const lower = address.toLowerCase();
  if (lower.startsWith("::ffff:") && isIP(lower.slice(7)) === 4) return lower.slice(7);
  return lower;
}

/** The Node runtime's Client: the Authorization header, and the address worked out on first use. */
export class NodeClient implements Client {
  private known: string | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly trusted: TrustedProxies,
  ) {}

  get authorization(): string | undefined {
    return this.req.headers.authorization;
  }

  address(): string {
    if (this.known === undefined) {
      const xff = this.req.headers["x-forwarded-for"];
      this.known = clientAddress(this.req.socket.remoteAddress, Array.isArray(xff) ? xff.join(",") : xff, this.trusted);
    }
    return this.known;
  }
}

// Limits on credential checks GitLab rejects (finding 7). Every check of a
// credential modgate has not seen is one login attempt at GitLab's git
// endpoint from modgate's address, so without limits a client could:
// - guess tokens through modgate, its own address hidden behind modgate's;
// - get modgate's address banned: GitLab bans an address for Git HTTP auth
//   after rack_attack.git_basic_auth.maxretry failures in findtime seconds
//   (self-managed: 10 in 60 s when enabled; GitLab.com: 30 in 3 min, for an
//   hour), and then refuses every check from it, valid tokens included
//   (lib/gitlab/auth.rb, find_for_git_client: `raise IpBlocked if ...banned?`).
// So, within a sliding window, at most `perClient` rejected checks per client
// address (more: 429 until the window frees a slot) and at most `total`
// across all clients (more: 503), the latter below GitLab's ban threshold
// whoever asks. A check in flight holds a slot until GitLab answers, as if it
// would be rejected: 40 made-up tokens at once still send at most perClient
// of them. Checks GitLab accepts ("allowed", "denied") free their slot and
// count nothing; remembered decisions (decisions.ts) send no check at all.
// Memory is bounded: at most `limit` instants per address, an LRU of addresses.
import { LRUCache } from "lru-cache";

export interface FailedCheckLimits {
  /** Rejected checks one client address may cause per window. */
  perClient: number;
  /** Rejected checks all clients together may cause per window. */
  total: number;
  windowMs: number;
  /** Addresses remembered (the least recently seen is forgotten first). */
  maxClients?: number;
}

/** Why a check is not sent now, and when it may be. */
export interface CheckRefusal {
  /** client: this address used its own share (429); all: every client's share is used (503). */
  scope: "client" | "all";
  limit: number;
  windowSeconds: number;
  /** Seconds until the window frees a slot (at least 1). */
  retryAfterSeconds: number;
}

/** A slot for one check: settle it once with whether GitLab rejected the credential. */
export interface CheckTicket {
  settle(rejected: boolean): void;
}

export const DEFAULT_MAX_CLIENTS = 10_000;

/** Rejections inside the window (oldest first, at most `limit`) and checks in flight. */
class Window {
  times: number[] = [];
  inFlight = 0;
}

export class FailedChecks {
  private readonly clients: LRUCache<string, Window>;
  private readonly all = new Window();

  constructor(
    readonly limits: FailedCheckLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.clients = new LRUCache({ max: limits.maxClients ?? DEFAULT_MAX_CLIENTS });
  }

  /** Addresses remembered now (tests: the bound holds). */
  get clientsKept(): number {
    return this.clients.size;
  }

  /** A ticket to send one check for a client at `address`, or why it must not be sent. */
  begin(address: string): CheckTicket | CheckRefusal {
    const now = this.now();
    const { perClient, total } = this.limits;
    const key = limiterKey(address);
    let mine = this.clients.get(key);
    if (mine) {
      const wait = this.waitFor(mine, perClient, now);
      if (wait > 0) return this.refusal("client", perClient, wait);
    }
    const wait = this.waitFor(this.all, total, now);
    if (wait > 0) return this.refusal("all", total, wait);
    if (!mine) {
      mine = new Window();
      this.clients.set(key, mine);
    }
    const client = mine;
    const all = this.all;
    client.inFlight++;
    all.inFlight++;
    let settled = false;
    return {
      settle: (rejected) => {
        if (settled) return;
        settled = true;
        client.inFlight--;
        all.inFlight--;
        if (!rejected) return;
        const at = this.now();
        client.times.push(at);
        all.times.push(at);
        // Never more than `limit` kept: older ones would only be pruned later.
        if (client.times.length > perClient) client.times.shift();
        if (all.times.length > total) all.times.shift();
      },
    };
  }

  /** Seconds until `w` has a free slot under `limit` (0: it has one now). */
  private waitFor(w: Window, limit: number, now: number): number {
    const windowMs = this.limits.windowMs;
    while (w.times.length > 0 && w.times[0]! <= now - windowMs) w.times.shift();
    const used = w.times.length + w.inFlight;
    if (used < limit) return 0;
    // The (used - limit)-th oldest rejection leaving the window frees a slot; when only checks
    // in flight fill it, one of them settling will (soon: a check takes at most apiTimeout).
    const k = used - limit;
    if (k >= w.times.length) return 1;
    return Math.max(1, Math.ceil((w.times[k]! + windowMs - now) / 1000));
  }

  private refusal(scope: CheckRefusal["scope"], limit: number, retryAfterSeconds: number): CheckRefusal {
    return { scope, limit, windowSeconds: Math.round(this.limits.windowMs / 1000), retryAfterSeconds };
  }
}

export function isRefusal(x: CheckTicket | CheckRefusal): x is CheckRefusal {
  return "scope" in x;
}

/**
 * Whom a limit counts: an IPv4 address as it is; an IPv6 address by its /64
 * (one subscriber's network: a client given a /64 has 2^64 addresses to
 * rotate through); no address at all shares one bucket ("unknown").
 */
export function limiterKey(address: string): string {
  if (address === "") return "unknown";
  let a = address.toLowerCase();
  const zone = a.indexOf("%");
  if (zone >= 0) a = a.slice(0, zone);
  if (!a.includes(":")) return a;
  if (a.startsWith("::ffff:") && a.slice(7).includes(".")) return a.slice(7);
  const prefix = firstFourGroups(a);
  return prefix ? `${prefix.join(":")}::/64` : a;
}

/** The first four 16-bit groups (the /64) of an IPv6 address, hex without leading zeros; undefined when it is not one. */
function firstFourGroups(a: string): string[] | undefined {
  const halves = a.split("::");
  if (halves.length > 2) return undefined;
  const part = (s: string): string[] => (s === "" ? [] : s.split(":"));
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  // A trailing dotted IPv4 is two groups.
  const last = (halves.length === 2 ? tail : head).at(-1);
  const ipv4Groups = last !== undefined && last.includes(".") ? 1 : 0;
  const count = head.length + tail.length + ipv4Groups;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const zeros = Array(8 - count).fill("0");
  const groups = [...head, ...(halves.length === 2 ? zeros : []), ...tail];
  const out: string[] = [];
  for (const g of groups.slice(0, 4)) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
    out.push(parseInt(g, 16).toString(16));
  }
  return out;
}

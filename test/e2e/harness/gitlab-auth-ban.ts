// GitLab's ban of an address from Git HTTP authentication, as the stand-in
// applies it to its git endpoint. Sources (gitlabhq):
// - config/initializers/1_settings.rb: rack_attack.git_basic_auth, when enabled:
//   maxretry 10, findtime 60 s, bantime 1 h, ip_whitelist [127.0.0.1]
//   (GitLab.com documents its own: 30 failures in 3 min ban for an hour);
// - lib/gitlab/auth.rb find_for_git_client: a banned address gets
//   `raise IpBlocked` before its credential is looked at (a valid one too),
//   except login gitlab-ci-token; after the look-up, success resets the
//   address's count (rate_limiter.reset!), failure registers one
//   (register_fail!: maxretry failures within findtime ban for bantime);
// - lib/gitlab/auth/ip_blocked.rb and app/controllers/application_controller.rb
//   (rescue_from Gitlab::Auth::IpBlocked): 403, text/plain,
//   "Too many failed authentication attempts from this IP".
// Only HTTP Basic credentials take part: a request without them never reaches
// find_for_git_client. Counts are kept per findtime window, as Rack::Attack's
// cache counts (the key names the window: floor(now / findtime)).

export const GIT_BAN_MESSAGE = "Too many failed authentication attempts from this IP";

export interface GitBasicAuthBanSpec {
  /** Failures within findtime that ban the address; GitLab's default 10. */
  maxretry?: number;
  /** Seconds; GitLab's default 60. */
  findtime?: number;
  /** Seconds the ban lasts; GitLab's default 3600. */
  bantime?: number;
  /** Addresses never banned. GitLab's default is [127.0.0.1]; the stand-in's [] (everything here is loopback). */
  ipWhitelist?: string[];
  /** Clock; default Date.now. */
  now?: () => number;
}

export class GitBasicAuthBan {
  private readonly counts = new Map<string, { window: number; count: number }>();
  private readonly bans = new Map<string, number>();
  private readonly maxretry: number;
  private readonly findtimeMs: number;
  private readonly bantimeMs: number;
  private readonly whitelist: Set<string>;
  private readonly now: () => number;

  constructor(spec: GitBasicAuthBanSpec = {}) {
    this.maxretry = spec.maxretry ?? 10;
    this.findtimeMs = (spec.findtime ?? 60) * 1000;
    this.bantimeMs = (spec.bantime ?? 3600) * 1000;
    this.whitelist = new Set(spec.ipWhitelist ?? []);
    this.now = spec.now ?? Date.now;
  }

  /** IpRateLimiter#banned?: false for whitelisted addresses and the CI job login. */
  banned(ip: string, login: string): boolean {
    if (this.skip(ip, login)) return false;
    const until = this.bans.get(ip);
    if (until === undefined) return false;
    if (this.now() < until) return true;
    this.bans.delete(ip);
    return false;
  }

  /** rate_limit!: success resets the address's count (and ban); failure counts and may ban. */
  record(ip: string, login: string, success: boolean): void {
    if (this.skip(ip, login)) return;
    if (success) {
      this.counts.delete(ip);
      this.bans.delete(ip);
      return;
    }
    const window = Math.floor(this.now() / this.findtimeMs);
    const entry = this.counts.get(ip);
    const count = entry !== undefined && entry.window === window ? entry.count + 1 : 1;
    this.counts.set(ip, { window, count });
    if (count >= this.maxretry) this.bans.set(ip, this.now() + this.bantimeMs);
  }

  /** Failures counted for `ip` in the current window. */
  failures(ip: string): number {
    const entry = this.counts.get(ip);
    return entry !== undefined && entry.window === Math.floor(this.now() / this.findtimeMs) ? entry.count : 0;
  }

  /** What an administrator does with redis-cli: every ban and count dropped. */
  lift(): void {
    this.counts.clear();
    this.bans.clear();
  }

  private skip(ip: string, login: string): boolean {
    return login === "gitlab-ci-token" || this.whitelist.has(ip);
  }
}

/** The socket's peer as GitLab's request.ip would show it: an IPv4-mapped IPv6 address as its IPv4. */
export function peerIp(remoteAddress: string | undefined): string {
  const a = remoteAddress ?? "";
  return a.startsWith("::ffff:") && a.includes(".") ? a.slice(7) : a;
}

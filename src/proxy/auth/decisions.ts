// Access decisions remembered per (credential, project) for a short time
// (proxy.authTtl, default 60 s): a `go mod download` of many versions costs
// one check, and a revoked token stops working within that time. The key is
// an HMAC of the credential under a key that lives only in this process's
// memory, never the credential itself.
import { Lru } from "../../core/lru.js";
import type { Credential } from "./credential.js";
import type { AccessVerdict } from "./gitlab-access.js";

export class AccessDecisions {
  private readonly decided: Lru<string, { verdict: AccessVerdict; until: number }>;
  private readonly pending = new Map<string, Promise<AccessVerdict>>();
  private readonly hmacKey: Promise<CryptoKey>;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    maxEntries = 10_000,
  ) {
    this.decided = new Lru({ max: maxEntries });
    const secret = crypto.getRandomValues(new Uint8Array(32));
    this.hmacKey = crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  }

  /** The remembered verdict, or `check`'s (one check at a time per credential and project). */
  async decide(credential: Credential, project: string, check: () => Promise<AccessVerdict>): Promise<AccessVerdict> {
    const key = `${await this.keyOf(credential)}\u0000${project}`;
    const known = this.decided.get(key);
    if (known && this.now() < known.until) return known.verdict;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = check().then(
        (verdict) => {
          this.pending.delete(key);
          this.decided.set(key, { verdict, until: this.now() + this.ttlMs });
          return verdict;
        },
        (err: unknown) => {
          // GitLab failing decides nothing: the next request asks again.
          this.pending.delete(key);
          throw err;
        },
      );
      this.pending.set(key, pending);
    }
    return pending;
  }

  /** HMAC-SHA-256 of login and secret, hex: tells credentials apart without keeping any. */
  async keyOf(credential: Credential): Promise<string> {
    const data = new TextEncoder().encode(`${credential.user}\u0000${credential.secret}`);
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await this.hmacKey, data));
    let hex = "";
    for (const b of mac) hex += b.toString(16).padStart(2, "0");
    return hex;
  }
}

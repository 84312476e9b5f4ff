// Access decisions remembered per (credential, project) for a short time
// (proxy.authTtl, default 60 s): a `go mod download` of many versions costs
// one check, and a revoked token stops working within that time. The key is
// an HMAC of the credential under a key that lives only in this process's
// memory, never the credential itself.
//
// The HMAC is computed synchronously (node:crypto's createHmac) rather than
// with crypto.subtle.sign: on Node every subtle call is a job on libuv's
// thread pool, which the disk store's reads share: with it a warm private zip
// cost 50-75 µs of CPU more than a public one and ran at 0.79-0.81 of its
// requests/s (issue 11's goal is 0.9; docs/benchmarks.md). Workers run the
// same code.
import { createHmac } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { Credential } from "../../gitlab/credential.js";
import type { AccessVerdict } from "../../gitlab/client.js";

export class AccessDecisions {
  private readonly decided: LRUCache<string, { verdict: AccessVerdict; until: number }>;
  private readonly pending = new Map<string, Promise<AccessVerdict>>();
  /** Random per process, never stored: keys from another process (or a leaked dump of this map) name no credential. */
  private readonly hmacKey = crypto.getRandomValues(new Uint8Array(32));

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    maxEntries = 10_000,
  ) {
    this.decided = new LRUCache({ max: maxEntries });
  }

  /** The remembered verdict, or `check`'s (one check at a time per credential and project). */
  async decide(credential: Credential, project: string, check: () => Promise<AccessVerdict>): Promise<AccessVerdict> {
    const key = `${this.keyOf(credential)}\u0000${project}`;
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
  keyOf(credential: Credential): string {
    return hmacSha256Hex(this.hmacKey, new TextEncoder().encode(`${credential.user}\u0000${credential.secret}`));
  }
}

/** HMAC-SHA-256 (RFC 2104), lowercase hex: what keyOf computes, under its per-process key. */
export function hmacSha256Hex(key: Uint8Array, message: Uint8Array): string {
  return createHmac("sha256", key).update(message).digest("hex");
}

// Every default of config/modgate.yaml, in one place. The loader
// (src/config/) fills them in when it compiles a config; the core only needs
// the browser default again at run time, when a group rule finds a project and
// learns its visibility. The README's configuration tables show these values:
// change both together.
import type { Browser, Vcs } from "./compiled.js";

export const DEFAULTS = {
  /** Seconds of `Cache-Control: public, max-age` on successful answers. */
  cacheMaxAge: 3600,
  gitlab: {
    transport: "https",
    ssh: { user: "git", port: 22 },
    /** Seconds an API call may take before GitLab counts as unreachable. */
    apiTimeoutSeconds: 5,
    /** A few dozen at most: each call holds a socket to GitLab, and GitLab rate-limits the token. */
    maxConcurrentCalls: 16,
    /** Credential checks in flight: a few; a burst of made-up tokens must not take the API's sockets. */
    maxConcurrentChecks: 4,
  },
  discovery: {
    cacheTtlSeconds: 600,
    negativeCacheTtlSeconds: 60,
    cacheEntries: 10_000,
  },
  /** The module proxy is off unless the config turns it on; versions are kept under cacheDir (Node). */
  proxy: {
    cacheDir: ".modgate/store",
    /** Seconds a version list, @latest or branch query is reused. */
    listTtlSeconds: 60,
    /** Seconds a client's access decision is remembered: a revoked token stops working within this time. */
    authTtlSeconds: 60,
    /**
     * Rejected credential checks per window: per client address, and from all clients together.
     * GitLab bans an address after rack_attack.git_basic_auth.maxretry failed logins in findtime
     * (self-managed, when enabled: 10 in 60 s; GitLab.com: 30 in 3 min), and every client shares
     * modgate's address: 8 in any 60 s stays below both.
     */
    failedAuth: { perClient: 5, total: 8, windowSeconds: 60 },
    /** Zips built at once per process; up to 8× as many wait, more get 503 with Retry-After. */
    maxConcurrentBuilds: 4,
  },
  module: {
    vcs: "git" as Vcs,
    /** The branch of go-source and browser links for `project:` rules. */
    branch: "main",
    private: false,
  },
} as const;

/**
 * Where a browser goes for a module that does not say `browser:`. Public
 * modules have documentation on pkg.go.dev; pkg.go.dev cannot fetch private
 * ones, so they go to GitLab when the module is a GitLab project, or to a page
 * with the `go get` line when it is any other repository.
 */
export function defaultBrowser(isPrivate: boolean, onGitlab: boolean): Browser {
  if (!isPrivate) return "pkgsite";
  return onGitlab ? "gitlab" : "none";
}

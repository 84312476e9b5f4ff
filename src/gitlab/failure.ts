// Why GitLab could not answer, in words an operator can act on. Node's fetch
// (undici) puts the system error in `err.cause` (code, address, port,
// hostname); other runtimes (Workers) carry other causes or none, so the
// cause is read duck-typed and anything unknown degrades to a generic reason.
// The cause label is one of a fixed small set: it names metrics series, so it
// must never carry a URL, a host or a token.

export const FAILURE_CAUSES = [
  "tls",
  "refused",
  "dns",
  "timeout",
  "unreachable",
  "token_rejected",
  "forbidden",
  "rate_limited",
  "server_error",
  "redirect",
  "bad_answer",
  "misconfigured",
  "overloaded",
  "banned",
] as const;

export type FailureCause = (typeof FAILURE_CAUSES)[number];

/**
 * GitLab could not give an answer. `reason` is for the operator (stderr,
 * `modgate resolve`, the Workers log): it may name hosts and settings, never
 * the token. Clients only ever get a generic sentence (see clientReason).
 */
export class GitlabUnavailable extends Error {
  constructor(
    readonly kind: FailureCause,
    readonly reason: string,
    readonly status?: number,
  ) {
    super(reason);
    this.name = "GitlabUnavailable";
  }
}

/** TLS verification codes that mean "the CA is not one Node trusts": an internal CA, usually. */
const UNTRUSTED_CA = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
]);

const OTHER_TLS = new Set(["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID", "ERR_TLS_CERT_ALTNAME_INVALID", "HOSTNAME_MISMATCH", "ERR_SSL_WRONG_VERSION_NUMBER"]);

interface SystemErrorLike {
  code?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  message?: unknown;
  errors?: unknown;
}

/** The innermost error that carries a code: undici wraps it in `cause`, happy eyeballs in an AggregateError. */
function systemError(err: unknown): SystemErrorLike | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const e = current as SystemErrorLike & { cause?: unknown };
    if (typeof e.code === "string" && !e.code.startsWith("UND_ERR")) return e;
    if (Array.isArray(e.errors) && e.errors.length > 0) {
      const inner = systemError(e.errors[0]);
      if (inner) return inner;
    }
    if (typeof e.code === "string") return e;
    current = e.cause;
  }
  return undefined;
}

/** What a failed fetch (no HTTP answer at all) means, for GitLab at `url`. */
export function fetchFailure(err: unknown, url: string, timeoutMs: number): GitlabUnavailable {
  const name = (err as { name?: unknown } | null)?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return new GitlabUnavailable("timeout", `GitLab at ${url} timed out after ${seconds(timeoutMs)} s (gitlab.apiTimeout)`);
  }
  const sys = systemError(err);
  const code = typeof sys?.code === "string" ? sys.code : undefined;
  const host = hostOf(url);
  if (code && UNTRUSTED_CA.has(code)) {
    return new GitlabUnavailable(
      "tls",
      `GitLab at ${url}: self-signed certificate in certificate chain (${code}) — set NODE_EXTRA_CA_CERTS=/path/ca.pem to the CA that signed it`,
    );
  }
  if (code && OTHER_TLS.has(code)) {
    return new GitlabUnavailable("tls", `GitLab at ${url}: its TLS certificate was refused (${code}): ${String(sys?.message ?? "")}`.trim());
  }
  if (code === "ECONNREFUSED") {
    const where = typeof sys?.address === "string" ? `${sys.address}${typeof sys.port === "number" ? `:${sys.port}` : ""}` : host;
    return new GitlabUnavailable("refused", `GitLab at ${url}: connection refused to ${where} — is GitLab running, and gitlab.url right?`);
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME") {
    const name = typeof sys?.hostname === "string" ? sys.hostname : host;
    return new GitlabUnavailable(
      "dns",
      `GitLab at ${url}: no such host ${name}${code === "EAI_AGAIN" ? " (DNS did not answer)" : ""} — check gitlab.url and DNS`,
    );
  }
  if (code === "ETIMEDOUT" || code === "UND_ERR_CONNECT_TIMEOUT") {
    return new GitlabUnavailable("timeout", `GitLab at ${url}: connecting to ${host} timed out`);
  }
  const detail = code ?? (typeof sys?.message === "string" ? sys.message : undefined);
  return new GitlabUnavailable("unreachable", `GitLab at ${url} could not be reached${detail ? ` (${detail})` : ""}`);
}

/** What an HTTP status other than 200 and 404 means. */
export function statusFailure(status: number, url: string, headers: Headers): GitlabUnavailable {
  if (status === 401) {
    return new GitlabUnavailable("token_rejected", "GitLab rejected the token (401): check gitlab.token / GITLAB_TOKEN (expired or revoked?)", status);
  }
  if (status === 403) {
    return new GitlabUnavailable("forbidden", "GitLab refused the request (403): the token needs the read_api scope, and its user must not be blocked", status);
  }
  if (status === 429) {
    const retry = headers.get("retry-after");
    return new GitlabUnavailable(
      "rate_limited",
      `GitLab is rate-limiting modgate (429)${retry ? `, retry after ${retry} s` : ""}: raise the token user's API rate limit`,
      status,
    );
  }
  if (status >= 300 && status < 400) {
    const to = hostOf(headers.get("location"));
    return new GitlabUnavailable(
      "redirect",
      `GitLab answered ${status}, a redirect${to ? ` to ${to}` : ""}: set gitlab.url to the address GitLab answers on (now ${url})`,
      status,
    );
  }
  if (status >= 500) return new GitlabUnavailable("server_error", `GitLab failed (${status})`, status);
  return new GitlabUnavailable("bad_answer", `GitLab answered ${status}`, status);
}

/**
 * What clients are told: that GitLab is unavailable, nothing about why (no
 * redirect targets, no token state). The operator gets the reason.
 */
export function clientReason(cause: FailureCause): string {
  if (cause === "overloaded") return "too many requests are waiting for GitLab";
  if (cause === "misconfigured") return "modgate is not fully configured (its log says why)";
  return "GitLab is unavailable";
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

function hostOf(location: string | null): string | undefined {
  if (!location) return undefined;
  try {
    return new URL(location).host;
  } catch {
    return undefined;
  }
}

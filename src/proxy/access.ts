// The one access decision every answer about a project passes (issue 11).
// Public projects are open to everyone and a credential sent anyway is not
// checked. Anything else is answered only to a client whose own credential
// GitLab accepts for reading that project's repository:
//   no credential         → 401 with WWW-Authenticate (the go command re-runs GOAUTH and retries once)
//   GitLab rejects it     → 401
//   accepted, no access   → 403
// A credential modgate has no remembered decision for costs a check at
// GitLab, a login attempt from modgate's address (finding 7):
//   too many rejected from this client's address  → 429 with Retry-After (auth/failed-checks.ts)
//   too many rejected from all clients            → 503 with Retry-After (so GitLab never bans modgate)
//   too many checks at once                       → 503 with Retry-After (gitlab.maxConcurrentChecks)
//   GitLab has banned modgate's address           → 503 with Retry-After, decided nothing, one operator line
// — never 404 for a module under an owned host: a 404 sends the path on to
// the next proxy in the client's GOPROXY list.
import type { PlainAnswer } from "../http/responses.js";
import { textAnswer } from "../http/responses.js";
import { credentialOf, type Credential } from "../gitlab/credential.js";
import type { Client } from "../http/client.js";
import type { AccessDecisions } from "./auth/decisions.js";
import { isRefusal, type CheckRefusal, type FailedChecks } from "./auth/failed-checks.js";
import type { AccessVerdict } from "../gitlab/client.js";
import { GitlabUnavailable } from "../gitlab/failure.js";

export interface AccessRequest {
  modulePath: string;
  /** The GitLab project (full path) whose repository holds the module. */
  project: string;
  /** GitLab's id of the project: what a remembered decision is keyed by (a new project at a moved one's path is another). */
  projectId?: number | undefined;
  /** Anyone may read it (modules.ts: FoundModule.isPublic, from a fresh look-up). */
  isPublic: boolean;
  /** Who asks: the Authorization header, as received, and the address. */
  client: Client | undefined;
}

export type AccessCheck = (project: string, credential: Credential) => Promise<AccessVerdict>;

export interface AccessControlOptions {
  /** The limits on rejected checks; none: every check is sent. */
  failedChecks?: FailedChecks;
  /** The operator's lines (GitLab's ban seen, and lifted); default stderr. */
  report?: (line: string) => void;
  now?: () => number;
}

/**
 * After GitLab answers with its ban, checks are not sent for this long: a check
 * GitLab refuses while banned costs nothing there (it reads the ban without
 * counting), but each is a round trip and says nothing new. Short, so the ban
 * lifting (GitLab: bantime, an hour by default) is noticed soon after.
 */
export const BAN_HOLD_MS = 15_000;
/** Retry-After when the checks' queue is full: a check takes at most gitlab.apiTimeout. */
const BUSY_RETRY_SECONDS = 5;

/** A check not sent: the limits refused it, or GitLab's ban is being waited out. */
class CheckNotSent extends Error {
  constructor(readonly refusal: CheckRefusal | { scope: "banned"; retryAfterSeconds: number }) {
    super("check not sent");
  }
}

export class AccessControl {
  private readonly failedChecks: FailedChecks | undefined;
  private readonly report: (line: string) => void;
  private readonly now: () => number;
  /** While GitLab's ban is being waited out: until when no check is sent. */
  private bannedUntil = 0;
  /** A ban was reported and no check has got through since. */
  private banReported = false;

  constructor(
    private readonly decisions: AccessDecisions,
    private readonly check: AccessCheck,
    options: AccessControlOptions = {},
  ) {
    this.failedChecks = options.failedChecks;
    this.report = options.report ?? ((line) => console.error(line));
    this.now = options.now ?? Date.now;
  }

  /**
   * For a path a rule maps but where no project was found (finding 8): a client without a usable
   * credential gets the very 401 of a private module, as GitLab's git endpoint answers 401 for
   * both; undefined when it sent one (then the 404 stands).
   */
  challengeUnknown(modulePath: string, client: Client | undefined): PlainAnswer | undefined {
    const credential = credentialOf(client?.authorization);
    if (credential !== undefined && credential !== "malformed") return undefined;
    const host = hostOf(modulePath);
    return credential === undefined ? missingCredential(modulePath, host) : malformedCredential(modulePath, host);
  }

  /** undefined: allowed; otherwise the answer to give instead. GitLab failing throws (a 5xx, never a decision). */
  async decide(request: AccessRequest): Promise<PlainAnswer | undefined> {
    if (request.isPublic) return undefined;
    const host = hostOf(request.modulePath);
    const credential = credentialOf(request.client?.authorization);
    if (credential === undefined) return missingCredential(request.modulePath, host);
    if (credential === "malformed") return malformedCredential(request.modulePath, host);
    let verdict: AccessVerdict;
    try {
      const key = request.projectId === undefined ? request.project : `#${request.projectId}`;
      verdict = await this.decisions.decide(credential, key, () => this.guardedCheck(request, credential));
    } catch (err) {
      const answer = notDecided(err, request.modulePath, host);
      if (answer) return answer;
      throw err;
    }
    if (verdict === "allowed") return undefined;
    if (verdict === "rejected") {
      return unauthorized(host, `${request.modulePath}: GitLab token rejected (401); put a token with read_repository in ~/.netrc for ${host}`);
    }
    return textAnswer(
      403,
      `${request.modulePath}: GitLab does not let this token read the module's repository (403); ask for Reporter access or use another token`,
      PRIVATE,
    );
  }

  /**
   * One check at GitLab, within the limits: a slot of the client's and of
   * everyone's share of rejections, held until GitLab answers; none while
   * GitLab's ban is waited out. Throws CheckNotSent (decisions.ts remembers
   * nothing for a throw).
   */
  private async guardedCheck(request: AccessRequest, credential: Credential): Promise<AccessVerdict> {
    const wait = this.bannedUntil - this.now();
    if (wait > 0) throw new CheckNotSent({ scope: "banned", retryAfterSeconds: Math.ceil(wait / 1000) });
    const ticket = this.failedChecks?.begin(request.client?.address() ?? "");
    if (ticket && isRefusal(ticket)) throw new CheckNotSent(ticket);
    let rejected = false;
    try {
      const verdict = await this.check(request.project, credential);
      rejected = verdict === "rejected";
      if (this.banReported) {
        this.banReported = false;
        this.report("modgate: GitLab answers modgate's credential checks again (its ban of modgate's address is over)");
      }
      return verdict;
    } catch (err) {
      if (err instanceof GitlabUnavailable && err.kind === "banned") this.banned(err);
      throw err;
    } finally {
      ticket?.settle(rejected);
    }
  }

  /** GitLab answered with its ban: hold checks back a while, and tell the operator once. */
  private banned(err: GitlabUnavailable): void {
    this.bannedUntil = this.now() + BAN_HOLD_MS;
    if (this.banReported) return;
    this.banReported = true;
    this.report(`modgate: ${err.reason}`);
  }
}

const PRIVATE = { "Cache-Control": "no-store" };

/** The answer for a check that decided nothing (not sent, GitLab's ban, the queue full); undefined: GitLab failing otherwise (a 5xx elsewhere). */
function notDecided(err: unknown, modulePath: string, host: string): PlainAnswer | undefined {
  if (err instanceof CheckNotSent) {
    const r = err.refusal;
    const retry = { ...PRIVATE, "Retry-After": String(r.retryAfterSeconds) };
    if (r.scope === "client") {
      return textAnswer(
        429,
        `${modulePath}: too many rejected GitLab tokens from your address (${r.limit} in ${r.windowSeconds} s), so this one was not checked; retry in ${r.retryAfterSeconds} s with a token GitLab accepts in ~/.netrc for ${host}`,
        retry,
      );
    }
    if (r.scope === "all") {
      return textAnswer(
        503,
        `${modulePath}: too many rejected GitLab tokens from all clients (${r.limit} in ${r.windowSeconds} s): modgate holds token checks back so GitLab does not ban its address; retry in ${r.retryAfterSeconds} s`,
        retry,
      );
    }
    return textAnswer(
      503,
      `${modulePath}: GitLab has temporarily banned modgate's address from checking tokens (too many failed logins); retry in ${r.retryAfterSeconds} s`,
      retry,
    );
  }
  if (err instanceof GitlabUnavailable && err.kind === "banned") {
    const seconds = String(BAN_HOLD_MS / 1000);
    return textAnswer(
      503,
      `${modulePath}: GitLab has temporarily banned modgate's address from checking tokens (too many failed logins); retry in ${seconds} s`,
      { ...PRIVATE, "Retry-After": seconds },
    );
  }
  if (err instanceof GitlabUnavailable && err.kind === "overloaded") {
    return textAnswer(503, `${modulePath}: too many token checks at once; retry in ${BUSY_RETRY_SECONDS} s`, {
      ...PRIVATE,
      "Retry-After": String(BUSY_RETRY_SECONDS),
    });
  }
  return undefined;
}

function missingCredential(modulePath: string, host: string): PlainAnswer {
  return unauthorized(
    host,
    `${modulePath}: a private module: send a GitLab token with read_repository; put it in ~/.netrc (machine ${host} login <you> password <token>) and use https`,
  );
}

function malformedCredential(modulePath: string, host: string): PlainAnswer {
  return unauthorized(host, `${modulePath}: the Authorization header is not HTTP Basic or Bearer credentials; put a GitLab token in ~/.netrc for ${host}`);
}

function unauthorized(host: string, line: string): PlainAnswer {
  return textAnswer(401, line, { ...PRIVATE, "WWW-Authenticate": `Basic realm="${host}"` });
}

/** The module path's host: the realm, and the `machine` a .netrc line must name. */
function hostOf(modulePath: string): string {
  const slash = modulePath.indexOf("/");
  return slash < 0 ? modulePath : modulePath.slice(0, slash);
}

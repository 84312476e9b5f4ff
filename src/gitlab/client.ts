// The one client of GitLab: every call modgate makes to it — discovery's
// look-ups (is this path a project, a group, or nothing?), the module
// proxy's REST calls (docs/go-rules.md §8) and the access check over
// git's HTTP endpoint — goes through here, under one fetch policy:
// - every URL is gitlab.url plus elements that came from the config or from
//   GitLab itself, each one encoded: nothing a client sends chooses the host;
// - redirects are never followed: the token (or a client's credential) would
//   go with them to wherever they point;
// - every call has a timeout (apiTimeout), covering the body too, except an
//   archive's body, which streams for as long as its reader takes;
// - a 404 is "not there" (GitLab answers 404 for what exists but the token
//   may not see, too); anything else that is not an answer is GitLab failing
//   (GitlabUnavailable with its kind, failure.ts), never "not found".
// One client per assembly, so its cap on calls in flight (CallGate) and its
// circuit (GitlabHealth) are GitLab's, whoever calls.
import { basicAuthorization, type Credential } from "./credential.js";
import { CallGate } from "./call-gate.js";
import { fetchFailure, GitlabUnavailable, statusFailure } from "./failure.js";
import { GitlabHealth, isGitlabFailure, type GitlabState } from "./health.js";
import { parseProject, type GitlabProject } from "./project.js";

export type { GitlabProject, RepositoryAccessLevel, Visibility } from "./project.js";
export { UNKNOWN_BRANCH } from "./project.js";

export interface GitlabClientOptions {
  /** GitLab's web URL (API at `<url>/api/v4`, git at `<url>/<project>.git`). */
  url: string;
  /** modgate's API token, resolved (sent as PRIVATE-TOKEN to the API, never to the git endpoint). */
  token?: string;
  apiTimeoutMs: number;
  /** The cap on calls in flight (gitlab.maxConcurrentCalls, issue 9). */
  maxConcurrentCalls: number;
  /** The cap on credential checks in flight (gitlab.maxConcurrentChecks, finding 7); default 4. */
  maxConcurrentChecks?: number;
  /** Set when the token could not be resolved (a Worker secret not set): every call is refused with this reason. */
  misconfigured?: string;
  fetch?: typeof fetch;
  /** The clock of the circuit (when a failure was, when the next probe may go); default Date.now. */
  now?: () => number;
  /** Once per HTTP request of the REST calls (the proxy's metrics): its endpoint, status (0: no answer) and time taken. */
  onCall?: (endpoint: string, status: number, ms: number) => void;
  /** Once per change of GitLab's state (failing with a cause, answering again): the operator's line, the metrics gauge. */
  onStateChange?: (state: GitlabState) => void;
}

export interface GitlabTag {
  name: string;
  /** The peeled commit id (an annotated tag's target commit). */
  commit: string;
}

export interface GitlabBranch {
  name: string;
  commit: string;
}

export interface GitlabCommit {
  id: string;
  /** Committer time (GitLab's committed_date), as an instant. */
  committedAt: Date;
}

export interface GitlabTreeEntry {
  /** Blob (or tree/commit) id. */
  id: string;
  path: string;
  type: "blob" | "tree" | "commit";
  mode: string;
}

export interface GitlabGroup {
  /** The group's canonical full path (GitLab finds groups in any letter case). */
  fullPath: string;
}

/** allowed: may read code; rejected: GitLab does not accept the credential (401); denied: accepted, but no access. */
export type AccessVerdict = "allowed" | "rejected" | "denied";

/**
 * A call made as one of discovery's look-ups (src/discovery/project-lookup.ts).
 * While GitLab is failing, only the circuit's probe is sent: a call that
 * finds GitLab failing once it has its slot (it waited while another call
 * failed) is refused (GitlabHeldBack) instead of opening one more socket to
 * a GitLab that just failed.
 */
export interface LookupCall {
  probe: boolean;
}

/**
 * After GitLab fails, for this long look-ups are not sent: a stale answer is
 * served at once, a path with nothing cached gets a 503 at once. Then one
 * look-up at a time probes GitLab.
 */
export const FAILURE_BACKOFF_MS = 5_000;

/** Added to the longest a call may take before anyone stops waiting for it (it may never settle on Workers). */
const CALL_GRACE_MS = 500;
const PER_PAGE = 100;
/** The least time an archive may take to start answering. */
const ARCHIVE_START_MS = 60_000;
/** No list is followed further than this many pages: a runaway pagination must not run forever. */
const MAX_PAGES = 1000;
/** What the access check says it is: GitLab's git endpoint answers git clients. */
const GIT_USER_AGENT = "git/2.43.0 (modgate access check)";
/**
 * The most of a JSON answer read (a page of 100 tags, branches or tree
 * entries is a few dozen KiB; a project, a commit, far less): more is not
 * GitLab answering as documented, and is not held.
 */
export const MAX_JSON_BYTES = 16 << 20;
/** The most of a raw file or blob read when the caller names no limit: codehost.MaxZipFile. */
export const MAX_RAW_BYTES = 500 << 20;
/** The most of a 403's body read by the access check (the ban's line of text). */
const MAX_REFUSAL_BYTES = 64 << 10;
/** Credential checks in flight when gitlab.maxConcurrentChecks is not set. */
export const DEFAULT_MAX_CONCURRENT_CHECKS = 4;

/**
 * GitLab's answer on its git endpoint to an address banned from Git HTTP
 * authentication (rack_attack.git_basic_auth: maxretry failures within
 * findtime ban the address for bantime): 403, text/plain, this body. Since
 * GitLab raises Gitlab::Auth::IpBlocked in find_for_git_client before looking
 * at the credential (lib/gitlab/auth.rb), and ApplicationController answers it
 * `render plain: e.message, status: :forbidden` with the message of
 * lib/gitlab/auth/ip_blocked.rb. Older GitLabs banned through a Rack::Attack
 * blocklist (config/initializers/rack_attack_git_basic_auth.rb), answered with
 * Rack::Attack's default: 403 "Forbidden\n". Neither is a verdict on the
 * credential: every credential gets it, valid ones too.
 */
const BANNED_BODY = /^(Too many failed authentication attempts from this IP|Forbidden)\s*$/;

/**
 * How a call counts towards GitLab's state (the circuit, the operator's
 * line) and the metrics:
 * - rest: one of the proxy's REST calls. An answer marks GitLab up, no
 *   answer or an error status marks it failing; onCall reports it.
 * - lookup: one of discovery's look-ups, two calls (project and group)
 *   that answer one question together. Any failure of GitLab, a bad answer
 *   included, marks it failing before the slot is handed on, so the call
 *   waiting for the slot sees it; success is the look-up's to report, once
 *   both calls are settled (ProjectLookup calls health.succeeded()). The
 *   look-up reports itself (its events carry status and time): no onCall.
 * - access: the access check. Its answer is a verdict on a client's
 *   credential, not on GitLab: neither the circuit nor onCall.
 */
type Role = "rest" | "lookup" | "access";

interface Call {
  role: Role;
  /** The metrics' name of the call (a fixed set: never a path). */
  endpoint: string;
  url: string;
  headers: Record<string, string>;
  /** Statuses besides 200 the caller reads as answers (404: not there). */
  answers: readonly number[];
  /** Discovery's look-ups: whether this call is the circuit's probe. */
  probe?: boolean;
  /**
   * The body streams for as long as its reader takes (an archive): the
   * timeout covers only the wait for the headers, and that wait is longer
   * (GitLab builds an archive before its first byte).
   */
  streamed?: boolean;
}

/**
 * A body larger than its reader's limit: said by Content-Length before
 * anything was read, or found while streaming, when the read stops. Every
 * read of a GitLab body has a limit; the caller says what an answer over it
 * means (a file over the go command's limit, GitLab answering badly).
 */
export class BodyTooLargeError extends Error {
  constructor(
    /** The call's endpoint (file, blob, tree, ...). */
    readonly endpoint: string,
    readonly limit: number,
    /** The size GitLab declared (Content-Length), when that is how it was found. */
    readonly declared?: number,
  ) {
    super(`GitLab's ${endpoint} answer is larger than ${limit} bytes${declared !== undefined ? ` (Content-Length ${declared})` : ""}`);
    this.name = "BodyTooLargeError";
  }
}

export class GitlabClient {
  /** GitLab's web URL, as configured: the base of every URL this client builds. */
  readonly url: string;
  readonly apiTimeoutMs: number;
  /** The cap on calls in flight; everything that talks to GitLab takes its slots (issue 9). */
  readonly gate: CallGate;
  /** The cap on credential checks in flight, apart from the API's (finding 7): a burst of made-up tokens waits here, not in the API's queue. */
  readonly checkGate: CallGate;
  /** GitLab's state: discovery's circuit reads it, every call reports to it (see Role). */
  readonly health: GitlabHealth;
  readonly now: () => number;
  /**
   * The longest one call may take: a wait for a slot (at most apiTimeout,
   * the gate's limit) and the call itself (apiTimeout), and a grace. A probe
   * is given this long before another may go; a look-up joining another's
   * waits no longer than this for it.
   */
  readonly callDeadlineMs: number;
  /** Which GitLab, and which token (a fingerprint, not the token): cache keys name both, so a rotated token never serves what the old one saw. */
  readonly identity: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: GitlabClientOptions) {
    this.url = options.url;
    this.apiTimeoutMs = options.apiTimeoutMs;
    this.now = options.now ?? Date.now;
    this.callDeadlineMs = 2 * options.apiTimeoutMs + CALL_GRACE_MS;
    this.identity = `${options.url}\u0000${fingerprint(options.token ?? "")}`;
    this.gate = new CallGate(options.maxConcurrentCalls, options.apiTimeoutMs);
    this.checkGate = new CallGate(
      options.maxConcurrentChecks ?? DEFAULT_MAX_CONCURRENT_CHECKS,
      options.apiTimeoutMs,
      "credential checks at once (gitlab.maxConcurrentChecks)",
    );
    this.health = new GitlabHealth(this.now, FAILURE_BACKOFF_MS, this.callDeadlineMs, options.onStateChange);
    // Called as a method, the global fetch would get this client as `this`: workerd then throws
    // "Illegal invocation" (Node does not mind), so the global is wrapped, never stored bare.
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Calls in flight now (tests, metrics). */
  get callsInFlight(): number {
    return this.gate.active;
  }

  /**
   * GET /projects/:id by full path: the project, or undefined when GitLab
   * does not know it or does not show it to modgate's token (the Projects
   * API answers 404 for both).
   */
  async project(project: string, lookup?: LookupCall): Promise<GitlabProject | undefined> {
    const body = await this.getObject(this.apiCall("project", this.projectUrl(project), [404], lookup));
    return body === undefined ? undefined : parseProject(body);
  }

  /**
   * GET /groups/:id by full path: the group, or undefined (404, as for
   * projects). with_projects=false: GitLab would otherwise list up to 100 of
   * the group's projects in the answer (Groups API, "Get a single group").
   */
  async group(fullPath: string, lookup?: LookupCall): Promise<GitlabGroup | undefined> {
    const url = `${this.apiUrl()}/groups/${encodeURIComponent(fullPath)}?with_projects=false`;
    const body = await this.getObject(this.apiCall("group", url, [404], lookup));
    if (body === undefined) return undefined;
    if (typeof body.full_path !== "string") throw new GitlabUnavailable("bad_answer", "GitLab answered with something that is not a group", 200);
    return { fullPath: body.full_path };
  }

  /** Every tag whose name starts with `prefix` (GitLab's `^` search, checked again here). */
  async tags(project: string, prefix: string): Promise<GitlabTag[]> {
    const query = new URLSearchParams({ order_by: "name", sort: "asc", per_page: String(PER_PAGE) });
    if (prefix !== "") query.set("search", "^" + prefix);
    const items = await this.getPages("tags", `${this.projectUrl(project)}/repository/tags`, query);
    const tags: GitlabTag[] = [];
    for (const item of items) {
      const t = toTag(item);
      if (t.name.startsWith(prefix)) tags.push(t);
    }
    return tags;
  }

  async tag(project: string, name: string): Promise<GitlabTag | undefined> {
    const body = await this.getObject(this.apiCall("tag", `${this.projectUrl(project)}/repository/tags/${encodeURIComponent(name)}`));
    return body === undefined ? undefined : toTag(body);
  }

  async branches(project: string): Promise<GitlabBranch[]> {
    const items = await this.getPages("branches", `${this.projectUrl(project)}/repository/branches`, new URLSearchParams({ per_page: String(PER_PAGE) }));
    return items.map(toBranch);
  }

  async branch(project: string, name: string): Promise<GitlabBranch | undefined> {
    const body = await this.getObject(this.apiCall("branch", `${this.projectUrl(project)}/repository/branches/${encodeURIComponent(name)}`));
    return body === undefined ? undefined : toBranch(body);
  }

  /** A commit by id (or unique id prefix, as git resolves it). */
  async commit(project: string, sha: string): Promise<GitlabCommit | undefined> {
    const c = await this.getObject(this.apiCall("commit", `${this.projectUrl(project)}/repository/commits/${encodeURIComponent(sha)}`));
    if (c === undefined) return undefined;
    const date = typeof c.committed_date === "string" ? new Date(c.committed_date) : undefined;
    if (typeof c.id !== "string" || !date || Number.isNaN(date.getTime()))
      throw new GitlabUnavailable("bad_answer", "GitLab answered with something that is not a commit", 200);
    return { id: c.id, committedAt: date };
  }

  /** True when some branch or tag contains the commit (the go command fetches only those). */
  async isReachable(project: string, sha: string): Promise<boolean> {
    const query = new URLSearchParams({ type: "all", per_page: "1" });
    const body = await this.getJson(this.apiCall("commit-refs", `${this.projectUrl(project)}/repository/commits/${encodeURIComponent(sha)}/refs?${query}`));
    return Array.isArray(body) && body.length > 0;
  }

  /** The merge base of two commits, or undefined when they share no history (GitLab answers 400 then). */
  async mergeBase(project: string, a: string, b: string): Promise<string | undefined> {
    const query = new URLSearchParams();
    query.append("refs[]", a);
    query.append("refs[]", b);
    const body = await this.getObject(this.apiCall("merge-base", `${this.projectUrl(project)}/repository/merge_base?${query}`, [404, 400]));
    if (body === undefined) return undefined;
    return typeof body.id === "string" ? body.id : undefined;
  }

  /**
   * Every entry below `path` at `sha`, recursively. Keyset pagination
   * (`pagination=keyset`, the next page_token from the Link header): offset
   * pages of a recursive tree are cut from Gitaly's trees-first order while
   * each page is re-sorted, so with submodules or deep trees they can skip
   * or repeat entries (lib/api/repositories.rb, Gitaly GetTreeEntries). A
   * GitLab before 15.0 ignores the parameter and pages by offset; both are followed.
   */
  async tree(project: string, sha: string, path: string): Promise<GitlabTreeEntry[] | undefined> {
    const query = new URLSearchParams({ ref: sha, recursive: "true", per_page: String(PER_PAGE), pagination: "keyset" });
    if (path !== "") query.set("path", path);
    const items = await this.getPages("tree", `${this.projectUrl(project)}/repository/tree`, query, true);
    if (items === undefined) return undefined;
    return items.map((item) => {
      const e = item as Record<string, unknown>;
      if (
        typeof e.id !== "string" ||
        typeof e.path !== "string" ||
        typeof e.mode !== "string" ||
        (e.type !== "blob" && e.type !== "tree" && e.type !== "commit")
      ) {
        throw new GitlabUnavailable("bad_answer", "GitLab answered with a tree entry of an unknown shape", 200);
      }
      return { id: e.id, path: e.path, type: e.type, mode: e.mode };
    });
  }

  /**
   * A file's raw bytes at a commit (no .gitattributes conversion), or
   * undefined when there is none. Never more than `maxBytes` is read: a
   * larger file is BodyTooLargeError, found from Content-Length when GitLab
   * sends one, else once the limit is passed.
   */
  async file(project: string, sha: string, path: string, maxBytes = MAX_RAW_BYTES): Promise<Uint8Array | undefined> {
    const url = `${this.projectUrl(project)}/repository/files/${encodeURIComponent(path)}/raw?${new URLSearchParams({ ref: sha })}`;
    return this.call(this.apiCall("file", url, [404]), async (response) => {
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      return this.readBody(response, "file", maxBytes);
    });
  }

  /** A blob's raw bytes; never more than `maxBytes` read (BodyTooLargeError, as for file). */
  async blob(project: string, id: string, maxBytes = MAX_RAW_BYTES): Promise<Uint8Array> {
    const call = this.apiCall("blob", `${this.projectUrl(project)}/repository/blobs/${encodeURIComponent(id)}/raw`, []);
    return this.call(call, async (response) => this.readBody(response, "blob", maxBytes));
  }

  /**
   * The repository archive (`git archive --format=zip`) of `dir` at `sha`,
   * without LFS content (what the go command sees are the pointer files).
   * The body is the caller's to consume, and its slot is given back once the
   * headers are in: it streams for as long as its reader takes. Undefined
   * when `dir` does not exist.
   */
  async archive(project: string, sha: string, dir: string): Promise<Response | undefined> {
    const query = new URLSearchParams({ sha, include_lfs_blobs: "false" });
    if (dir !== "") query.set("path", dir);
    const call: Call = { ...this.apiCall("archive", `${this.projectUrl(project)}/repository/archive.zip?${query}`, [404]), streamed: true };
    return this.call(call, async (response) => {
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      return response;
    });
  }

  /**
   * Whether GitLab lets `credential` read the project's code, asked the way
   * `git clone` asks: GET <gitlab.url>/<project>.git/info/refs?service=git-upload-pack
   * with HTTP Basic, and no token of modgate's. GitLab's git endpoint takes
   * every credential a reader may hold — personal, project and group access
   * tokens, OAuth tokens (login oauth2), CI job tokens (login
   * gitlab-ci-token, with the job token allowlist applied), deploy tokens
   * (their own login) — and checks download_code, which a Guest of a private
   * project lacks (GET /projects/:id alone would let a Guest through). The
   * redirect policy keeps the credential on GitLab's own URL. It waits for a
   * slot of the checks' own cap (gitlab.maxConcurrentChecks), then takes one
   * of the API's cap like any call. GitLab's ban of modgate's address
   * (BANNED_BODY) is GitlabUnavailable("banned"), never a verdict.
   */
  async canRead(project: string, credential: Credential): Promise<AccessVerdict> {
    const call: Call = {
      role: "access",
      endpoint: "access",
      url: `${this.url}/${project.split("/").map(encodeURIComponent).join("/")}.git/info/refs?service=git-upload-pack`,
      headers: { Authorization: basicAuthorization(credential), "User-Agent": GIT_USER_AGENT },
      answers: [401, 403, 404],
    };
    const release = await this.checkGate.acquire();
    try {
      return await this.call(call, async (response) => {
        if (response.status === 403) {
          // The body tells GitLab's ban from a refusal of this credential; both are a line of text.
          // More than a line of text is not the ban's answer.
          let body: string;
          try {
            body = new TextDecoder().decode(await this.readBody(response, "access", MAX_REFUSAL_BYTES));
          } catch (err) {
            if (err instanceof BodyTooLargeError) return "denied";
            throw err;
          }
          if (BANNED_BODY.test(body)) {
            throw new GitlabUnavailable(
              "banned",
              `GitLab has banned modgate's address from Git HTTP authentication after too many failed logins (403 ${JSON.stringify(body.trim())}): ` +
                "private modules answer 503 until the ban lifts (GitLab's rack_attack git_basic_auth bantime, 1 h by default); " +
                "add modgate's address to that setting's ip_whitelist, or lower proxy.failedAuth.total",
              403,
            );
          }
          // Seen but no download_code (a Guest, a job token outside the allowlist).
          return "denied";
        }
        // Only the status matters: the ref advertisement is not read.
        await response.body?.cancel().catch(() => {});
        if (response.status === 200) return "allowed";
        if (response.status === 401) return "rejected";
        // 404: not visible to it.
        return "denied";
      });
    } finally {
      release();
    }
  }

  private apiUrl(): string {
    return `${this.url}/api/v4`;
  }

  private projectUrl(project: string): string {
    return `${this.apiUrl()}/projects/${encodeURIComponent(project)}`;
  }

  /** A call of the REST API with modgate's token; a look-up's when `lookup` is given. */
  private apiCall(endpoint: string, url: string, answers: readonly number[] = [404], lookup?: LookupCall): Call {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.options.token) headers["PRIVATE-TOKEN"] = this.options.token;
    return lookup ? { role: "lookup", endpoint, url, headers, answers, probe: lookup.probe } : { role: "rest", endpoint, url, headers, answers };
  }

  /** The JSON GitLab answered with 200; undefined for the other statuses the call takes as answers. */
  private getJson(call: Call): Promise<unknown> {
    return this.call(call, async (response) => {
      if (response.status !== 200) {
        await response.body?.cancel();
        return undefined;
      }
      return this.parseJson(response, call.endpoint);
    });
  }

  /** getJson for the calls that answer one object. */
  private async getObject(call: Call): Promise<Record<string, unknown> | undefined> {
    const body = await this.getJson(call);
    if (body === undefined) return undefined;
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new GitlabUnavailable("bad_answer", `GitLab answered ${call.endpoint} with something that is not a JSON object`, 200);
    }
    return body as Record<string, unknown>;
  }

  /** Follows GitLab's pagination (x-next-page, or the keyset page_token in Link) with URLs of our own making. */
  private async getPages(endpoint: string, base: string, query: URLSearchParams, missingOk?: false): Promise<unknown[]>;
  private async getPages(endpoint: string, base: string, query: URLSearchParams, missingOk: true): Promise<unknown[] | undefined>;
  private async getPages(endpoint: string, base: string, query: URLSearchParams, missingOk = false): Promise<unknown[] | undefined> {
    const all: unknown[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const call = this.apiCall(endpoint, `${base}?${query}`, missingOk ? [404] : []);
      const answer = await this.call(call, async (response) => {
        if (response.status === 404) {
          await response.body?.cancel();
          return undefined;
        }
        return { body: await this.parseJson(response, endpoint), next: nextPage(response.headers) };
      });
      if (answer === undefined) return undefined;
      if (!Array.isArray(answer.body)) throw new GitlabUnavailable("bad_answer", `GitLab answered ${endpoint} with something that is not a list`, 200);
      all.push(...answer.body);
      const next = answer.next;
      if (!next) return all;
      if ("page" in next) query.set("page", next.page);
      else query.set("page_token", next.pageToken);
    }
    throw new GitlabUnavailable("bad_answer", `GitLab's ${endpoint} list did not end after ${MAX_PAGES} pages`, 200);
  }

  private async parseJson(response: Response, endpoint: string): Promise<unknown> {
    let bytes: Uint8Array;
    try {
      bytes = await this.readBody(response, endpoint, MAX_JSON_BYTES);
    } catch (err) {
      if (err instanceof BodyTooLargeError) throw new GitlabUnavailable("bad_answer", `${err.message}: not an answer modgate reads`, response.status);
      throw err;
    }
    const text = new TextDecoder().decode(bytes);
    try {
      return JSON.parse(text);
    } catch {
      throw new GitlabUnavailable("bad_answer", "GitLab answered with something that is not JSON: is gitlab.url GitLab itself?", response.status);
    }
  }

  /**
   * The whole body, never more than `limit` bytes of it: a Content-Length
   * over the limit refuses it before reading, and the stream is stopped as
   * soon as it passes the limit (BodyTooLargeError either way). A body cut
   * off or timed out is GitLab failing like no answer at all.
   */
  private async readBody(response: Response, endpoint: string, limit: number): Promise<Uint8Array> {
    return readCapped(response, endpoint, limit).catch((err: unknown) => {
      if (err instanceof BodyTooLargeError) throw err;
      throw fetchFailure(err, this.url, this.apiTimeoutMs);
    });
  }

  /**
   * One call: refused at once when modgate is misconfigured; otherwise in a
   * slot of the cap, held until `read` is done with the answer (a socket is
   * in use until its body is read; an archive's reader returns at once with
   * the body unread). Failures are reported to the circuit as the call's
   * role says, before the slot is handed on.
   */
  private async call<T>(call: Call, read: (response: Response) => Promise<T>): Promise<T> {
    if (this.options.misconfigured) {
      const err = new GitlabUnavailable("misconfigured", this.options.misconfigured);
      if (call.role !== "access") this.health.failed(err);
      throw err;
    }
    const release = await this.gate.acquire();
    try {
      if (call.role === "lookup" && !call.probe && this.health.isFailing) throw this.health.heldBack();
      return await read(await this.send(call));
    } catch (err) {
      if (call.role === "lookup" && isGitlabFailure(err)) this.health.failed(err);
      throw err;
    } finally {
      release();
    }
  }

  /** The HTTP request: the answer when its status is 200 or one of `call.answers`, GitlabUnavailable otherwise. */
  private async send(call: Call): Promise<Response> {
    const rest = call.role === "rest";
    const started = Date.now();
    // An archive may take a while to start (GitLab builds it before the first byte): a longer wait
    // for its headers, and none for its body. Anything else: apiTimeout for all of it, body included.
    const timeoutMs = call.streamed ? Math.max(this.apiTimeoutMs * 6, ARCHIVE_START_MS) : this.apiTimeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let signal: AbortSignal;
    if (call.streamed) {
      const controller = new AbortController();
      timer = setTimeout(() => controller.abort(new DOMException("timed out", "TimeoutError")), timeoutMs);
      signal = controller.signal;
    } else {
      signal = AbortSignal.timeout(timeoutMs);
    }
    let response: Response;
    try {
      // redirect "manual": a redirect would carry the token (or the client's credential) to wherever it points.
      response = await this.fetchFn(call.url, { headers: call.headers, redirect: "manual", signal });
    } catch (err) {
      if (rest) this.options.onCall?.(call.endpoint, 0, Date.now() - started);
      const failure = fetchFailure(err, this.url, timeoutMs);
      if (rest) this.health.failed(failure);
      throw failure;
    } finally {
      clearTimeout(timer);
    }
    if (rest) this.options.onCall?.(call.endpoint, response.status, Date.now() - started);
    if (response.status === 200 || call.answers.includes(response.status)) {
      if (rest) this.health.succeeded();
      return response;
    }
    await response.body?.cancel().catch(() => {});
    const failure = statusFailure(response.status, this.url, response.headers);
    if (rest) this.health.failed(failure);
    throw failure;
  }
}

/**
 * Reads a body whole, up to `limit` bytes (see GitlabClient.readBody):
 * Content-Length, when present, is checked first and sizes the buffer;
 * otherwise the chunks are kept until the end and joined.
 */
export async function readCapped(response: Response, endpoint: string, limit: number): Promise<Uint8Array> {
  const header = response.headers.get("content-length");
  // With a Content-Encoding, Content-Length counts the encoded bytes, not what fetch hands on.
  const encoding = response.headers.get("content-encoding");
  const plain = encoding === null || encoding.trim() === "" || encoding.trim().toLowerCase() === "identity";
  const declared = plain && header !== null && /^[0-9]+$/.test(header.trim()) ? Number(header.trim()) : undefined;
  if (declared !== undefined && declared > limit) {
    await response.body?.cancel().catch(() => {});
    throw new BodyTooLargeError(endpoint, limit, declared);
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  // A declared size fills one buffer in place; anything else is kept in chunks, joined at the end.
  let buffer = declared !== undefined ? new Uint8Array(declared) : undefined;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.length > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(endpoint, limit);
    }
    if (buffer && total + value.length > buffer.length) {
      // More than declared (still within the limit): on in chunks.
      chunks.push(buffer.subarray(0, total));
      buffer = undefined;
    }
    if (buffer) buffer.set(value, total);
    else chunks.push(value);
    total += value.length;
  }
  if (buffer) return total === buffer.length ? buffer : buffer.subarray(0, total);
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** FNV-1a of the token: enough to tell tokens apart in cache keys, and not the token. */
function fingerprint(token: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    hash ^= token.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16);
}

/** The next page as GitLab announces it: offset pagination's x-next-page, or keyset's page_token in Link. */
function nextPage(headers: Headers): { page: string } | { pageToken: string } | undefined {
  const page = headers.get("x-next-page");
  if (page && /^[0-9]+$/.test(page)) return { page };
  const link = headers.get("link");
  if (link) {
    for (const part of link.split(",")) {
      if (!/rel="next"/.test(part)) continue;
      const m = /<([^>]*)>/.exec(part);
      if (!m) continue;
      try {
        const token = new URL(m[1]!).searchParams.get("page_token");
        if (token) return { pageToken: token };
        const p = new URL(m[1]!).searchParams.get("page");
        if (p && /^[0-9]+$/.test(p)) return { page: p };
      } catch {
        // A Link we cannot read ends the list as GitLab's offset headers would.
      }
    }
  }
  return undefined;
}

function toTag(item: unknown): GitlabTag {
  const t = item as Record<string, unknown>;
  const commit = t.commit as Record<string, unknown> | null | undefined;
  if (typeof t.name !== "string" || !commit || typeof commit.id !== "string") {
    throw new GitlabUnavailable("bad_answer", "GitLab answered with a tag of an unknown shape", 200);
  }
  return { name: t.name, commit: commit.id };
}

function toBranch(item: unknown): GitlabBranch {
  const b = item as Record<string, unknown>;
  const commit = b.commit as Record<string, unknown> | null | undefined;
  if (typeof b.name !== "string" || !commit || typeof commit.id !== "string") {
    throw new GitlabUnavailable("bad_answer", "GitLab answered with a branch of an unknown shape", 200);
  }
  return { name: b.name, commit: commit.id };
}

import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import { serveGitHttpBackend } from "./git-http.js";
import {
  ACCESS_LEVELS,
  directRole,
  GitLabAccess,
  identityOf,
  roleOn,
  type AccessAnswer,
  type Actor,
  type Authentication,
  type GitLabAccessOptions,
  type GitLabVisibility,
  type JobTokenScopeSpec,
} from "./gitlab-access.js";
import { answerRepositoryApi, parseRepositoryRoute, type ApiAnswer, type RepositoryEndpoint, type RepositoryFeatures } from "./gitlab-repository-api.js";
import { closeServer, listenLoopback, LOOPBACK } from "./net.js";
import { GIT_BAN_MESSAGE, GitBasicAuthBan, peerIp, type GitBasicAuthBanSpec } from "./gitlab-auth-ban.js";

/**
 * A GitLab stand-in: the part of GitLab's REST API v4 modgate uses (`GET /api/v4/projects/:id`,
 * `GET /api/v4/groups/:id`, and the `/projects/:id/repository/*` reads in gitlab-repository-api.ts),
 * answered the way GitLab answers, plus git smart HTTP for the bare repositories under `root` at
 * `<url>/<full path>.git`.
 *
 * GitLab behaviours reproduced (from its API helpers `find_project!`/`find_group!` and
 * `Routable.find_by_full_path`):
 * - `:id` is a numeric id or the URL-encoded full path, decoded once. A path with no `/` after
 *   decoding is never a project (GitLab only looks up ids and `group/.../project`). A raw `/` in
 *   `:id` matches no route at all: 404 `{"error":"404 Not Found"}`.
 * - Path look-ups are case-insensitive and answer with the canonical path; a project is also
 *   found under any of its `formerPaths` (GitLab's redirect routes), answering with the new path.
 * - `PRIVATE-TOKEN`, `Authorization: Bearer` or `?private_token=`: a wrong token is 401 on every
 *   existing route, even for public projects; revoked or expired 401 `invalid_token`; a token
 *   without api/read_api 403 `insufficient_scope`. Who sees what follows the access model of
 *   gitlab-access.ts (users, memberships and roles, personal/project/group/OAuth/job/deploy
 *   tokens): without a token only public projects are visible. Missing and invisible both answer
 *   404 `{"message":"404 Project Not Found"}` (groups: `{"message":"404 Group Not Found"}`); a
 *   visible project whose code the caller may not read (a Guest of a private project) answers its
 *   repository endpoints 403 `{"message":"403 Forbidden"}`.
 * - Groups are found by id or full path (top-level ones too), case-insensitively, without
 *   following redirect routes (`Group.find_by_full_path` is called without follow_redirects).
 * - `ssh_url_to_repo` is in scp form, `git@<sshHost>:<path>.git`.
 * - git over HTTP needs credentials (Basic, password = the token) for internal and private
 *   projects; without them GitLab answers 401 (`WWW-Authenticate: Basic realm="GitLab"`) whether
 *   or not the project exists; a credential GitLab rejects is 401; with an accepted one a missing
 *   or invisible project is 404, a visible one whose code it may not read 403 (GitAccess's texts).
 *   A moved project is cloneable under its former path too.
 * - With `gitBasicAuthBan`, an address with too many failed Basic logins on the git endpoint is
 *   banned from Git HTTP auth: 403 `Too many failed authentication attempts from this IP` to every
 *   credential, valid ones too, for bantime (gitlab-auth-ban.ts has GitLab's rules and sources).
 * - modgate's own `token` is an administrator's read_api + read_repository personal token: it
 *   sees every project, as before the access model existed.
 * - Every git and API request is recorded with the credential's identity (`identityOf`: token kind
 *   and owner, never the secret); `requestsLog` alone keeps raw headers, secrets included.
 *
 * The `projects` array is read on every request, so a test may add, move or delete projects
 * while the stand-in runs. Ids are positional: project `i` has id `1000 + i`.
 */

export type { GitLabVisibility } from "./gitlab-access.js";

export interface StandInProject {
  /** Full path without `.git`; the bare repository is `<root>/<path>.git` (makeRepo). */
  path: string;
  visibility: GitLabVisibility;
  /** Default `main`. */
  defaultBranch?: string;
  /**
   * The API's repository_access_level (default `enabled`): `private` is a members-only repository
   * (GitLab then refuses anonymous clones even of a public project), `disabled` no repository.
   * Like visibility, it may be changed while the stand-in runs.
   */
  repositoryAccessLevel?: "enabled" | "private" | "disabled";
  /** Paths the project had before it was moved or renamed; GitLab still finds it under them. */
  formerPaths?: string[];
  /** CI/CD job token settings: default "Limit access to this project" on with an empty allowlist. */
  jobTokenScope?: JobTokenScopeSpec;
}

export interface GitLabStandInOptions {
  /** Directory holding the bare repositories, `<root>/<full path>.git`. */
  root: string;
  /** modgate's server token: an administrator's read_api + read_repository personal access token. */
  token: string;
  /** Users, memberships and tokens (gitlab-access.ts); the arrays are read on every request. */
  access?: GitLabAccessOptions;
  projects: StandInProject[];
  /** Host in `ssh_url_to_repo` (`git@<sshHost>:<path>.git`); default 127.0.0.1. */
  sshHost?: string;
  /** Feature flags changing repository list pagination (gitlab-repository-api.ts). */
  features?: RepositoryFeatures;
  /** GitLab's rack_attack.git_basic_auth ban, with its thresholds; absent: off (GitLab's default for self-managed). */
  gitBasicAuthBan?: GitBasicAuthBanSpec;
}

export type GitLabStandInMode = "ok" | "down" | "refuse" | "slow" | "hang" | "status";

/** For mode `status`: the status every API call (or only `endpoints`) answers. */
export interface GitLabStatusFault {
  status: number;
  /** Seconds for `Retry-After` (429 and 503 answers). */
  retryAfter?: number;
  /** Only these endpoints fail; default all. */
  endpoints?: GitLabEndpoint[];
  /**
   * A JSON body instead of the default one, e.g. the archive endpoint's own rate limit:
   * `{ message: { error: 'This archive has been requested too many times. Try again later.' } }`.
   */
  body?: unknown;
}

/** What an API call asked for: `project`, `group`, a repository endpoint, or `other`. */
export type GitLabEndpoint = "project" | "group" | RepositoryEndpoint | "other";

export interface GitLabApiCall {
  /** Request target as received, query included, e.g. `/api/v4/projects/platform%2Foss%2Fa`. */
  path: string;
  /** The `:id` of a projects/groups route, decoded once; '' for other routes. */
  id: string;
  endpoint: GitLabEndpoint;
  /** Which route: `projects/:id`, `groups/:id`, or '' for any other. */
  kind: "projects" | "groups" | "";
  /** 'token': a credential GitLab accepted; 'bad-token': one it rejected; 'none': anonymous. */
  auth: "token" | "bad-token" | "none";
  /** Who asked (identityOf: e.g. `personal-access-token:alice`, `anonymous`), never the secret. */
  identity: string;
  /** HTTP status answered; 0 while a slow answer is pending and for refused requests. */
  status: number;
  /** Date.now() when the request arrived. */
  at: number;
}

export interface GitLabGitRequest {
  method: string;
  /** Request target as received. */
  url: string;
  /** Canonical path of the project served, undefined when refused. */
  project: string | undefined;
  status: number;
  /** `git-upload-pack`, `git-receive-pack` (from `?service=` or the POST path), or ''. */
  service: string;
  auth: "token" | "bad-token" | "none";
  /** Who asked (identityOf), never the secret. */
  identity: string;
}

export interface GitLabStandIn {
  /** `http://127.0.0.1:PORT`: web URL; git over HTTP at `<url>/<path>.git`; API at `<url>/api/v4`. */
  url: string;
  /** Every /api/v4 request, in arrival order. */
  apiCalls: GitLabApiCall[];
  /** Every git smart-HTTP request (anything ending up outside /api/v4 that names `<path>.git`). */
  gitRequests: GitLabGitRequest[];
  /** The access model: revoke(token), setRole(user, path, role), and the options it reads. */
  access: GitLabAccess;
  /** The git auth ban (undefined unless `gitBasicAuthBan` was given): banned(ip, login), failures(ip), lift(). */
  gitAuthBan: GitBasicAuthBan | undefined;
  /**
   * Every request line plus its headers as received (API, git and anything else). The token
   * appears here in PRIVATE-TOKEN/Authorization headers by design.
   */
  requestsLog: string[];
  /**
   * Applies to /api/v4 only (git over HTTP keeps working): `down` answers 500
   * `{"message":"500 Internal Server Error"}`, `refuse` destroys the socket without an answer,
   * `slow` answers normally after `delayMs` (default 1000), `hang` accepts the request and never
   * answers (until close(): a GitLab that stopped mid-request), `status` answers `fault.status`
   * (429: GitLab's throttle answer with Retry-After) for every call or only `fault.endpoints`.
   */
  setMode(mode: GitLabStandInMode, delayMsOrFault?: number | GitLabStatusFault): void;
  close(): Promise<void>;
}

/** The `:id` GitLab wants for a project or group path: `group/sub/p` → `group%2Fsub%2Fp`. */
export function encodeProjectId(path: string | number): string {
  return encodeURIComponent(String(path));
}

const CREATED_AT = "2024-01-02T03:04:05.000Z";
/** The administrator whose personal token `opts.token` is. */
const SERVER_USER = "modgate-server";
const VISIBILITY_RANK: Record<GitLabVisibility, number> = { private: 0, internal: 1, public: 2 };

type Auth = GitLabApiCall["auth"];

/** The recorded auth kind of an authentication outcome. */
function authKind(auth: Authentication): Auth {
  return auth.kind === "anonymous" ? "none" : auth.kind === "rejected" ? "bad-token" : "token";
}

interface ProjectEntry {
  id: number;
  spec: StandInProject;
}

interface GroupEntry {
  id: number;
  fullPath: string;
  visibility: GitLabVisibility;
}

interface Catalog {
  projects: ProjectEntry[];
  groups: Map<string, GroupEntry>;
}

function checkPath(path: string, what: string): void {
  const segments = path.split("/");
  if (segments.length < 2 || segments.some((s) => s === "" || s === "." || s === "..") || path.endsWith(".git")) {
    throw new Error(`GitLab stand-in: invalid ${what} ${JSON.stringify(path)}: want group/sub/project without .git`);
  }
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/"));
}

/** Projects with positional ids, and every group implied by their paths. */
function buildCatalog(specs: readonly StandInProject[]): Catalog {
  const projects = specs.map((spec, i) => {
    checkPath(spec.path, "project path");
    for (const former of spec.formerPaths ?? []) checkPath(former, "former path");
    return { id: 1000 + i, spec };
  });
  const groups = new Map<string, GroupEntry>();
  for (const { spec } of projects) {
    // A group is at least as visible as every project in it (GitLab enforces this).
    for (let ns = parentOf(spec.path); ns !== ""; ns = ns.includes("/") ? parentOf(ns) : "") {
      const key = ns.toLowerCase();
      const group = groups.get(key);
      if (group === undefined) groups.set(key, { id: 100 + groups.size, fullPath: ns, visibility: spec.visibility });
      else if (VISIBILITY_RANK[spec.visibility] > VISIBILITY_RANK[group.visibility]) group.visibility = spec.visibility;
    }
  }
  return { projects, groups };
}

/** Routable.find_by_full_path(follow_redirects: true): exact, then case-insensitive, then redirect routes. */
function findProject(catalog: Catalog, id: string): ProjectEntry | undefined {
  if (/^\d+$/.test(id)) return catalog.projects.find((p) => p.id === Number(id));
  if (!id.includes("/")) return undefined;
  const lower = id.toLowerCase();
  return (
    catalog.projects.find((p) => p.spec.path === id) ??
    catalog.projects.find((p) => p.spec.path.toLowerCase() === lower) ??
    catalog.projects.find((p) => (p.spec.formerPaths ?? []).some((f) => f.toLowerCase() === lower))
  );
}

function findGroup(catalog: Catalog, id: string): GroupEntry | undefined {
  if (/^\d+$/.test(id)) return [...catalog.groups.values()].find((g) => g.id === Number(id));
  return catalog.groups.get(id.toLowerCase());
}

interface ApiRoute {
  kind: "projects" | "groups";
  /** `:id` decoded once. */
  id: string;
}

/** `/projects/:id` or `/groups/:id` below /api/v4; `:id` never holds a raw slash (GitLab's route requirement). */
function parseApiRoute(route: string): ApiRoute | undefined {
  const match = /^\/(projects|groups)\/([^/]+)$/.exec(route);
  if (match === null) return undefined;
  try {
    return { kind: match[1] as ApiRoute["kind"], id: decodeURIComponent(match[2]!) };
  } catch {
    return undefined;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The API credential: PRIVATE-TOKEN, Bearer or the private_token/access_token query; JOB-TOKEN apart. */
function apiSecrets(req: IncomingMessage, query: URLSearchParams): { secret?: string; jobToken?: string } {
  const bearer = /^Bearer\s+(.+)$/i.exec(header(req, "authorization") ?? "")?.[1];
  const secret = header(req, "private-token") || bearer || query.get("private_token") || query.get("access_token") || undefined;
  const jobToken = header(req, "job-token") || query.get("job_token") || undefined;
  return { ...(secret ? { secret } : {}), ...(jobToken ? { jobToken } : {}) };
}

/** git over HTTP authenticates with Basic `login:password`; undefined without Basic credentials. */
function basicCredentials(req: IncomingMessage): { login: string; password: string } | undefined {
  const basic = /^Basic\s+(.+)$/i.exec(header(req, "authorization") ?? "")?.[1];
  if (basic === undefined) return undefined;
  const decoded = Buffer.from(basic, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? { login: decoded, password: "" } : { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function groupName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function namespaceBody(url: string, catalog: Catalog, fullPath: string) {
  const group = catalog.groups.get(fullPath.toLowerCase());
  const parent = fullPath.includes("/") ? catalog.groups.get(parentOf(fullPath).toLowerCase()) : undefined;
  return {
    id: group?.id ?? 0,
    name: groupName(fullPath),
    path: groupName(fullPath),
    kind: "group",
    full_path: fullPath,
    parent_id: parent?.id ?? null,
    avatar_url: null,
    web_url: `${url}/groups/${fullPath}`,
  };
}

/** `{access_level, notification_level}` as GitLab's ProjectWithAccess entity shows a membership. */
function memberAccess(role: ReturnType<typeof roleOn>) {
  return role === undefined ? null : { access_level: ACCESS_LEVELS[role], notification_level: 3 };
}

function projectBody(url: string, sshHost: string, catalog: Catalog, entry: ProjectEntry, actor: Actor) {
  const path = entry.spec.path;
  const name = groupName(path);
  const body: Record<string, unknown> = {
    id: entry.id,
    description: null,
    name,
    name_with_namespace: path.split("/").join(" / "),
    path: name,
    path_with_namespace: path,
    created_at: CREATED_AT,
    default_branch: entry.spec.defaultBranch ?? "main",
    tag_list: [],
    topics: [],
    ssh_url_to_repo: `git@${sshHost}:${path}.git`,
    http_url_to_repo: `${url}/${path}.git`,
    web_url: `${url}/${path}`,
    readme_url: null,
    avatar_url: null,
    forks_count: 0,
    star_count: 0,
    last_activity_at: CREATED_AT,
    namespace: namespaceBody(url, catalog, parentOf(path)),
    visibility: entry.spec.visibility,
    repository_access_level: entry.spec.repositoryAccessLevel ?? "enabled",
    archived: false,
    empty_repo: false,
  };
  // GitLab adds the caller's membership for authenticated requests (Entities::ProjectWithAccess):
  // the direct project role, and the best role through the enclosing groups. modgate's server
  // token (an admin, no member) gets nulls.
  if (actor.kind === "user") {
    const memberships = actor.memberships;
    body.permissions = {
      project_access: memberAccess(directRole(memberships, path)),
      group_access: memberAccess(roleOn(memberships, parentOf(path))),
    };
  }
  return body;
}

function groupBody(url: string, catalog: Catalog, group: GroupEntry) {
  const parent = group.fullPath.includes("/") ? catalog.groups.get(parentOf(group.fullPath).toLowerCase()) : undefined;
  return {
    id: group.id,
    web_url: `${url}/groups/${group.fullPath}`,
    name: groupName(group.fullPath),
    path: groupName(group.fullPath),
    description: "",
    visibility: group.visibility,
    full_name: group.fullPath.split("/").join(" / "),
    full_path: group.fullPath,
    created_at: CREATED_AT,
    parent_id: parent?.id ?? null,
    avatar_url: null,
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-cache" });
  res.end(JSON.stringify(body));
}

/**
 * A fault status as GitLab sends it: 429 is Rack::Attack's throttle answer (plain text, Retry-After
 * and RateLimit-* headers); anything else the API's JSON error body.
 */
function sendFault(res: ServerResponse, fault: GitLabStatusFault): void {
  const retry = fault.retryAfter === undefined ? {} : { "retry-after": String(fault.retryAfter) };
  if (fault.body !== undefined) {
    res.writeHead(fault.status, { "content-type": "application/json", "cache-control": "no-cache", ...retry });
    res.end(JSON.stringify(fault.body));
    return;
  }
  if (fault.status === 429) {
    res.writeHead(429, { "content-type": "text/plain", ...retry, "ratelimit-name": "throttle_authenticated_api", "ratelimit-remaining": "0" });
    res.end("Retry later\n");
    return;
  }
  res.writeHead(fault.status, { "content-type": "application/json", "cache-control": "no-cache", ...retry });
  res.end(JSON.stringify({ message: `${fault.status} ${STATUS_CODES[fault.status] ?? "Error"}` }));
}

function rawRequest(req: IncomingMessage): string {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  return lines.join("\r\n");
}

export async function startGitLabStandIn(opts: GitLabStandInOptions): Promise<GitLabStandIn> {
  buildCatalog(opts.projects); // fail fast on a bad project list
  const sshHost = opts.sshHost ?? LOOPBACK;
  const apiCalls: GitLabApiCall[] = [];
  const gitRequests: GitLabGitRequest[] = [];
  const requestsLog: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let mode: GitLabStandInMode = "ok";
  let delayMs = 1000;
  let fault: GitLabStatusFault = { status: 500 };
  let url = "";

  const access = new GitLabAccess(opts.access ?? {}, { token: opts.token, username: SERVER_USER });
  const ban = opts.gitBasicAuthBan === undefined ? undefined : new GitBasicAuthBan(opts.gitBasicAuthBan);

  /** A JSON answer in the shape handleApi sends. */
  function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): ApiAnswer {
    return { status, headers: { "content-type": "application/json", "cache-control": "no-cache", ...headers }, body: JSON.stringify(body) };
  }

  function fromDecision(decision: AccessAnswer): ApiAnswer {
    return {
      status: decision.status,
      headers: { "content-type": "application/json", "cache-control": "no-cache", ...decision.headers },
      body: decision.body ?? "",
    };
  }

  /**
   * The answer GitLab would give to `/projects/:id`, `/groups/:id` or (with `endpoint`) a
   * repository route, up to the point where the repository itself is read: route, method,
   * credential (401/403 scope), visibility (404), and for repository routes read_code (403).
   */
  function answerApi(req: IncomingMessage, route: ApiRoute | undefined, auth: Authentication, endpoint: GitLabEndpoint): ApiAnswer | ProjectEntry {
    if (route === undefined) return jsonAnswer(404, { error: "404 Not Found" });
    if (req.method !== "GET" && req.method !== "HEAD") return jsonAnswer(405, { error: "405 Not Allowed" });
    const problem = access.apiCredentialProblem(auth, endpoint);
    if (problem !== undefined) return fromDecision(problem);
    const actor = auth as Actor;
    const catalog = buildCatalog(opts.projects);
    if (route.kind === "projects") {
      const project = findProject(catalog, route.id);
      if (project === undefined || !access.canReadProject(actor, project.spec)) return jsonAnswer(404, { message: "404 Project Not Found" });
      if (endpoint === "project") return jsonAnswer(200, projectBody(url, sshHost, catalog, project, actor));
      // Repository routes call authorize_read_code!: a Guest of a private project sees the
      // project but gets 403 for its code.
      if (!access.canDownloadCode(actor, project.spec)) return jsonAnswer(403, { message: "403 Forbidden" });
      return project;
    }
    const group = findGroup(catalog, route.id);
    if (group === undefined || !access.canReadGroup(actor, group)) return jsonAnswer(404, { message: "404 Group Not Found" });
    return jsonAnswer(200, groupBody(url, catalog, group));
  }

  /** A repository endpoint for a project the caller may read the code of. */
  async function answerRepository(req: IncomingMessage, rawPath: string, query: URLSearchParams, auth: Authentication): Promise<ApiAnswer> {
    const route = parseRepositoryRoute(rawPath.slice("/api/v4".length))!;
    const decided = answerApi(req, { kind: "projects", id: route.id }, auth, route.endpoint);
    if (!("spec" in decided)) return decided;
    const project = decided;
    const dir = `${opts.root}/${project.spec.path}.git`;
    const repoProject = {
      id: project.id,
      fullPath: project.spec.path,
      defaultBranch: project.spec.defaultBranch ?? "main",
      webUrl: `${url}/${project.spec.path}`,
      dir,
    };
    return answerRepositoryApi(route, repoProject, query, `${url}${rawPath}`, opts.features);
  }

  function handleApi(req: IncomingMessage, res: ServerResponse, rawPath: string, rawQuery: string): void {
    const query = new URLSearchParams(rawQuery);
    const repoRoute = parseRepositoryRoute(rawPath.slice("/api/v4".length));
    const route = parseApiRoute(rawPath.slice("/api/v4".length));
    const endpoint: GitLabEndpoint = repoRoute?.endpoint ?? (route === undefined ? "other" : route.kind === "projects" ? "project" : "group");
    const { secret, jobToken } = apiSecrets(req, query);
    const auth = access.authenticateApi(secret, jobToken, endpoint);
    const id = repoRoute?.id ?? route?.id ?? "";
    const call: GitLabApiCall = {
      path: req.url ?? "",
      id,
      endpoint,
      kind: repoRoute ? "projects" : (route?.kind ?? ""),
      auth: authKind(auth),
      identity: identityOf(auth),
      status: 0,
      at: Date.now(),
    };
    apiCalls.push(call);
    const modeNow = mode === "status" && fault.endpoints !== undefined && !fault.endpoints.includes(endpoint) ? "ok" : mode;
    if (modeNow === "refuse") {
      req.socket.destroy();
      return;
    }
    // Read and held: no status, no byte, until the caller gives up or close() ends the connection.
    if (modeNow === "hang") return;
    const send = (a: ApiAnswer): void => {
      call.status = a.status;
      res.writeHead(a.status, a.headers);
      res.end(req.method === "HEAD" ? undefined : a.body);
    };
    const answer = (): void => {
      if (modeNow === "status") {
        call.status = fault.status;
        sendFault(res, fault);
        return;
      }
      if (modeNow === "down") {
        send(jsonAnswer(500, { message: "500 Internal Server Error" }));
        return;
      }
      if (repoRoute !== undefined) {
        answerRepository(req, rawPath, query, auth).then(send, (err: unknown) => {
          call.status = 500;
          sendJson(res, 500, { message: `500 Internal Server Error (stand-in: ${String(err)})` });
        });
        return;
      }
      const decided = answerApi(req, route, auth, endpoint);
      send("spec" in decided ? jsonAnswer(500, { message: "500 stand-in: no answer" }) : decided);
    };
    if (modeNow !== "slow") {
      answer();
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) answer();
    }, delayMs);
    timers.add(timer);
  }

  /** The git service a smart-HTTP request is for: `?service=` on info/refs, else the POST path. */
  function gitService(rest: string, rawQuery: string): string {
    const fromQuery = new URLSearchParams(rawQuery).get("service");
    if (fromQuery !== null) return fromQuery;
    return /^\/(git-upload-pack|git-receive-pack)$/.exec(rest)?.[1] ?? "";
  }

  function handleGit(req: IncomingMessage, res: ServerResponse, requested: string, rest: string, rawQuery: string): void {
    const escapes = `${requested}${rest}`.split("/").includes("..");
    const project = escapes ? undefined : findProject(buildCatalog(opts.projects), requested);
    const credentials = basicCredentials(req);
    // A non-Basic Authorization header is no git credential GitLab takes: it challenges (401).
    const auth: Authentication =
      credentials !== undefined
        ? access.authenticateGit(credentials.login, credentials.password, project?.spec)
        : header(req, "authorization") === undefined
          ? { kind: "anonymous" }
          : { kind: "rejected", reason: "unknown" };
    const record: GitLabGitRequest = {
      method: req.method ?? "GET",
      url: req.url ?? "",
      project: undefined,
      status: 0,
      service: gitService(rest, rawQuery),
      auth: authKind(auth),
      identity: identityOf(auth),
    };
    gitRequests.push(record);
    if (ban !== undefined && credentials !== undefined) {
      // find_for_git_client: a banned address is refused before its credential counts for anything.
      const ip = peerIp(req.socket.remoteAddress);
      if (ban.banned(ip, credentials.login)) {
        record.status = 403;
        record.identity = "banned";
        res.writeHead(403, { "content-type": "text/plain; charset=utf-8" });
        res.end(GIT_BAN_MESSAGE);
        return;
      }
      ban.record(ip, credentials.login, auth.kind !== "rejected");
    }
    const decision = access.decideGit(auth, project?.spec);
    if (decision.status !== 200) {
      record.status = decision.status;
      res.writeHead(decision.status, { "content-type": "text/plain; charset=utf-8", ...decision.headers });
      res.end(decision.body);
      return;
    }
    record.project = project!.spec.path;
    res.on("finish", () => (record.status = res.statusCode));
    serveGitHttpBackend(req, res, opts.root, `/${project!.spec.path}.git${rest}`, rawQuery);
  }

  const server = createServer((req, res) => {
    requestsLog.push(rawRequest(req));
    const rawUrl = req.url ?? "/";
    const queryAt = rawUrl.indexOf("?");
    const rawPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? "" : rawUrl.slice(queryAt + 1);
    if (rawPath === "/api/v4" || rawPath.startsWith("/api/v4/")) {
      handleApi(req, res, rawPath, rawQuery);
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const git = /^\/(.+?)\.git(\/.*)?$/.exec(path);
    if (git !== null) {
      handleGit(req, res, git[1]!, git[2] ?? "", rawQuery);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("Not Found\n");
  });
  const port = await listenLoopback(server);
  url = `http://${LOOPBACK}:${port}`;
  return {
    url,
    apiCalls,
    gitRequests,
    access,
    gitAuthBan: ban,
    requestsLog,
    setMode(next, option) {
      mode = next;
      if (typeof option === "number") delayMs = option;
      else if (option !== undefined) fault = option;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await closeServer(server);
    },
  };
}

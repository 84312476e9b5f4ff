import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { serveGitHttpBackend } from './git-http.js';
import {
  answerRepositoryApi,
  parseRepositoryRoute,
  type ApiAnswer,
  type RepositoryEndpoint,
  type RepositoryFeatures,
} from './gitlab-repository-api.js';
import { closeServer, listenLoopback, LOOPBACK } from './net.js';

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
 *   existing route, even for public projects. Without a token only public projects are visible.
 *   Missing and invisible both answer 404 `{"message":"404 Project Not Found"}` (groups:
 *   `{"message":"404 Group Not Found"}`; a group is visible when it is public or with the token).
 * - Groups are found by id or full path (top-level ones too), case-insensitively, without
 *   following redirect routes (`Group.find_by_full_path` is called without follow_redirects).
 * - `ssh_url_to_repo` is in scp form, `git@<sshHost>:<path>.git`.
 * - git over HTTP needs credentials (Basic, password = the token) for internal and private
 *   projects; without them GitLab answers 401 whether or not the project exists, with them a
 *   missing project is 404. A moved project is cloneable under its former path too.
 *
 * The `projects` array is read on every request, so a test may add, move or delete projects
 * while the stand-in runs. Ids are positional: project `i` has id `1000 + i`.
 */

export type GitLabVisibility = 'public' | 'internal' | 'private';

export interface StandInProject {
  /** Full path without `.git`; the bare repository is `<root>/<path>.git` (makeRepo). */
  path: string;
  visibility: GitLabVisibility;
  /** Default `main`. */
  defaultBranch?: string;
  /** Paths the project had before it was moved or renamed; GitLab still finds it under them. */
  formerPaths?: string[];
}

export interface GitLabStandInOptions {
  /** Directory holding the bare repositories, `<root>/<full path>.git`. */
  root: string;
  /** The one valid token (a `read_api` personal access token). */
  token: string;
  projects: StandInProject[];
  /** Host in `ssh_url_to_repo` (`git@<sshHost>:<path>.git`); default 127.0.0.1. */
  sshHost?: string;
  /** Feature flags changing repository list pagination (gitlab-repository-api.ts). */
  features?: RepositoryFeatures;
}

export type GitLabStandInMode = 'ok' | 'down' | 'refuse' | 'slow' | 'status';

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
export type GitLabEndpoint = 'project' | 'group' | RepositoryEndpoint | 'other';

export interface GitLabApiCall {
  /** Request target as received, query included, e.g. `/api/v4/projects/platform%2Foss%2Fa`. */
  path: string;
  /** The `:id` of a projects/groups route, decoded once; '' for other routes. */
  id: string;
  endpoint: GitLabEndpoint;
  /** Which route: `projects/:id`, `groups/:id`, or '' for any other. */
  kind: 'projects' | 'groups' | '';
  auth: 'token' | 'bad-token' | 'none';
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
}

export interface GitLabStandIn {
  /** `http://127.0.0.1:PORT`: web URL; git over HTTP at `<url>/<path>.git`; API at `<url>/api/v4`. */
  url: string;
  /** Every /api/v4 request, in arrival order. */
  apiCalls: GitLabApiCall[];
  /** Every git smart-HTTP request (anything ending up outside /api/v4 that names `<path>.git`). */
  gitRequests: GitLabGitRequest[];
  /**
   * Every request line plus its headers as received (API, git and anything else). The token
   * appears here in PRIVATE-TOKEN/Authorization headers by design.
   */
  requestsLog: string[];
  /**
   * Applies to /api/v4 only (git over HTTP keeps working): `down` answers 500
   * `{"message":"500 Internal Server Error"}`, `refuse` destroys the socket without an answer,
   * `slow` answers normally after `delayMs` (default 1000), `status` answers `fault.status`
   * (429: GitLab's throttle answer with Retry-After) for every call or only `fault.endpoints`.
   */
  setMode(mode: GitLabStandInMode, delayMsOrFault?: number | GitLabStatusFault): void;
  close(): Promise<void>;
}

/** The `:id` GitLab wants for a project or group path: `group/sub/p` → `group%2Fsub%2Fp`. */
export function encodeProjectId(path: string | number): string {
  return encodeURIComponent(String(path));
}

const CREATED_AT = '2024-01-02T03:04:05.000Z';
const VISIBILITY_RANK: Record<GitLabVisibility, number> = { private: 0, internal: 1, public: 2 };

type Auth = GitLabApiCall['auth'];

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
  const segments = path.split('/');
  if (segments.length < 2 || segments.some((s) => s === '' || s === '.' || s === '..') || path.endsWith('.git')) {
    throw new Error(`GitLab stand-in: invalid ${what} ${JSON.stringify(path)}: want group/sub/project without .git`);
  }
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

/** Projects with positional ids, and every group implied by their paths. */
function buildCatalog(specs: readonly StandInProject[]): Catalog {
  const projects = specs.map((spec, i) => {
    checkPath(spec.path, 'project path');
    for (const former of spec.formerPaths ?? []) checkPath(former, 'former path');
    return { id: 1000 + i, spec };
  });
  const groups = new Map<string, GroupEntry>();
  for (const { spec } of projects) {
    // A group is at least as visible as every project in it (GitLab enforces this).
    for (let ns = parentOf(spec.path); ns !== ''; ns = ns.includes('/') ? parentOf(ns) : '') {
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
  if (!id.includes('/')) return undefined;
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
  kind: 'projects' | 'groups';
  /** `:id` decoded once. */
  id: string;
}

/** `/projects/:id` or `/groups/:id` below /api/v4; `:id` never holds a raw slash (GitLab's route requirement). */
function parseApiRoute(route: string): ApiRoute | undefined {
  const match = /^\/(projects|groups)\/([^/]+)$/.exec(route);
  if (match === null) return undefined;
  try {
    return { kind: match[1] as ApiRoute['kind'], id: decodeURIComponent(match[2]!) };
  } catch {
    return undefined;
  }
}

function visible(visibility: GitLabVisibility, auth: Auth): boolean {
  return visibility === 'public' || auth === 'token';
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** How an API request authenticates: PRIVATE-TOKEN, Bearer, or the private_token/access_token query. */
function apiAuth(req: IncomingMessage, query: URLSearchParams, token: string): Auth {
  const bearer = /^Bearer\s+(.+)$/i.exec(header(req, 'authorization') ?? '')?.[1];
  const given =
    header(req, 'private-token') || bearer || query.get('private_token') || query.get('access_token') || undefined;
  if (given === undefined) return 'none';
  return given === token ? 'token' : 'bad-token';
}

/** git over HTTP authenticates with Basic: any user name, the token as password. */
function gitAuth(req: IncomingMessage, token: string): Auth {
  const basic = /^Basic\s+(.+)$/i.exec(header(req, 'authorization') ?? '')?.[1];
  if (basic === undefined) return header(req, 'authorization') === undefined ? 'none' : 'bad-token';
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1) === token ? 'token' : 'bad-token';
}

function groupName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function namespaceBody(url: string, catalog: Catalog, fullPath: string) {
  const group = catalog.groups.get(fullPath.toLowerCase());
  const parent = fullPath.includes('/') ? catalog.groups.get(parentOf(fullPath).toLowerCase()) : undefined;
  return {
    id: group?.id ?? 0,
    name: groupName(fullPath),
    path: groupName(fullPath),
    kind: 'group',
    full_path: fullPath,
    parent_id: parent?.id ?? null,
    avatar_url: null,
    web_url: `${url}/groups/${fullPath}`,
  };
}

function projectBody(url: string, sshHost: string, catalog: Catalog, entry: ProjectEntry, auth: Auth) {
  const path = entry.spec.path;
  const name = groupName(path);
  const body: Record<string, unknown> = {
    id: entry.id,
    description: null,
    name,
    name_with_namespace: path.split('/').join(' / '),
    path: name,
    path_with_namespace: path,
    created_at: CREATED_AT,
    default_branch: entry.spec.defaultBranch ?? 'main',
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
    archived: false,
    empty_repo: false,
  };
  // GitLab adds the caller's membership for authenticated requests (Entities::ProjectWithAccess);
  // the token's user is no member here, it sees the project by visibility (or as an admin).
  if (auth === 'token') body.permissions = { project_access: null, group_access: null };
  return body;
}

function groupBody(url: string, catalog: Catalog, group: GroupEntry) {
  const parent = group.fullPath.includes('/') ? catalog.groups.get(parentOf(group.fullPath).toLowerCase()) : undefined;
  return {
    id: group.id,
    web_url: `${url}/groups/${group.fullPath}`,
    name: groupName(group.fullPath),
    path: groupName(group.fullPath),
    description: '',
    visibility: group.visibility,
    full_name: group.fullPath.split('/').join(' / '),
    full_path: group.fullPath,
    created_at: CREATED_AT,
    parent_id: parent?.id ?? null,
    avatar_url: null,
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
  res.end(JSON.stringify(body));
}

/**
 * A fault status as GitLab sends it: 429 is Rack::Attack's throttle answer (plain text, Retry-After
 * and RateLimit-* headers); anything else the API's JSON error body.
 */
function sendFault(res: ServerResponse, fault: GitLabStatusFault): void {
  const retry = fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) };
  if (fault.body !== undefined) {
    res.writeHead(fault.status, { 'content-type': 'application/json', 'cache-control': 'no-cache', ...retry });
    res.end(JSON.stringify(fault.body));
    return;
  }
  if (fault.status === 429) {
    res.writeHead(429, { 'content-type': 'text/plain', ...retry, 'ratelimit-name': 'throttle_authenticated_api', 'ratelimit-remaining': '0' });
    res.end('Retry later\n');
    return;
  }
  res.writeHead(fault.status, { 'content-type': 'application/json', 'cache-control': 'no-cache', ...retry });
  res.end(JSON.stringify({ message: `${fault.status} ${STATUS_CODES[fault.status] ?? 'Error'}` }));
}

function rawRequest(req: IncomingMessage): string {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  return lines.join('\r\n');
}

export async function startGitLabStandIn(opts: GitLabStandInOptions): Promise<GitLabStandIn> {
  buildCatalog(opts.projects); // fail fast on a bad project list
  const sshHost = opts.sshHost ?? LOOPBACK;
  const apiCalls: GitLabApiCall[] = [];
  const gitRequests: GitLabGitRequest[] = [];
  const requestsLog: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let mode: GitLabStandInMode = 'ok';
  let delayMs = 1000;
  let fault: GitLabStatusFault = { status: 500 };
  let url = '';

  /** The answer GitLab would give, as [status, body]. */
  function answerApi(req: IncomingMessage, route: ApiRoute | undefined, auth: Auth): [number, unknown] {
    if (route === undefined) return [404, { error: '404 Not Found' }];
    if (req.method !== 'GET' && req.method !== 'HEAD') return [405, { error: '405 Not Allowed' }];
    if (auth === 'bad-token') return [401, { message: '401 Unauthorized' }];
    const catalog = buildCatalog(opts.projects);
    if (route.kind === 'projects') {
      const project = findProject(catalog, route.id);
      if (project === undefined || !visible(project.spec.visibility, auth)) {
        return [404, { message: '404 Project Not Found' }];
      }
      return [200, projectBody(url, sshHost, catalog, project, auth)];
    }
    const group = findGroup(catalog, route.id);
    if (group === undefined || !visible(group.visibility, auth)) return [404, { message: '404 Group Not Found' }];
    return [200, groupBody(url, catalog, group)];
  }

  /** A repository endpoint for a project the caller can see (same rules as `/projects/:id`). */
  async function answerRepository(req: IncomingMessage, rawPath: string, query: URLSearchParams, auth: Auth): Promise<ApiAnswer> {
    const route = parseRepositoryRoute(rawPath.slice('/api/v4'.length))!;
    const [status, body] = answerApi(req, { kind: 'projects', id: route.id }, auth);
    if (status !== 200) return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    const project = findProject(buildCatalog(opts.projects), route.id)!;
    const dir = `${opts.root}/${project.spec.path}.git`;
    const repoProject = { id: project.id, fullPath: project.spec.path, defaultBranch: project.spec.defaultBranch ?? 'main', webUrl: `${url}/${project.spec.path}`, dir };
    return answerRepositoryApi(route, repoProject, query, `${url}${rawPath}`, opts.features);
  }

  function handleApi(req: IncomingMessage, res: ServerResponse, rawPath: string, rawQuery: string): void {
    const query = new URLSearchParams(rawQuery);
    const repoRoute = parseRepositoryRoute(rawPath.slice('/api/v4'.length));
    const route = parseApiRoute(rawPath.slice('/api/v4'.length));
    const auth = apiAuth(req, query, opts.token);
    const endpoint: GitLabEndpoint = repoRoute?.endpoint ?? (route === undefined ? 'other' : route.kind === 'projects' ? 'project' : 'group');
    const id = repoRoute?.id ?? route?.id ?? '';
    const call: GitLabApiCall = { path: req.url ?? '', id, endpoint, kind: repoRoute ? 'projects' : route?.kind ?? '', auth, status: 0, at: Date.now() };
    apiCalls.push(call);
    const modeNow = mode === 'status' && fault.endpoints !== undefined && !fault.endpoints.includes(endpoint) ? 'ok' : mode;
    if (modeNow === 'refuse') {
      req.socket.destroy();
      return;
    }
    const answer = (): void => {
      if (modeNow === 'status') {
        call.status = fault.status;
        sendFault(res, fault);
        return;
      }
      if (repoRoute !== undefined && modeNow !== 'down') {
        answerRepository(req, rawPath, query, auth).then(
          (a) => {
            call.status = a.status;
            res.writeHead(a.status, a.headers);
            res.end(req.method === 'HEAD' ? undefined : a.body);
          },
          (err: unknown) => {
            call.status = 500;
            sendJson(res, 500, { message: `500 Internal Server Error (stand-in: ${String(err)})` });
          },
        );
        return;
      }
      const [status, body] =
        modeNow === 'down' ? [500, { message: '500 Internal Server Error' }] : answerApi(req, route, auth);
      call.status = status;
      sendJson(res, status, body);
    };
    if (modeNow !== 'slow') {
      answer();
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) answer();
    }, delayMs);
    timers.add(timer);
  }

  function handleGit(req: IncomingMessage, res: ServerResponse, requested: string, rest: string, rawQuery: string): void {
    const record: GitLabGitRequest = { method: req.method ?? 'GET', url: req.url ?? '', project: undefined, status: 0 };
    gitRequests.push(record);
    const auth = gitAuth(req, opts.token);
    const escapes = `${requested}${rest}`.split('/').includes('..');
    const project = escapes ? undefined : findProject(buildCatalog(opts.projects), requested);
    const refuse = (status: number): void => {
      record.status = status;
      if (status === 401) {
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="GitLab"' });
        res.end('HTTP Basic: Access denied.\n');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end("The project you were looking for could not be found or you don't have permission to view it.\n");
      }
    };
    if (auth === 'bad-token') return refuse(401);
    if (project === undefined || !visible(project.spec.visibility, auth)) return refuse(auth === 'token' ? 404 : 401);
    record.project = project.spec.path;
    res.on('finish', () => (record.status = res.statusCode));
    serveGitHttpBackend(req, res, opts.root, `/${project.spec.path}.git${rest}`, rawQuery);
  }

  const server = createServer((req, res) => {
    requestsLog.push(rawRequest(req));
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const rawPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : rawUrl.slice(queryAt + 1);
    if (rawPath === '/api/v4' || rawPath.startsWith('/api/v4/')) {
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
      handleGit(req, res, git[1]!, git[2] ?? '', rawQuery);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n');
  });
  const port = await listenLoopback(server);
  url = `http://${LOOPBACK}:${port}`;
  return {
    url,
    apiCalls,
    gitRequests,
    requestsLog,
    setMode(next, option) {
      mode = next;
      if (typeof option === 'number') delayMs = option;
      else if (option !== undefined) fault = option;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await closeServer(server);
    },
  };
}

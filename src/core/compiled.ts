// The compiled configuration: plain, JSON-serialisable data produced once by
// the config loader (src/config/) and consumed by the router. The Worker ships
// this data instead of the YAML, so nothing here may need a parser at runtime.

export type Browser = "pkgsite" | "gitlab" | "none";
export type Transport = "https" | "ssh";
/** auto: https for public projects, ssh for internal and private ones. */
export type GitlabTransport = Transport | "auto" | "proxy";
export type Vcs = "git" | "hg" | "svn" | "fossil";

export interface CompiledModule {
  /** The rule as written, for messages and the index page: "go.example.com/libs/{name}". */
  pattern: string;
  /** Lower-case host, the first element of pattern. */
  host: string;
  /** The elements after the host; a template variable is written "{name}". */
  elements: string[];
  vcs: Vcs;
  /** Repository URL; may contain the template's {variables}. */
  repo: string;
  /** Go 1.25+ module subdirectory inside the repository (4th go-import field). */
  subdir?: string;
  /** For GitLab projects: the project's web URL and full path (may contain {variables}) and the branch for links. */
  gitlab?: { web: string; branch: string; project?: string };
  /**
   * transport: proxy — the go-import answer is `<root> mod <proxyBase>` (modgate's own module
   * proxy), so clients need no git; repo stays the https clone URL (the proxy's Origin).
   */
  proxyBase?: string;
  /** A group rule: projects below this GitLab group are found through the API; repo is then "". */
  group?: { path: string; transport: GitlabTransport };
  private: boolean;
  /** undefined for group rules: decided per project from its visibility. */
  browser?: Browser;
  /** Where the rule came from, "file:line", for diagnostics. */
  source: string;
}

/** What group discovery needs to reach GitLab and to build URLs for what it finds. */
export interface CompiledGitlab {
  url: string;
  ssh: { user: string; host: string; port: number };
  /** The token, or on Workers a "${NAME}" reference to a secret; absent: public projects only. */
  token?: string;
  apiTimeoutMs: number;
  /** Cap on API calls in flight; absent in builds older than the field (then the default). */
  maxConcurrentCalls?: number;
  /** Cap on credential checks in flight; absent in builds older than the field (then the default). */
  maxConcurrentChecks?: number;
}

export interface CompiledDiscovery {
  cacheTtlSeconds: number;
  negativeCacheTtlSeconds: number;
  cacheEntries: number;
}

export interface CompiledProxy {
  enabled: boolean;
  /** Base URL clients reach the proxy at, for `mod` go-import answers; undefined: https://<host>. */
  url?: string;
  /** Node only: the content store's directory. */
  cacheDir: string;
  listTtlSeconds: number;
  /** Seconds an access decision per (client credential, project) is remembered. */
  authTtlSeconds: number;
  /** Limits on rejected credential checks; absent in builds older than the field (then the defaults). */
  failedAuth?: CompiledFailedAuth;
  /** Most zips built at once per process; absent in builds older than the field (then the default). */
  maxConcurrentBuilds?: number;
}

export interface CompiledFailedAuth {
  perClient: number;
  total: number;
  windowSeconds: number;
}

/** The Node server's limits (src/node/server.ts); the Worker build leaves them out. */
export interface CompiledServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  /** server.trustedProxies: peers whose X-Forwarded-For names the client; absent: none. */
  trustedProxies?: string[];
}

export interface CompiledConfig {
  /** Bumped when this shape changes, so a stale Worker build is caught. */
  format: 3;
  cacheMaxAge: number;
  /** Present when a group rule needs the API. */
  gitlab?: CompiledGitlab;
  discovery: CompiledDiscovery;
  proxy: CompiledProxy;
  /** Node only; absent in Worker builds (and hand-built configs): the defaults apply. */
  server?: CompiledServerLimits;
  modules: CompiledModule[];
}

export const COMPILED_FORMAT = 3;

/** A path element of a rule that is a template variable: "{name}" → "name". */
export function variableName(element: string): string | undefined {
  return element.length > 2 && element.startsWith("{") && element.endsWith("}") ? element.slice(1, -1) : undefined;
}

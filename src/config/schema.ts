// The shape of config/modgate.yaml. Types and value ranges only: rules that
// relate fields to each other live in rules.ts, where they can say what to write.
//
// Adding a config field, step by step (a field missed in one place fails late):
//  1. here: the key, its type and range, `.optional()` when it has a default
//     (knownKeys below then offers it in "did you mean" hints by itself);
//  2. src/core/defaults.ts: its default, the only place a default is written;
//  3. src/core/compiled.ts: the compiled form, if requests need it (plain data:
//     the Worker ships it as JSON). Changing an existing shape bumps COMPILED_FORMAT;
//  4. src/config/load.ts or rules.ts: fill the default in, check relations to
//     other fields with a message that says what to write instead;
//  5. tests: a value that works (test/unit) and a wrong one located at its
//     line and column (test/unit/config-errors.test.ts);
//  6. README.md "Configuration reference": the field, its default, what it means;
//     config/modgate.yaml when a newcomer should see it.
//  Node-only settings (ports, timeouts of node:http) stay out of the compiled
//  config the Worker ships; say in the README which runtime reads them.
import { z } from "zod";

/** auto: https for public projects, ssh for internal and private ones; proxy: modgate's own module proxy (`mod`). */
export const GITLAB_TRANSPORTS = ["https", "ssh", "auto", "proxy"] as const;
export const VCS = ["git", "hg", "svn", "fossil"] as const;
export const BROWSERS = ["pkgsite", "gitlab", "none"] as const;

const nonEmpty = z.string().min(1, "must not be empty");

export const SshSchema = z.strictObject({
  user: nonEmpty.optional(),
  host: nonEmpty.optional(),
  port: z.number().int().min(1).max(65535).optional(),
});

export const GitlabSchema = z.strictObject({
  url: nonEmpty,
  transport: z.enum(GITLAB_TRANSPORTS).optional(),
  ssh: SshSchema.optional(),
  /** read_api token for group discovery; write ${GITLAB_TOKEN}, never the token itself. */
  token: nonEmpty.optional(),
  /** Seconds an API call may take. */
  apiTimeout: z.number().positive().max(60).optional(),
  /** Most API calls in flight at once; more wait in a bounded queue, beyond it requests get 503. */
  maxConcurrentCalls: z.number().int().min(1).max(1000).optional(),
  /** Most credential checks (a client's token, asked at GitLab's git endpoint) in flight at once; more wait briefly, then 503. */
  maxConcurrentChecks: z.number().int().min(1).max(100).optional(),
});

export const DiscoverySchema = z.strictObject({
  /** Seconds a found project is served from cache before GitLab is asked again. */
  cacheTtl: z.number().int().min(0).optional(),
  /** Seconds a path GitLab does not know is remembered. */
  negativeCacheTtl: z.number().int().min(0).optional(),
  /** Most project look-ups kept in memory (Node). */
  cacheEntries: z.number().int().min(1).optional(),
});

/** An IPv4 or IPv6 address, or a CIDR range of either. */
const addressOrRange = z
  .string()
  .refine(
    (v) => z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]).safeParse(v).success,
    "must be an IP address or a CIDR range, like 127.0.0.1, 10.0.0.0/8 or fd00::/8",
  );

/** Node only (src/node/server.ts): how long a client may take, how many may connect at once, which proxies to believe. */
export const ServerSchema = z.strictObject({
  /** Seconds a client has to send the request line and headers. */
  headersTimeout: z.number().positive().max(600).optional(),
  /** Seconds a client has to send the whole request. */
  requestTimeout: z.number().positive().max(3600).optional(),
  /** Seconds an idle keep-alive connection stays open. */
  keepAliveTimeout: z.number().positive().max(3600).optional(),
  /** Most connections open at once (per process); more are closed as they arrive. */
  maxConnections: z.number().int().min(1).max(1_000_000).optional(),
  /** Peers whose X-Forwarded-For names the client (a reverse proxy in front of modgate); none by default. */
  trustedProxies: z.array(addressOrRange).max(1000).optional(),
});

export const ModuleSchema = z.strictObject({
  path: nonEmpty,
  project: nonEmpty.optional(),
  repo: nonEmpty.optional(),
  group: nonEmpty.optional(),
  vcs: z.enum(VCS).optional(),
  transport: z.enum(GITLAB_TRANSPORTS).optional(),
  branch: nonEmpty.optional(),
  subdir: nonEmpty.optional(),
  private: z.boolean().optional(),
  browser: z.enum(BROWSERS).optional(),
});

/** Limits on credential checks GitLab rejects (src/proxy/auth/failed-checks.ts). */
export const FailedAuthSchema = z.strictObject({
  /** Rejected checks one client address may cause per window; more get 429. */
  perClient: z.number().int().min(1).max(10_000).optional(),
  /** Rejected checks all clients together may cause per window; more get 503. Keep it below GitLab's ban threshold. */
  total: z.number().int().min(1).max(100_000).optional(),
  /** The window, in seconds. */
  window: z.number().int().min(1).max(86_400).optional(),
});

export const ProxySchema = z.strictObject({
  /** Serve the GOPROXY protocol for the GitLab modules of the config. */
  enabled: z.boolean().optional(),
  /** Base URL of the proxy as clients reach it (transport: proxy answers); default https://<host>. */
  url: nonEmpty.optional(),
  /** Node: where immutable versions are kept. */
  cacheDir: nonEmpty.optional(),
  /** Seconds a version list, @latest or branch query is reused. */
  listTtl: z.number().int().min(0).optional(),
  /** Seconds a client's access decision (credential, project) is remembered; 0 asks GitLab every time. */
  authTtl: z.number().int().min(0).max(3600).optional(),
  failedAuth: FailedAuthSchema.optional(),
  /** Most zips built at once (each reads an archive from GitLab); more wait in a bounded queue, beyond it 503. */
  maxConcurrentBuilds: z.number().int().min(1).max(256).optional(),
});

// Modules are checked one by one (see load.ts), so one bad module does not
// hide the problems of the others.
export const TopSchema = z.strictObject({
  gitlab: GitlabSchema.optional(),
  cacheMaxAge: z.number().int().min(0).optional(),
  discovery: DiscoverySchema.optional(),
  proxy: ProxySchema.optional(),
  server: ServerSchema.optional(),
  modules: z.array(z.unknown()).min(1, "list at least one module"),
});

export type GitlabInput = z.infer<typeof GitlabSchema>;
export type ModuleInput = z.infer<typeof ModuleSchema>;

/** The keys allowed at each place in the file, for "did you mean" hints. */
export function knownKeys(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return Object.keys(TopSchema.shape);
  if (path[0] === "modules") return Object.keys(ModuleSchema.shape);
  if (path[0] === "discovery") return Object.keys(DiscoverySchema.shape);
  if (path[0] === "proxy" && path[1] === "failedAuth") return Object.keys(FailedAuthSchema.shape);
  if (path[0] === "proxy") return Object.keys(ProxySchema.shape);
  if (path[0] === "server") return Object.keys(ServerSchema.shape);
  if (path[0] === "gitlab" && path[1] === "ssh") return Object.keys(SshSchema.shape);
  if (path[0] === "gitlab") return Object.keys(GitlabSchema.shape);
  return [];
}

// The GitLab group the discovery tests map, its projects as the GitLab
// stand-in serves them, and the config that maps the group. Shared by the
// unit, contract (Node and workerd) and end-to-end tests, so it imports
// nothing Node-only.
import type { StandInProject } from "../e2e/harness/gitlab-stand-in.js";

export const HOST = "go.example.com";
/** The group rule: go.example.com/oss → GitLab group platform/oss. */
export const GROUP_RULE = `${HOST}/oss`;
export const GROUP = "platform/oss";

/** GitLab full paths of the stand-in's projects. */
export const PROJECT = {
  /** Three subgroups below the group. */
  deep: "platform/oss/a/b/c",
  /** Beside the deep one, one level shallower. */
  shallow: "platform/oss/a/lib",
  /** Private, default branch trunk: found only with the token, cloned over ssh. */
  secret: "platform/oss/secret",
  internal: "platform/oss/inner",
  /** Moved here from `movedFrom` (which GitLab keeps as a redirect route). */
  moved: "platform/oss/new-home/renamed",
  movedFrom: "platform/oss/old-name",
  /** For the outage cases: looked up once, then served stale. */
  steady: "platform/oss/steady",
  /** For the burst: no other test asks for it. */
  burst: "platform/oss/burst/x/y",
  /** The project of the static rule go.example.com/oss/pinned, outside the group. */
  pinned: "platform/elsewhere/pinned",
  /** Moved out of the group (from `escapedFrom`): must not be served under the group's paths. */
  escaped: "platform/elsewhere/escaped",
  escapedFrom: "platform/oss/escaped",
  /** Its default branch is no name git would accept: links go to HEAD instead. */
  oddBranch: "platform/oss/odd-branch",
} as const;

/** The default branch of PROJECT.oddBranch, as GitLab's API hands it out. */
export const ODD_BRANCH = "bad..name";

/** The import path a group project is served under: platform/oss/a/b/c → go.example.com/oss/a/b/c. */
export function importPathOf(project: string): string {
  if (!project.startsWith(`${GROUP}/`)) throw new Error(`${project} is not below ${GROUP}`);
  return `${GROUP_RULE}${project.slice(GROUP.length)}`;
}

/** The static rule's import path. */
export const PINNED_IMPORT = `${GROUP_RULE}/pinned`;

export const STAND_IN_PROJECTS: StandInProject[] = [
  { path: PROJECT.deep, visibility: "public" },
  { path: PROJECT.shallow, visibility: "public" },
  { path: PROJECT.secret, visibility: "private", defaultBranch: "trunk" },
  { path: PROJECT.internal, visibility: "internal" },
  { path: PROJECT.moved, visibility: "public", formerPaths: [PROJECT.movedFrom] },
  { path: PROJECT.steady, visibility: "public" },
  { path: PROJECT.burst, visibility: "public" },
  { path: PROJECT.pinned, visibility: "public" },
  { path: PROJECT.escaped, visibility: "public", formerPaths: [PROJECT.escapedFrom] },
  { path: PROJECT.oddBranch, visibility: "public", defaultBranch: ODD_BRANCH },
];

/** A token nobody could mistake for anything else, different on every run. */
export function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `glpat-modgate-${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** A path element no earlier run or test asked about (caches may outlive a test). */
export function unseen(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

export interface DiscoveryConfigOptions {
  gitlabUrl: string;
  ssh?: { user: string; host: string; port: number };
  /** The YAML value of gitlab.token; default the reference ${GITLAB_TOKEN}. */
  token?: string;
  apiTimeout?: number;
  cacheTtl?: number;
  negativeCacheTtl?: number;
  cacheEntries?: number;
  maxConcurrentCalls?: number;
}

/** The config mapping the group with transport auto, plus one static project rule inside it. */
export function discoveryConfig(o: DiscoveryConfigOptions): string {
  const lines = ["gitlab:", `  url: ${o.gitlabUrl}`, `  token: ${o.token ?? "${GITLAB_TOKEN}"}`, "  transport: auto"];
  if (o.apiTimeout !== undefined) lines.push(`  apiTimeout: ${o.apiTimeout}`);
  if (o.maxConcurrentCalls !== undefined) lines.push(`  maxConcurrentCalls: ${o.maxConcurrentCalls}`);
  if (o.ssh) lines.push("  ssh:", `    user: ${o.ssh.user}`, `    host: ${o.ssh.host}`, `    port: ${o.ssh.port}`);
  lines.push("cacheMaxAge: 60");
  const discovery = { cacheTtl: o.cacheTtl, negativeCacheTtl: o.negativeCacheTtl, cacheEntries: o.cacheEntries };
  const set = Object.entries(discovery).filter(([, v]) => v !== undefined);
  if (set.length > 0) lines.push("discovery:", ...set.map(([k, v]) => `  ${k}: ${v}`));
  lines.push("modules:", `  - path: ${GROUP_RULE}`, `    group: ${GROUP}`, `  - path: ${PINNED_IMPORT}`, `    project: ${PROJECT.pinned}`);
  return lines.join("\n") + "\n";
}

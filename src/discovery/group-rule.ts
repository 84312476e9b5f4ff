// A group rule: `go.example.com/oss` → every project below GitLab group
// `platform/oss`, at any depth. For a request below the rule, the prefixes of
// the rest are walked from the group down to the first project.
import type { CompiledModule, Transport } from "../core/compiled.js";
import { cloneUrl, webUrl, type GitlabEndpoints } from "../core/gitlab-urls.js";
import { encodePath } from "../core/url-path.js";
import { Rule, type ResolvedModule } from "../core/rule.js";
import { isPubliclyReadable, type GitlabProject } from "../gitlab/project.js";
import type { DiscoveredResolution, DiscoveredRule } from "../core/discovered-rule.js";
import { LRUCache } from "lru-cache";
import { defaultBrowser } from "../core/defaults.js";
import type { ProjectLookup } from "./project-lookup.js";

/**
 * GitLab nests at most 20 subgroups below a top-level group, so a project's
 * full path has at most 22 elements. Deeper candidates cannot exist, and
 * asking for them would let one request cost hundreds of API calls.
 */
export const MAX_PROJECT_PATH_ELEMENTS = 22;

export class GroupRule implements DiscoveredRule {
  readonly depth: number;
  private readonly groupDepth: number;
  /** Rendered answers by import path and project state, so a cached hit does not render again. */
  private readonly modules = new LRUCache<string, ResolvedModule>({ max: 10_000 });

  constructor(
    readonly module: CompiledModule & { group: NonNullable<CompiledModule["group"]> },
    private readonly gitlab: GitlabEndpoints,
    private readonly lookup: ProjectLookup,
  ) {
    this.depth = module.elements.length;
    this.groupDepth = module.group.path.split("/").length;
  }

  /**
   * `below` are the request's (validated) elements after the rule's path.
   * The prefixes are walked shallow to deep: a group goes on, a project ends
   * the walk (a project has no subgroups or projects below it, so the first
   * project found IS the module), and a prefix that is neither ends it too.
   * A made-up path costs one look-up (a project and a group call), a project
   * n levels down n look-ups, most of them groups every sibling shares.
   */
  async resolve(below: readonly string[]): Promise<DiscoveredResolution> {
    const room = Math.max(0, MAX_PROJECT_PATH_ELEMENTS - this.groupDepth);
    const depth = Math.min(below.length, room);
    // The answer holds while every look-up it was decided on holds; one stale look-up and it never does.
    let freshUntil = Infinity;
    let stale = false;
    const holding = () => (stale ? {} : { freshUntil });
    for (let i = 0; i < depth; i++) {
      const subpath = below.slice(0, i + 1).join("/");
      const asked = `${this.module.group.path}/${subpath}`;
      const result = await this.lookup.lookup(asked);
      if (result.kind === "unavailable") return { kind: "unavailable", reason: result.reason };
      if (result.freshUntil === undefined) stale = true;
      else freshUntil = Math.min(freshUntil, result.freshUntil);
      if (result.kind === "missing") break;
      const actual = result.kind === "group" ? result.fullPath : result.project.pathWithNamespace;
      // GitLab finds paths in any case; Go import paths are case-sensitive, and nothing below
      // a group asked for in another case can match either.
      if (isOtherCaseOf(actual, asked, this.isInsideGroup(actual) ? this.module.group.path : undefined)) break;
      if (!this.isInsideGroup(actual)) {
        return { kind: "missing", why: `it has moved out of the GitLab group ${this.module.group.path}`, ...holding() };
      }
      if (result.kind === "group") continue;
      return { kind: "found", module: this.moduleFor(subpath, result.project), rest: below.slice(i + 1).join("/"), ...holding() };
    }
    return { kind: "missing", ...holding() };
  }

  /**
   * A project moved out of the rule's group (GitLab still finds it under its
   * old path) is outside the group's governance: it must not be handed out
   * under the group's import paths. GitLab compares paths case-insensitively.
   */
  private isInsideGroup(actual: string): boolean {
    return actual.toLowerCase().startsWith(this.module.group.path.toLowerCase() + "/");
  }

  /** The answer for a project found under `subpath`; a moved project keeps the requested import path. */
  private moduleFor(subpath: string, project: GitlabProject): ResolvedModule {
    const key = `${subpath}\u0000${project.pathWithNamespace}\u0000${project.defaultBranch}\u0000${project.visibility}\u0000${project.repositoryAccessLevel ?? ""}`;
    let module = this.modules.get(key);
    if (!module) {
      module = this.render(subpath, project);
      this.modules.set(key, module);
    }
    return module;
  }

  private render(subpath: string, project: GitlabProject): ResolvedModule {
    // Public only when anyone may clone it: a public project with a members-only repository is not.
    const isPublic = isPubliclyReadable(project);
    const chosen = this.module.group.transport;
    // auto with the proxy on: private and internal projects through modgate's proxy (the client needs
    // only a token for the vanity host, no git, no ssh key); public ones over https, as the go command's
    // own proxy and checksum database can serve them too.
    const viaProxy = this.module.proxyBase !== undefined && (chosen === "proxy" || (chosen === "auto" && !isPublic));
    const transport: Transport = chosen === "auto" ? (isPublic ? "https" : viaProxy ? "https" : "ssh") : chosen === "proxy" ? "https" : chosen;
    const root = `${this.module.pattern}/${subpath}`;
    // The API's path goes into URLs: encoded per element, like the ref (a no-op for GitLab's own path syntax).
    const projectPath = encodePath(project.pathWithNamespace);
    const module: CompiledModule = {
      pattern: root,
      host: this.module.host,
      elements: [...this.module.elements, ...subpath.split("/")],
      vcs: "git",
      repo: cloneUrl(this.gitlab, projectPath, transport),
      gitlab: { web: webUrl(this.gitlab, projectPath), branch: project.defaultBranch, project: project.pathWithNamespace },
      private: !isPublic,
      browser: this.module.browser ?? defaultBrowser(!isPublic, true),
      source: this.module.source,
      ...(viaProxy ? { proxyBase: this.module.proxyBase! } : {}),
    };
    return { ...new Rule(module).resolve([]), visibility: project.visibility };
  }
}

/**
 * True when two paths differ only in letter case (a moved project differs in
 * more). Only the part below the rule's group counts when both are inside it:
 * the config may spell the group in another case than GitLab does.
 */
function isOtherCaseOf(actual: string, asked: string, groupPath?: string): boolean {
  if (groupPath !== undefined) {
    const n = groupPath.length;
    return isOtherCaseOf(actual.slice(n), asked.slice(n));
  }
  return actual !== asked && actual.toLowerCase() === asked.toLowerCase();
}

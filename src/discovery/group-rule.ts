// A group rule: `go.example.com/oss` → every project below GitLab group
// `platform/oss`, at any depth. For a request below the rule, each prefix of
// the rest is a candidate project; the deepest that exists is the module.
import type { CompiledModule, Transport } from "../core/compiled.js";
import { cloneUrl, webUrl, type GitlabEndpoints } from "../core/gitlab-urls.js";
import { Rule, type ResolvedModule } from "../core/rule.js";
import type { GitlabProject } from "./gitlab-api.js";
import type { DiscoveredResolution, DiscoveredRule } from "../core/discovered-rule.js";
import { BoundedMap } from "../core/bounded-map.js";
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
  private readonly modules = new BoundedMap<string, ResolvedModule>(10_000);

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
   * Every candidate is looked up at once (the cache and single flight make
   * repeats free); the answer is the deepest project that exists. A
   * candidate GitLab could not answer for, deeper than any found, makes the
   * whole answer unavailable: it might have been the module.
   */
  async resolve(below: readonly string[]): Promise<DiscoveredResolution> {
    const room = Math.max(0, MAX_PROJECT_PATH_ELEMENTS - this.groupDepth);
    const candidates = below.slice(0, room).map((_, i) => below.slice(0, i + 1).join("/"));
    if (candidates.length === 0) return { kind: "missing" };
    const results = await Promise.all(candidates.map((c) => this.lookup.lookup(`${this.module.group.path}/${c}`)));
    // The answer holds while every candidate it was decided on holds; one stale candidate and it never does.
    let freshUntil = Infinity;
    let stale = false;
    const holding = () => (stale ? {} : { freshUntil });
    for (let i = candidates.length - 1; i >= 0; i--) {
      const result = results[i]!;
      if (result.kind === "unavailable") return result;
      if (result.freshUntil === undefined) stale = true;
      else freshUntil = Math.min(freshUntil, result.freshUntil);
      if (result.kind === "missing") continue;
      // GitLab finds paths in any case; Go import paths are case-sensitive.
      if (isOtherCaseOf(result.project.pathWithNamespace, `${this.module.group.path}/${candidates[i]}`)) continue;
      return {
        kind: "found",
        module: this.moduleFor(candidates[i]!, result.project),
        rest: below.slice(i + 1).join("/"),
        ...holding(),
      };
    }
    return { kind: "missing", ...holding() };
  }

  /** The answer for a project found under `subpath`; a moved project keeps the requested import path. */
  private moduleFor(subpath: string, project: GitlabProject): ResolvedModule {
    const key = `${subpath}\u0000${project.pathWithNamespace}\u0000${project.defaultBranch}\u0000${project.visibility}`;
    let module = this.modules.get(key);
    if (!module) {
      module = this.render(subpath, project);
      this.modules.set(key, module);
    }
    return module;
  }

  private render(subpath: string, project: GitlabProject): ResolvedModule {
    const isPublic = project.visibility === "public";
    const transport: Transport = this.module.group.transport === "auto" ? (isPublic ? "https" : "ssh") : this.module.group.transport;
    const root = `${this.module.pattern}/${subpath}`;
    const module: CompiledModule = {
      pattern: root,
      host: this.module.host,
      elements: [...this.module.elements, ...subpath.split("/")],
      vcs: "git",
      repo: cloneUrl(this.gitlab, project.pathWithNamespace, transport),
      gitlab: { web: webUrl(this.gitlab, project.pathWithNamespace), branch: project.defaultBranch },
      private: !isPublic,
      browser: this.module.browser ?? defaultBrowser(!isPublic, true),
      source: this.module.source,
    };
    return new Rule(module).resolve([]);
  }
}

/** True when two paths differ only in letter case (a moved project differs in more). */
function isOtherCaseOf(actual: string, asked: string): boolean {
  return actual !== asked && actual.toLowerCase() === asked.toLowerCase();
}

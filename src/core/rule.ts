// A rule of the config, ready to answer: its URLs are split into templates
// once, and a literal rule's answer is rendered once, at load.
import type { Browser, CompiledModule } from "./compiled.js";
import { Template, variablesOf } from "./template.js";
import { defaultBrowser } from "./defaults.js";
import { goGetPage } from "../render/pages.js";
import { goSourceContent } from "./gitlab-urls.js";
import type { PlainAnswer } from "../http/responses.js";
import type { Visibility } from "../gitlab/project.js";

/** A module root the request falls in, with everything needed to answer it. */
export interface ResolvedModule {
  root: string;
  /** The go-get page: go-import and go-source tags first. */
  page: string;
  /** The go-get answer, made on first use (literal rules keep theirs for the config's life). */
  goGetAnswer?: PlainAnswer;
  browser: Browser;
  /** branch: the ref as named (unencoded); URLs are built by gitlab-urls.ts, which encodes it. */
  gitlab?: { web: string; branch: string; project?: string };
  subdir?: string;
  /** The repository URL of the go-import answer. */
  repo: string;
  /** Known for projects found through the API (group rules); static rules leave it to the proxy to ask. */
  visibility?: Visibility;
}

export class Rule {
  readonly module: CompiledModule;
  /** Number of path elements after the host. */
  readonly depth: number;
  private readonly root: Template;
  private readonly repo: Template;
  private readonly web?: Template;
  private readonly project?: Template;
  private readonly literal?: ResolvedModule;

  constructor(module: CompiledModule) {
    this.module = module;
    this.depth = module.elements.length;
    const variables = variablesOf(module.elements);
    this.root = new Template(module.pattern, variables);
    this.repo = new Template(module.repo, variables);
    if (module.gitlab) {
      this.web = new Template(module.gitlab.web, variables);
      if (module.gitlab.project !== undefined) this.project = new Template(module.gitlab.project, variables);
    }
    if (variables.length === 0) this.literal = this.build([]);
  }

  /** The answer for the module root named by the template's variable values. */
  resolve(values: readonly string[]): ResolvedModule {
    return this.literal ?? this.build(values);
  }

  private build(values: readonly string[]): ResolvedModule {
    const m = this.module;
    const root = this.root.fill(values);
    const repo = this.repo.fill(values);
    // A `mod` answer names the proxy, which knows the subdir itself; three fields, so Go ≤ 1.24 reads it too.
    const goImport =
      m.proxyBase !== undefined ? `${root} mod ${m.proxyBase}` : m.subdir === undefined ? `${root} ${m.vcs} ${repo}` : `${root} ${m.vcs} ${repo} ${m.subdir}`;
    let goSource: string | undefined;
    let gitlab: ResolvedModule["gitlab"];
    if (this.web && m.gitlab) {
      const web = this.web.fill(values);
      gitlab = { web, branch: m.gitlab.branch, ...(this.project ? { project: this.project.fill(values) } : {}) };
      goSource = goSourceContent(root, web, m.gitlab.branch, m.subdir);
    }
    const resolved: ResolvedModule = {
      root,
      page: goGetPage({
        root,
        goImport,
        goSource,
        sourceUrl: gitlab?.web ?? repo,
        docsUrl: m.private ? undefined : `https://pkg.go.dev/${root}`,
      }),
      browser: m.browser ?? defaultBrowser(m.private, m.gitlab !== undefined),
      repo,
    };
    if (gitlab) resolved.gitlab = gitlab;
    if (m.subdir !== undefined) resolved.subdir = m.subdir;
    return resolved;
  }
}

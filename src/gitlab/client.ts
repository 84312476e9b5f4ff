// The GitLab REST calls the module proxy makes (module-proxy-rules.md §8),
// and nothing else. Every URL is built from gitlab.url plus a project path
// that came from the config or from GitLab itself, each element encoded;
// redirects are never followed (the token would go with them). A 404 is
// "not there"; anything else that is not an answer is GitLab failing
// (GitlabUnavailable), never "not found".
import { fetchFailure, GitlabUnavailable, statusFailure } from "./failure.js";
import { parseProject, type GitlabProject } from "./project.js";

export type { GitlabProject, RepositoryAccessLevel, Visibility } from "./project.js";
export { UNKNOWN_BRANCH } from "./project.js";

export interface GitlabClientOptions {
  /** GitLab's web URL (API at `<url>/api/v4`). */
  url: string;
  token?: string;
  apiTimeoutMs: number;
  fetch?: typeof fetch;
  /** A slot of the cap on concurrent GitLab calls (src/discovery/call-gate.ts); held until the answer's headers arrive. */
  acquire?: () => Promise<() => void>;
  /**
   * GitLab's state as discovery tracks it (src/discovery/gitlab-health.ts): the proxy's calls report
   * to it too, so the operator's one line per change of state ("GitLab is failing (cause)" /
   * "answers again") covers them, and discovery's circuit knows what the proxy learnt.
   */
  health?: { failed(err: GitlabUnavailable): void; succeeded(): void };
  /** Called once per HTTP request made (metrics, tests). */
  onCall?: (endpoint: string, status: number, ms: number) => void;
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

const PER_PAGE = 100;
/** The least time an archive may take to start answering. */
const ARCHIVE_START_MS = 60_000;
/** No list is followed further than this many pages: a runaway pagination must not run forever. */
const MAX_PAGES = 1000;

export class GitlabClient {
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: GitlabClientOptions) {
    // Called as a method, the global fetch would get this client as `this`: workerd then throws
    // "Illegal invocation" (Node does not mind), so the global is wrapped, never stored bare.
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The project, or undefined when GitLab does not know it (or does not show it to modgate's token). */
  async project(project: string): Promise<GitlabProject | undefined> {
    const body = await this.getJson("project", this.projectUrl(project));
    if (body === undefined) return undefined;
    if (body === null || typeof body !== "object") throw new GitlabUnavailable("bad_answer", "GitLab answered with something that is not a JSON object", 200);
    return parseProject(body as Record<string, unknown>);
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
    const body = await this.getJson("tag", `${this.projectUrl(project)}/repository/tags/${encodeURIComponent(name)}`);
    return body === undefined ? undefined : toTag(body);
  }

  async branches(project: string): Promise<GitlabBranch[]> {
    const items = await this.getPages("branches", `${this.projectUrl(project)}/repository/branches`, new URLSearchParams({ per_page: String(PER_PAGE) }));
    return items.map(toBranch);
  }

  async branch(project: string, name: string): Promise<GitlabBranch | undefined> {
    const body = await this.getJson("branch", `${this.projectUrl(project)}/repository/branches/${encodeURIComponent(name)}`);
    return body === undefined ? undefined : toBranch(body);
  }

  /** A commit by id (or unique id prefix, as git resolves it). */
  async commit(project: string, sha: string): Promise<GitlabCommit | undefined> {
    const body = await this.getJson("commit", `${this.projectUrl(project)}/repository/commits/${encodeURIComponent(sha)}`);
    if (body === undefined) return undefined;
    const c = body as Record<string, unknown>;
    const date = typeof c.committed_date === "string" ? new Date(c.committed_date) : undefined;
    if (typeof c.id !== "string" || !date || Number.isNaN(date.getTime())) throw new GitlabUnavailable("bad_answer", "GitLab answered with something that is not a commit", 200);
    return { id: c.id, committedAt: date };
  }

  /** True when some branch or tag contains the commit (the go command fetches only those). */
  async isReachable(project: string, sha: string): Promise<boolean> {
    const query = new URLSearchParams({ type: "all", per_page: "1" });
    const body = await this.getJson("commit-refs", `${this.projectUrl(project)}/repository/commits/${encodeURIComponent(sha)}/refs?${query}`);
    return Array.isArray(body) && body.length > 0;
  }

  /** The merge base of two commits, or undefined when they share no history. */
  async mergeBase(project: string, a: string, b: string): Promise<string | undefined> {
    const query = new URLSearchParams();
    query.append("refs[]", a);
    query.append("refs[]", b);
    const body = await this.getJson("merge-base", `${this.projectUrl(project)}/repository/merge_base?${query}`, [400]);
    if (body === undefined) return undefined;
    const id = (body as Record<string, unknown>).id;
    return typeof id === "string" ? id : undefined;
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
      if (typeof e.id !== "string" || typeof e.path !== "string" || typeof e.mode !== "string" || (e.type !== "blob" && e.type !== "tree" && e.type !== "commit")) {
        throw new GitlabUnavailable("bad_answer", "GitLab answered with a tree entry of an unknown shape", 200);
      }
      return { id: e.id, path: e.path, type: e.type, mode: e.mode };
    });
  }

  /** A file's raw bytes at a commit (no .gitattributes conversion), or undefined when there is none. */
  async file(project: string, sha: string, path: string): Promise<Uint8Array | undefined> {
    const url = `${this.projectUrl(project)}/repository/files/${encodeURIComponent(path)}/raw?${new URLSearchParams({ ref: sha })}`;
    const response = await this.request("file", url, [404]);
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    return new Uint8Array(await this.readBody(response));
  }

  async blob(project: string, id: string): Promise<Uint8Array> {
    const response = await this.request("blob", `${this.projectUrl(project)}/repository/blobs/${encodeURIComponent(id)}/raw`, []);
    return new Uint8Array(await this.readBody(response));
  }

  /**
   * The repository archive (`git archive --format=zip`) of `dir` at `sha`,
   * without LFS content (what the go command sees are the pointer files).
   * The body is the caller's to consume; undefined when `dir` does not exist.
   */
  async archive(project: string, sha: string, dir: string): Promise<Response | undefined> {
    const query = new URLSearchParams({ sha, include_lfs_blobs: "false" });
    if (dir !== "") query.set("path", dir);
    const response = await this.request("archive", `${this.projectUrl(project)}/repository/archive.zip?${query}`, [404], false);
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    return response;
  }

  private projectUrl(project: string): string {
    return `${this.options.url}/api/v4/projects/${encodeURIComponent(project)}`;
  }

  private async getJson(endpoint: string, url: string, alsoMissing: number[] = []): Promise<unknown> {
    const response = await this.request(endpoint, url, [404, ...alsoMissing]);
    if (response.status !== 200) {
      await response.body?.cancel();
      return undefined;
    }
    return this.parseJson(response);
  }

  /** Follows GitLab's pagination (x-next-page, or the keyset page_token in Link) with URLs of our own making. */
  private async getPages(endpoint: string, base: string, query: URLSearchParams, missingOk?: false): Promise<unknown[]>;
  private async getPages(endpoint: string, base: string, query: URLSearchParams, missingOk: true): Promise<unknown[] | undefined>;
  private async getPages(endpoint: string, base: string, query: URLSearchParams, missingOk = false): Promise<unknown[] | undefined> {
    const all: unknown[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const response = await this.request(endpoint, `${base}?${query}`, missingOk ? [404] : []);
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      const body = await this.parseJson(response);
      if (!Array.isArray(body)) throw new GitlabUnavailable("bad_answer", `GitLab answered ${endpoint} with something that is not a list`, 200);
      all.push(...body);
      const next = nextPage(response.headers);
      if (!next) return all;
      if ("page" in next) query.set("page", next.page);
      else query.set("page_token", next.pageToken);
    }
    throw new GitlabUnavailable("bad_answer", `GitLab's ${endpoint} list did not end after ${MAX_PAGES} pages`, 200);
  }

  private async parseJson(response: Response): Promise<unknown> {
    const text = new TextDecoder().decode(await this.readBody(response));
    try {
      return JSON.parse(text);
    } catch {
      throw new GitlabUnavailable("bad_answer", "GitLab answered with something that is not JSON", response.status);
    }
  }

  private async readBody(response: Response): Promise<ArrayBuffer> {
    try {
      return await response.arrayBuffer();
    } catch (err) {
      throw fetchFailure(err, this.options.url, this.options.apiTimeoutMs);
    }
  }

  /**
   * One GET. `expected`: statuses the caller handles besides 200. The
   * timeout covers the whole answer, body included, unless `timeBody` is
   * false: an archive streams for as long as it needs once it has started.
   */
  private async request(endpoint: string, url: string, expected: number[], timeBody = true): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.options.token) headers["PRIVATE-TOKEN"] = this.options.token;
    const release = this.options.acquire ? await this.options.acquire() : undefined;
    const started = Date.now();
    const controller = new AbortController();
    // An archive may take a while to start (GitLab builds it before the first byte): it gets a longer wait for its headers.
    const headerTimeoutMs = timeBody ? this.options.apiTimeoutMs : Math.max(this.options.apiTimeoutMs * 6, ARCHIVE_START_MS);
    const timer = setTimeout(() => controller.abort(new DOMException("timed out", "TimeoutError")), headerTimeoutMs);
    let response: Response;
    try {
      response = await this.fetchFn(url, { headers, redirect: "manual", signal: timeBody ? AbortSignal.timeout(this.options.apiTimeoutMs) : controller.signal });
    } catch (err) {
      this.options.onCall?.(endpoint, 0, Date.now() - started);
      throw this.failed(fetchFailure(err, this.options.url, timeBody ? this.options.apiTimeoutMs : headerTimeoutMs));
    } finally {
      clearTimeout(timer);
      release?.();
    }
    this.options.onCall?.(endpoint, response.status, Date.now() - started);
    if (response.status === 200 || expected.includes(response.status)) {
      this.options.health?.succeeded();
      return response;
    }
    await response.body?.cancel();
    throw this.failed(statusFailure(response.status, this.options.url, response.headers));
  }

  private failed(err: GitlabUnavailable): GitlabUnavailable {
    this.options.health?.failed(err);
    return err;
  }
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

// GitLab's repository REST API (the calls modgate's module proxy may use, docs/go-rules.md §8), answered
// from the stand-in's bare repositories with the git CLI the way GitLab + Gitaly answer them:
// same parameters and defaults, JSON field names and order, error bodies and pagination headers.
// Sources: gitlabhq lib/api/{tags,branches,commits,repositories,files}.rb, lib/api/entities/
// {tag,branch,commit,commit_detail,tree_object}.rb, app/finders/{git_refs,tags,branches}_finder.rb,
// app/finders/repositories/tree_finder.rb, app/models/tree.rb, lib/gitlab/git/repository.rb
// (archive_prefix), workhorse internal/git/archive.go (archive headers).
import {
  archiveZip,
  commitStats,
  gitlabTime,
  isAncestor,
  listBranches,
  listTags,
  listTree,
  mergeBase,
  objectType,
  readBlob,
  readCommits,
  refsContaining,
  resolveCommit,
  type CommitInfo,
  type RefSort,
  type TagRef,
  type TreeEntry,
} from "./git-read.js";
import { firstPageHeaders, isFirstPage, keysetHeaders, offsetPage, pageParams, type Headers } from "./gitlab-pagination.js";

export type RepositoryEndpoint =
  "tags" | "tag" | "branches" | "branch" | "commit" | "commit-refs" | "merge-base" | "tree" | "blob-raw" | "file-raw" | "archive";

export interface RepositoryRoute {
  /** The project `:id`, decoded once. */
  id: string;
  endpoint: RepositoryEndpoint;
  /** The route's own parameter (tag or branch name, sha, file path), decoded once. */
  arg: string;
  /** Archive format from `archive.<format>` ('' for a bare `archive`, GitLab's tar.gz). */
  format: string;
}

export interface RepositoryProject {
  id: number;
  /** Full path, `group/sub/project`. */
  fullPath: string;
  defaultBranch: string;
  webUrl: string;
  /** The bare repository. */
  dir: string;
}

/**
 * GitLab feature flags that change how lists paginate (GitalyKeysetPager). Without the flag, the
 * list is plain Kaminari offset pagination and `pagination=keyset` is ignored.
 */
export interface RepositoryFeatures {
  /** `repository_tree_gitaly_pagination` (on since GitLab 15.0): tree keyset and the first-page shortcut. Default true. */
  treeGitalyPagination?: boolean;
  /** `branch_list_keyset_pagination` (introduced off in 13.2): branches like tags. Default false. */
  branchListKeysetPagination?: boolean;
  /** The first-page headers of GitLab releases before the fix (x-next-page always 2); default false. */
  legacyFirstPageHeaders?: boolean;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: string | Buffer;
}

/** `[pattern, endpoint]`: a segment never holds a raw `/` (GitLab's NO_SLASH_URL_PART_REGEX requirements). */
const ROUTES: [RegExp, RepositoryEndpoint][] = [
  [/^\/projects\/([^/]+)\/repository\/tags$/, "tags"],
  [/^\/projects\/([^/]+)\/repository\/tags\/([^/]+)$/, "tag"],
  [/^\/projects\/([^/]+)\/repository\/branches$/, "branches"],
  [/^\/projects\/([^/]+)\/repository\/branches\/([^/]+)$/, "branch"],
  [/^\/projects\/([^/]+)\/repository\/commits\/([^/]+)$/, "commit"],
  [/^\/projects\/([^/]+)\/repository\/commits\/([^/]+)\/refs$/, "commit-refs"],
  [/^\/projects\/([^/]+)\/repository\/merge_base$/, "merge-base"],
  [/^\/projects\/([^/]+)\/repository\/tree$/, "tree"],
  [/^\/projects\/([^/]+)\/repository\/blobs\/([^/]+)\/raw$/, "blob-raw"],
  [/^\/projects\/([^/]+)\/repository\/files\/([^/]+)\/raw$/, "file-raw"],
  [/^\/projects\/([^/]+)\/repository\/archive(?:\.([a-z0-9.]+))?$/, "archive"],
];

/** The repository route below /api/v4, or undefined for any other path. */
export function parseRepositoryRoute(route: string): RepositoryRoute | undefined {
  for (const [pattern, endpoint] of ROUTES) {
    const match = pattern.exec(route);
    if (match === null) continue;
    try {
      const id = decodeURIComponent(match[1]!);
      if (endpoint === "archive") return { id, endpoint, arg: "", format: match[2] ?? "" };
      return { id, endpoint, arg: match[2] === undefined ? "" : decodeURIComponent(match[2]), format: "" };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const json = (status: number, body: unknown, headers: Headers = {}): ApiAnswer => ({
  status,
  headers: { "content-type": "application/json", "cache-control": "no-cache", ...headers },
  body: JSON.stringify(body),
});

/** `not_found!('Tag')` → `{"message":"404 Tag Not Found"}` (lib/api/helpers.rb). */
const notFound = (what: string): ApiAnswer => json(404, { message: `404 ${what} Not Found` });

/** Grape's validation failure for an enumerated parameter: 400 `{"error":"<name> does not have a valid value"}`. */
const invalidValue = (name: string): ApiAnswer => json(400, { error: `${name} does not have a valid value` });

/** Grape's Boolean coercion. */
function booleanParam(value: string | null, fallback: boolean): boolean | undefined {
  if (value === null) return fallback;
  if (["true", "1", "t", "yes", "y"].includes(value.toLowerCase())) return true;
  if (["false", "0", "f", "no", "n"].includes(value.toLowerCase())) return false;
  return undefined;
}

// ---- entities ----

/** API::Entities::Commit (plus trailers, extended_trailers, web_url of current GitLab). */
function commitEntity(c: CommitInfo, project: RepositoryProject) {
  const committed = gitlabTime(c.committed);
  return {
    id: c.id,
    short_id: c.id.slice(0, 8),
    // `created_at` is an alias of committed_date (lib/gitlab/git/commit.rb), not the push time.
    created_at: committed,
    parent_ids: c.parentIds,
    title: c.message.split(/[\r\n]/, 1)[0] ?? "",
    message: c.message,
    author_name: c.authorName,
    author_email: c.authorEmail,
    authored_date: gitlabTime(c.authored),
    committer_name: c.committerName,
    committer_email: c.committerEmail,
    committed_date: committed,
    trailers: {},
    extended_trailers: {},
    web_url: `${project.webUrl}/-/commit/${c.id}`,
  };
}

/** API::Entities::Tag: `target` is the tag object for annotated tags, `commit` the peeled commit. */
function tagEntity(tag: TagRef, commits: Map<string, CommitInfo>, project: RepositoryProject) {
  const commit = tag.commit === undefined ? undefined : commits.get(tag.commit);
  return {
    name: tag.name,
    message: tag.annotation?.message ?? null,
    target: tag.target,
    commit: commit === undefined ? null : commitEntity(commit, project),
    release: null,
    protected: false,
    created_at: tag.annotation === undefined ? null : gitlabTime(tag.annotation.tagged),
  };
}

async function branchEntity(name: string, commit: CommitInfo, project: RepositoryProject, defaultHead: string | undefined) {
  const isDefault = name === project.defaultBranch;
  return {
    name,
    commit: commitEntity(commit, project),
    // merged_to_root_ref?: false for the default branch itself.
    merged: !isDefault && defaultHead !== undefined && (await isAncestor(project.dir, commit.id, defaultHead)),
    // GitLab protects a new project's default branch; the token's user is no member (can_push false).
    protected: isDefault,
    developers_can_push: false,
    developers_can_merge: false,
    can_push: false,
    default: isDefault,
    web_url: `${project.webUrl}/-/tree/${name}`,
  };
}

// ---- ref listing (tags, branches) ----

/** GitRefsFinder#by_search: `^x`, `x$` and `*` make it a pattern, else a substring with the exact match first. */
export function searchRefs<T extends { name: string }>(refs: readonly T[], search: string | undefined): T[] {
  if (search === undefined || search === "") return [...refs];
  const regexSearch = /[\^$*]/.test(search);
  let source = search.toLowerCase().replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
  if (regexSearch) source = source.replace("\\^", "^").replace(/\\\*/g, ".*?").replace("\\$", "$");
  const pattern = new RegExp(source, "m");
  const matches = refs.filter((r) => pattern.test(r.name.toLowerCase()));
  if (regexSearch) return matches;
  const exact = matches.findIndex((r) => r.name.toLowerCase() === search.toLowerCase());
  if (exact > 0) matches.unshift(...matches.splice(exact, 1));
  return matches;
}

interface RefPage<T> {
  items: T[];
  headers: Headers;
  error?: ApiAnswer;
}

/**
 * GitalyKeysetPager#paginate for tags and branches: `pagination=keyset` or page 1 go to Gitaly
 * (page_token = the name to start after, limit per_page; with `search`, no limit at all: the
 * finder filters the full list), later pages are Kaminari over the (searched) full list.
 */
function paginateRefs<T extends { name: string }>(
  all: readonly T[],
  query: URLSearchParams,
  base: string,
  kind: "tags" | "heads",
  gitaly: boolean,
  legacy: boolean,
): RefPage<T> {
  const search = query.get("search") || undefined;
  const keyset = query.get("pagination") === "keyset";
  if (!gitaly || (!keyset && !isFirstPage(query))) return offsetPage(searchRefs(all, search), base, query);
  const { perPage } = pageParams(query);
  let items: T[];
  if (search !== undefined) {
    items = searchRefs(all, search);
  } else {
    const token = query.get("page_token");
    let start = 0;
    if (token !== null && token !== "") {
      const at = all.findIndex((r) => r.name === token);
      // TagsFinder turns Gitaly's "could not find page token" into InvalidPageToken → 422.
      if (at < 0) return { items: [], headers: {}, error: json(422, { message: `Invalid page token: refs/${kind}/${token}` }) };
      start = at + 1;
    }
    items = all.slice(start, start + perPage);
  }
  if (keyset) {
    // A next link whenever the page is full, so an exact multiple ends with an empty page.
    return { items, headers: keysetHeaders(base, query, items.length === perPage ? items.at(-1)!.name : undefined) };
  }
  // The imitation headers count every ref, not the search matches.
  return { items, headers: firstPageHeaders(base, query, all.length, legacy) };
}

const TAG_ORDER: Record<string, string> = { name: "refname", updated: "creatordate", version: "version:refname" };

async function getTags(project: RepositoryProject, query: URLSearchParams, base: string, legacy: boolean): Promise<ApiAnswer> {
  const orderBy = query.get("order_by") ?? "updated";
  const sort = query.get("sort") ?? "desc";
  if (!(orderBy in TAG_ORDER)) return invalidValue("order_by");
  if (sort !== "asc" && sort !== "desc") return invalidValue("sort");
  const key = `${sort === "desc" ? "-" : ""}${TAG_ORDER[orderBy]}` as RefSort;
  const page = paginateRefs(await listTags(project.dir, key), query, base, "tags", true, legacy);
  if (page.error !== undefined) return page.error;
  const commits = await readCommits(
    project.dir,
    page.items.flatMap((t) => (t.commit === undefined ? [] : [t.commit])),
  );
  return json(
    200,
    page.items.map((t) => tagEntity(t, commits, project)),
    page.headers,
  );
}

async function getTag(project: RepositoryProject, name: string): Promise<ApiAnswer> {
  const tag = (await listTags(project.dir)).find((t) => t.name === name);
  if (tag === undefined) return notFound("Tag");
  const commits = await readCommits(project.dir, tag.commit === undefined ? [] : [tag.commit]);
  return json(200, tagEntity(tag, commits, project));
}

const BRANCH_ORDER: Record<string, RefSort> = { name_asc: "refname", updated_asc: "creatordate", updated_desc: "-creatordate" };

async function getBranches(project: RepositoryProject, query: URLSearchParams, base: string, gitaly: boolean, legacy: boolean): Promise<ApiAnswer> {
  const sort = query.get("sort") ?? "name_asc";
  if (!(sort in BRANCH_ORDER)) return invalidValue("sort");
  const branches = await listBranches(project.dir, BRANCH_ORDER[sort]);
  const page = paginateRefs(branches, query, base, "heads", gitaly, legacy);
  if (page.error !== undefined) return page.error;
  const commits = await readCommits(
    project.dir,
    page.items.map((b) => b.commit),
  );
  const defaultHead = branches.find((b) => b.name === project.defaultBranch)?.commit;
  const body = await Promise.all(page.items.map((b) => branchEntity(b.name, commits.get(b.commit)!, project, defaultHead)));
  return json(200, body, page.headers);
}

async function getBranch(project: RepositoryProject, name: string): Promise<ApiAnswer> {
  const branches = await listBranches(project.dir);
  const branch = branches.find((b) => b.name === name);
  if (branch === undefined) return notFound("Branch");
  const commit = (await readCommits(project.dir, [branch.commit])).get(branch.commit)!;
  const defaultHead = branches.find((b) => b.name === project.defaultBranch)?.commit;
  return json(200, await branchEntity(name, commit, project, defaultHead));
}

// ---- commits ----

async function findCommit(project: RepositoryProject, rev: string): Promise<CommitInfo | undefined> {
  const id = await resolveCommit(project.dir, rev);
  return id === undefined ? undefined : (await readCommits(project.dir, [id])).get(id);
}

/** API::Entities::CommitDetail: Commit + stats (unless stats=false), status, project_id, last_pipeline. */
async function getCommit(project: RepositoryProject, sha: string, query: URLSearchParams): Promise<ApiAnswer> {
  const stats = booleanParam(query.get("stats"), true);
  if (stats === undefined) return json(400, { error: "stats is invalid" });
  const commit = await findCommit(project, sha);
  if (commit === undefined) return notFound("Commit");
  return json(200, {
    ...commitEntity(commit, project),
    ...(stats ? { stats: await commitStats(project.dir, commit.id) } : {}),
    status: null,
    project_id: project.id,
    last_pipeline: null,
  });
}

/** Branches then tags that contain the commit, `[{type, name}]`, Kaminari-paginated. */
async function getCommitRefs(project: RepositoryProject, sha: string, query: URLSearchParams, base: string): Promise<ApiAnswer> {
  const type = query.get("type") ?? "all";
  if (!["branch", "tag", "all"].includes(type)) return invalidValue("type");
  const commit = await resolveCommit(project.dir, sha);
  if (commit === undefined) return notFound("Commit");
  const refs = [
    ...(type === "tag" ? [] : (await refsContaining(project.dir, commit, "heads")).map((name) => ({ type: "branch", name }))),
    ...(type === "branch" ? [] : (await refsContaining(project.dir, commit, "tags")).map((name) => ({ type: "tag", name }))),
  ];
  const page = offsetPage(refs, base, query);
  return json(200, page.items, page.headers);
}

/** `refs[]=a&refs[]=b` or `refs=a,b` (CommaSeparatedToArray); the common ancestor as a Commit. */
async function getMergeBase(project: RepositoryProject, query: URLSearchParams): Promise<ApiAnswer> {
  const refs = [...query.getAll("refs[]"), ...query.getAll("refs")].flatMap((r) => r.split(",")).filter(Boolean);
  if (refs.length === 0) return json(400, { error: "refs is missing" });
  if (refs.length < 2) return json(400, { message: "Provide at least 2 refs" });
  const ids = await Promise.all(refs.map((r) => resolveCommit(project.dir, r)));
  const unknown = refs.filter((_, i) => ids[i] === undefined);
  if (unknown.length > 0) {
    return json(400, { message: `Could not find ${unknown.length === 1 ? "ref" : "refs"}: ${unknown.join(", ")}` });
  }
  const base = await mergeBase(project.dir, ids as string[]);
  if (base === undefined) return notFound("Merge Base");
  return json(200, commitEntity((await readCommits(project.dir, [base])).get(base)!, project));
}

// ---- tree ----

/** Tree#sorted_entries: directories, then files, then submodules, each in Gitaly's order. */
function sortedEntries(entries: readonly TreeEntry[]): TreeEntry[] {
  return [...entries.filter((e) => e.type === "tree"), ...entries.filter((e) => e.type === "blob"), ...entries.filter((e) => e.type === "commit")];
}

/**
 * The order Gitaly paginates in: GitLab asks for SortBy::TREES_FIRST whenever it passes pagination
 * parameters (Gitlab::GitalyClient::CommitService#tree_entries), a stable split into directories
 * then everything else.
 */
function treesFirst(entries: readonly TreeEntry[]): TreeEntry[] {
  return [...entries.filter((e) => e.type === "tree"), ...entries.filter((e) => e.type !== "tree")];
}

/** Gitaly's GetTreeEntries cursor: base64 of `{"file_name":"<path>"}`; a bare object id is the legacy form. */
export function encodeTreeToken(entry: TreeEntry): string {
  return Buffer.from(JSON.stringify({ file_name: entry.path })).toString("base64");
}

function treeTokenStart(entries: readonly TreeEntry[], token: string): number {
  let fileName: string | undefined;
  try {
    const decoded = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { file_name?: unknown };
    if (typeof decoded.file_name === "string") fileName = decoded.file_name;
  } catch {
    fileName = undefined;
  }
  // Legacy OID tokens match the FIRST entry with that id: unsafe when blobs repeat (why Gitaly moved to names).
  const at = fileName === undefined ? entries.findIndex((e) => e.id === token) : entries.findIndex((e) => e.path === fileName);
  return at < 0 ? -1 : at + 1;
}

function treeBody(entries: readonly TreeEntry[]) {
  // TreeObject pads modes to six digits ("40000" → "040000"); git already prints six.
  return entries.map((e) => ({ id: e.id, name: e.name, type: e.type, path: e.path, mode: e.mode.padStart(6, "0") }));
}

async function getTree(project: RepositoryProject, query: URLSearchParams, base: string, gitaly: boolean, legacy: boolean): Promise<ApiAnswer> {
  const recursive = booleanParam(query.get("recursive"), false);
  if (recursive === undefined) return json(400, { error: "recursive is invalid" });
  const pagination = query.get("pagination") ?? "legacy";
  if (!["legacy", "keyset", "none"].includes(pagination)) return invalidValue("pagination");
  if (pagination === "none" && !recursive) {
    return json(400, { error: 'pagination cannot be "none" unless "recursive" is true' });
  }
  const commit = await resolveCommit(project.dir, query.get("ref") || project.defaultBranch);
  if (commit === undefined) return notFound("Tree");
  const path = (query.get("path") ?? "").replace(/^\/+|\/+$/g, "");
  const all = await listTree(project.dir, commit, path, recursive);
  // Since GitLab 17.7 a path that is not in the tree is a 404 rather than `[]`.
  if (all === undefined) return notFound("Tree");
  if (pagination === "none") return json(200, treeBody(sortedEntries(all)));
  const keyset = gitaly && pagination === "keyset";
  if (!gitaly || (!keyset && !isFirstPage(query))) {
    // Later legacy pages are Kaminari over the whole sorted list (trees, blobs, submodules), page 1
    // came from Gitaly's TREES_FIRST order: with submodules among the files they can disagree.
    const page = offsetPage(sortedEntries(all), base, query);
    return json(200, treeBody(page.items), page.headers);
  }
  const { perPage } = pageParams(query);
  const ordered = treesFirst(all);
  const token = keyset ? query.get("page_token") : null;
  const start = token === null || token === "" ? 0 : treeTokenStart(ordered, token);
  // Gitaly answers InvalidArgument "could not find starting OID"; the tree endpoint does not rescue it.
  if (start < 0) return json(500, { message: "500 Internal Server Error" });
  const slice = ordered.slice(start, start + perPage);
  const more = start + perPage < ordered.length;
  const headers = keyset ? keysetHeaders(base, query, more ? encodeTreeToken(slice.at(-1)!) : undefined) : firstPageHeaders(base, query, all.length, legacy);
  return json(200, treeBody(sortedEntries(slice)), headers);
}

// ---- raw content ----

/** Raw bytes as GitLab's send_git_blob answers them (Workhorse streams the blob). */
function rawAnswer(bytes: Buffer, extra: Headers = {}): ApiAnswer {
  const binary = bytes.subarray(0, 8000).includes(0);
  return {
    status: 200,
    headers: {
      "content-type": binary ? "application/octet-stream" : "text/plain; charset=utf-8",
      "x-content-type-options": "nosniff",
      "cache-control": "max-age=0, private, must-revalidate, no-store, no-cache",
      ...extra,
    },
    body: bytes,
  };
}

async function getBlobRaw(project: RepositoryProject, sha: string): Promise<ApiAnswer> {
  const bytes = await readBlob(project.dir, sha);
  if (bytes === undefined) return notFound("Blob");
  return rawAnswer(bytes);
}

async function getFileRaw(project: RepositoryProject, filePath: string, query: URLSearchParams): Promise<ApiAnswer> {
  const ref = query.get("ref") || project.defaultBranch;
  const commit = await resolveCommit(project.dir, ref);
  if (commit === undefined) return notFound("Commit");
  const bytes = await readBlob(project.dir, `${commit}:${filePath}`);
  if (bytes === undefined) return notFound("File");
  const name = filePath.slice(filePath.lastIndexOf("/") + 1);
  return rawAnswer(bytes, {
    "x-gitlab-file-name": name,
    "x-gitlab-file-path": filePath,
    "x-gitlab-ref": ref,
    "x-gitlab-commit-id": commit,
    "x-gitlab-size": String(bytes.length),
  });
}

/**
 * Repository#archive_prefix with append_sha: true (what the API passes):
 * `<project.path>-<sha param, / → ->-<commit id>[-<path, / → ->]`.
 */
export function archivePrefix(projectPath: string, ref: string, commit: string, path: string | undefined): string {
  const slug = projectPath.slice(projectPath.lastIndexOf("/") + 1);
  const segments = [slug, ref.replace(/\//g, "-"), commit];
  if (path !== undefined) segments.push(path.replace(/\//g, "-"));
  return segments.join("-");
}

async function getArchive(project: RepositoryProject, format: string, query: URLSearchParams): Promise<ApiAnswer> {
  if (format !== "zip") {
    return json(501, { message: `GitLab stand-in: only archive.zip is implemented, not ${JSON.stringify(format || "tar.gz")}` });
  }
  const ref = query.get("sha") || project.defaultBranch;
  const path = query.get("path") ?? undefined;
  // Any failure (unknown ref, missing path) is rescued into not_found!('File').
  const commit = await resolveCommit(project.dir, ref);
  if (commit === undefined) return notFound("File");
  const cleanPath = (path ?? "").replace(/^\/+|\/+$/g, "");
  if (cleanPath !== "" && (await objectType(project.dir, `${commit}:${cleanPath}`)) === undefined) return notFound("File");
  const excludePaths = query
    .getAll("exclude_paths")
    .flatMap((p) => p.split(","))
    .filter(Boolean);
  const prefix = archivePrefix(project.fullPath, ref, commit, path);
  const zip = await archiveZip(project.dir, { commit, prefix, path: cleanPath, excludePaths });
  if (zip.code !== 0) return notFound("File");
  return {
    status: 200,
    headers: {
      "content-type": "application/zip",
      "content-disposition": `attachment; filename="${prefix}.zip"`,
      "content-transfer-encoding": "binary",
    },
    body: zip.stdout,
  };
}

/**
 * Answers one repository request for a project the caller may read. `base` is the request's
 * URL without its query (`http://host/api/v4/projects/.../repository/tags`), for Link headers.
 */
export async function answerRepositoryApi(
  route: RepositoryRoute,
  project: RepositoryProject,
  query: URLSearchParams,
  base: string,
  features: RepositoryFeatures = {},
): Promise<ApiAnswer> {
  switch (route.endpoint) {
    case "tags":
      return getTags(project, query, base, features.legacyFirstPageHeaders ?? false);
    case "tag":
      return getTag(project, route.arg);
    case "branches":
      return getBranches(project, query, base, features.branchListKeysetPagination ?? false, features.legacyFirstPageHeaders ?? false);
    case "branch":
      return getBranch(project, route.arg);
    case "commit":
      return getCommit(project, route.arg, query);
    case "commit-refs":
      return getCommitRefs(project, route.arg, query, base);
    case "merge-base":
      return getMergeBase(project, query);
    case "tree":
      return getTree(project, query, base, features.treeGitalyPagination ?? true, features.legacyFirstPageHeaders ?? false);
    case "blob-raw":
      return getBlobRaw(project, route.arg);
    case "file-raw":
      return getFileRaw(project, route.arg, query);
    case "archive":
      return getArchive(project, route.format, query);
  }
}
